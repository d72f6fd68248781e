/** Settings of the window operator, checked once with one clear message per mistake. */
import { checkWindowSize } from './assigner.js';
import type { TargetKind } from './accumulator.js';
import type { ApproximateConfig } from './approximate-window.js';

export interface WindowConfig {
  /** Tumbling window length (ms). */
  readonly size: number;
  /** Watermark = max event time seen − this (ms). */
  readonly maxOutOfOrderness: number;
  /** After a window fired, rows up to this much event time past its end still re-fire it (ms). */
  readonly allowedLateness: number;
  /** A partition with no rows for longer than this (processing time, ms) stops holding the watermark. */
  readonly idleTimeout: number;
  /** Labels are joined until the watermark passes windowEnd + this (ms). */
  readonly labelTimeout: number;
  readonly eventTimeColumn: string;
  readonly rowIdColumn: string;
  readonly targetColumn: string;
  readonly targetKind: TargetKind;
  /** Labels waiting for rows never yet seen, at most; beyond it the oldest is orphaned. */
  readonly maxPendingLabels: number;
  /** Windows past a size keep their numerical feature columns as sketches (approximate-window.ts); absent: every window exact. */
  readonly approximate?: ApproximateConfig;
}

export type WindowConfigInput =
  Pick<WindowConfig, 'size' | 'maxOutOfOrderness' | 'allowedLateness' | 'idleTimeout' | 'labelTimeout'>
  & Partial<Omit<WindowConfig, 'size' | 'maxOutOfOrderness' | 'allowedLateness' | 'idleTimeout' | 'labelTimeout'>>;

export const DEFAULT_COLUMNS = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target' } as const;

function nonNegative(name: string, value: number): number {
  if (Number.isNaN(value) || value < 0) throw new Error(`window config: ${name} must be a non-negative number of milliseconds, got ${value}`);
  return value;
}

export function resolveWindowConfig(input: WindowConfigInput): WindowConfig {
  const config: WindowConfig = {
    ...DEFAULT_COLUMNS,
    targetKind: 'number',
    maxPendingLabels: 1_000_000,
    ...input,
  };
  checkWindowSize(config.size);
  nonNegative('maxOutOfOrderness', config.maxOutOfOrderness);
  nonNegative('allowedLateness', config.allowedLateness);
  nonNegative('idleTimeout', config.idleTimeout);
  nonNegative('labelTimeout', config.labelTimeout);
  const names = [config.eventTimeColumn, config.rowIdColumn, config.targetColumn];
  if (new Set(names).size !== 3) throw new Error(`window config: event time, row id and target columns must differ, got ${names.join(', ')}`);
  if (config.targetKind !== 'number' && config.targetKind !== 'string') {
    throw new Error(`window config: targetKind must be "number" or "string", got ${String(config.targetKind)}`);
  }
  if (!Number.isInteger(config.maxPendingLabels) || config.maxPendingLabels < 1) {
    throw new Error(`window config: maxPendingLabels must be a positive integer, got ${config.maxPendingLabels}`);
  }
  if (config.approximate) checkApproximate(config.approximate, names);
  return config;
}

function checkApproximate({ aboveRows, relativeAccuracy, columns }: ApproximateConfig, reserved: readonly string[]): void {
  if (!Number.isInteger(aboveRows) || aboveRows < 1) throw new Error(`window config: approximate.aboveRows must be a whole number of rows ≥ 1, got ${aboveRows}`);
  if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new Error(`window config: approximate.relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`);
  const seen = new Set<string>();
  for (const { name, center } of columns) {
    if (reserved.includes(name)) throw new Error(`window config: approximate column "${name}" is the event time, row id or target column; only numerical features can be sketched`);
    if (seen.has(name)) throw new Error(`window config: approximate column "${name}" is listed twice`);
    if (!Number.isFinite(center)) throw new Error(`window config: approximate column "${name}" needs a finite center, got ${center}`);
    seen.add(name);
  }
}
