/**
 * Secrets come from the environment only: NAME holds the secret itself, or
 * NAME_FILE names a file holding it (how Docker and Kubernetes mount secrets,
 * so the value never sits in the process environment or `docker inspect`).
 * Never both: which one wins would be a guess. One trailing line break is
 * dropped (files written by `echo`); anything else in the file is the secret.
 * Errors name the variable and the file, never the content.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  const fileVariable = `${name}_FILE`;
  const file = env[fileVariable];
  if (direct && file) throw new UsageError(`both ${name} and ${fileVariable} are set; set only one`);
  if (!file) return direct || undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`${fileVariable}: cannot read ${file} (${code ?? (error as Error).message})`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) throw new UsageError(`${fileVariable}: ${file} is empty`);
  return secret;
}
