/**
 * WindowMetrics as message bytes (the `<prefix>.window-metrics` topic) and
 * back. Plain JSON would turn ±Infinity and NaN into null — a chi-square
 * statistic of +inf (a category unseen in the reference) would reach Postgres
 * as NULL through Kafka but as Infinity through `run`. Non-finite numbers are
 * therefore written as the strings "Infinity", "-Infinity" and "NaN" and read
 * back as numbers; a string field never holds those values by itself.
 */
import type { WindowMetrics } from './results.js';

const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

export function encodeWindowMetrics(metrics: WindowMetrics): Buffer {
  return Buffer.from(JSON.stringify(metrics, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)));
}

/** Throws with a clear message when the bytes are not a window-metrics record. */
export function decodeWindowMetrics(bytes: Buffer | string): WindowMetrics {
  const parsed = JSON.parse(bytes.toString(), (_key, value) => (typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value)) as unknown;
  if (!parsed || typeof parsed !== 'object') throw new Error('window-metrics record is not a JSON object');
  const record = parsed as Partial<WindowMetrics>;
  for (const field of ['model', 'windowStart', 'windowEnd', 'revision', 'rows', 'drift', 'dataQuality'] as const) {
    if (record[field] === undefined || record[field] === null) throw new Error(`window-metrics record lacks "${field}"`);
  }
  return record as WindowMetrics;
}

/** Message key of a window: one window, one key, so a compacted topic keeps its last result. */
export function windowKey(metrics: Pick<WindowMetrics, 'model' | 'windowStart'>): string {
  return `${metrics.model}@${new Date(metrics.windowStart).toISOString()}`;
}
