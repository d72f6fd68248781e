/**
 * Structured logs (pino) on stderr, so stdout stays for results (`--json`).
 * Level from DRIFTWATCH_LOG_LEVEL (default info). Anything that may carry a
 * secret is redacted by path before it is written.
 */
import pino, { type Logger } from 'pino';

const root = pino(
  {
    level: process.env.DRIFTWATCH_LOG_LEVEL ?? 'info',
    base: { service: 'driftwatch' },
    redact: { paths: ['password', '*.password', 'databaseUrl', '*.databaseUrl', 'sasl', '*.sasl'], censor: '[redacted]' },
  },
  pino.destination(2),
);

export function createLogger(component: string): Logger {
  return root.child({ component });
}

export type { Logger };
