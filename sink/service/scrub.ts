/**
 * Error text from the Postgres driver may quote the connection string; before
 * such text reaches a log line it goes through the scrubber of that URL, which
 * swaps the URL for its redacted form and masks the password wherever it
 * still appears (raw or URL-encoded).
 */
import { redactDatabaseUrl } from '../postgres/redact.js';

export function secretScrubber(databaseUrl: string | undefined): (text: string) => string {
  if (!databaseUrl) return (text) => text;
  const redacted = redactDatabaseUrl(databaseUrl);
  const secrets = new Set<string>();
  try {
    const url = new URL(databaseUrl);
    if (url.password) {
      secrets.add(url.password);
      secrets.add(decodeURIComponent(url.password));
    }
    for (const [key, value] of url.searchParams) if (key.toLowerCase() === 'password' && value) secrets.add(value);
  } catch {
    // Not a URL (libpq key=value form): redactDatabaseUrl already covers password=….
  }
  const ordered = [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.split(databaseUrl).join(redacted);
    for (const secret of ordered) out = out.split(secret).join('***');
    return out;
  };
}
