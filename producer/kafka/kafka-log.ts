/**
 * kafkajs logs through pino: one structured line per entry, with kafkajs'
 * namespace as `component`. Fields whose names suggest a secret are dropped
 * before logging, whatever kafkajs (or a future version of it) passes along.
 */
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

const SECRET_FIELD = /pass|secret|token|sasl|credential|authori[sz]ation|^key$|private/i;

type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

/** kafkajs' level → pino's; NOTHING → null (dropped). */
function pinoLevelOf(level: logLevel): PinoLevel | null {
  switch (level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    case logLevel.DEBUG:
      return 'debug';
    default:
      return null;
  }
}

/** kafkajs' own threshold from pino's, so debug entries are not even built when pino would drop them. */
export function kafkaLogLevelOf(logger: Logger): logLevel {
  switch (logger.level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'error':
    case 'fatal':
      return logLevel.ERROR;
    default:
      return logLevel.NOTHING;
  }
}

export function kafkaLogCreator(logger: Logger): logCreator {
  return () => (entry: LogEntry) => {
    const level = pinoLevelOf(entry.level);
    if (level === null) return;
    const { message, timestamp: _timestamp, ...extra } = entry.log;
    logger[level]({ component: `kafkajs.${entry.namespace}`, ...redactSecrets(extra) }, message);
  };
}

/** A shallow copy without secret-looking fields (nested objects are checked too). */
export function redactSecrets(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const safe: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (SECRET_FIELD.test(name)) continue;
    safe[name] = value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Error)
      ? redactSecrets(value as Record<string, unknown>)
      : value;
  }
  return safe;
}
