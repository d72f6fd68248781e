/**
 * DATABASE_URL values carry a password; logs, errors and health output get
 * this redacted form instead. Handles URI form (postgres://user:pw@host/db,
 * and ?password=… in the query) and libpq key=value form (password=…).
 */
const MASK = '***';

export function redactDatabaseUrl(databaseUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(databaseUrl)) {
    try {
      const url = new URL(databaseUrl);
      if (url.password) url.password = MASK;
      for (const key of [...url.searchParams.keys()]) {
        if (key.toLowerCase() === 'password') url.searchParams.set(key, MASK);
      }
      return url.toString();
    } catch {
      // Not a valid URL (e.g. a bare '@' in the password): mask everything between
      // the first ':' after the scheme and the last '@' before the host.
      return databaseUrl.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):.*@/i, `$1:${MASK}@`);
    }
  }
  return databaseUrl.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, `$1${MASK}`);
}
