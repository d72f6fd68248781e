/**
 * Durations on the command line: a whole number followed by a unit —
 * `500ms`, `30s`, `1m`, `60m`, `1h`, `1d` — as milliseconds. One function for
 * every option that takes one (`--step`, `--window`, lateness, timeouts).
 * Bare numbers are refused: "--window 5" could be seconds or minutes.
 */
import { UsageError } from './errors.js';

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION_PATTERN = /^(\d+)\s*(ms|s|m|h|d)$/;

/** Milliseconds of a duration such as "1m"; a UsageError naming the option otherwise. */
export function parseDuration(text: string, option = 'duration'): number {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) {
    throw new UsageError(`${option}: "${text}" is not a duration (use a whole number and a unit: 500ms, 30s, 1m, 60m, 1h, 1d)`);
  }
  const ms = Number(match[1]) * MS_PER_UNIT[match[2]!]!;
  if (ms <= 0 || !Number.isSafeInteger(ms)) throw new UsageError(`${option}: "${text}" must be greater than zero`);
  return ms;
}

/** The shortest exact spelling of a duration, for summaries: 60000 → "1m", 90000 → "90s". */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = MS_PER_UNIT[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
