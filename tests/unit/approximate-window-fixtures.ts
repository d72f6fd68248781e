/**
 * A seeded window for the approximate-mode tests: a continuous numerical
 * feature x (with NaN, ±inf and values outside the reference range), a
 * low-cardinality numerical k, a categorical c, the prediction, and targets
 * for every third row; fed through the window operator with or without
 * `window.approximate`, and finalized by computeWindowMetrics.
 */
import { profileReference, type ColumnSpec } from '../../processor/drift/compare.js';
import type { Column, Frame } from '../../processor/frame.js';
import type { ApproximateConfig } from '../../processor/window/approximate-window.js';
import { WindowOperator, type FireEvent } from '../../processor/window/window-operator.js';
import { medianOf } from '../../processor/drift/approx/window-sketch.js';
import { computeWindowMetrics, type MonitorSpec, type ReferenceProfiles } from '../../processor/window-metrics.js';
import type { WindowMetrics } from '../../processor/results.js';
import { seededRandom as random } from '../seeded-random.js';
export { random };

export const DAY = 86_400_000;

function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next());
}

const CATEGORIES = ['north', 'south', 'east', 'west'];

export const features: ColumnSpec[] = [
  { name: 'x', type: 'numerical' },
  { name: 'k', type: 'numerical' },
  { name: 'c', type: 'categorical' },
];

export const spec: MonitorSpec = {
  model: 'm',
  task: 'regression',
  features,
  predictionColumn: 'prediction',
  targetColumn: 'target',
  drift: { perType: { numerical: { stattest: 'wasserstein' } } },
};

/** Rows with event times in [0, DAY); `shift` moves x's mean (in reference stds). */
export function rows(n: number, seed: number, shift = 0, idPrefix = 'r'): Frame {
  const next = random(seed);
  const x = new Float64Array(n);
  const k = new Float64Array(n);
  const prediction = new Float64Array(n);
  const c: (string | null)[] = [];
  const times = new Float64Array(n);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    x[i] = 40 + 10 * (normal(next) + shift);
    k[i] = Math.floor(next() * 24);
    c.push(next() < 0.02 ? null : CATEGORIES[Math.floor(next() * (shift ? 4 : 3))]!);
    prediction[i] = 3 + 0.1 * x[i]! + normal(next);
    times[i] = Math.floor(next() * DAY);
    ids.push(`${idPrefix}${i}`);
  }
  // Missing, infinite and out-of-range values, and a missing k on a row where x is present.
  for (let i = 5; i < n; i += 97) x[i] = NaN;
  for (let i = 11; i < n; i += 331) x[i] = i % 2 ? Infinity : -Infinity;
  for (let i = 17; i < n; i += 89) k[i] = NaN;
  const columns = new Map<string, Column>([
    ['event_time', { kind: 'timestamp', values: times }],
    ['row_id', { kind: 'string', values: ids }],
    ['x', { kind: 'number', values: x }],
    ['k', { kind: 'number', values: k }],
    ['c', { kind: 'string', values: c }],
    ['prediction', { kind: 'number', values: prediction }],
  ]);
  return { rowCount: n, columns };
}

/** Reference profiles of x, k, c, the prediction and the target (= prediction + noise). */
export function referenceOf(n = 5000): ReferenceProfiles {
  const frame = rows(n, 99);
  const next = random(7);
  const prediction = frame.columns.get('prediction')!.values as Float64Array;
  const columns = new Map(frame.columns);
  columns.set('target', { kind: 'number', values: prediction.map((p) => p + normal(next)) });
  return profileReference({ rowCount: n, columns }, [...features, { name: 'prediction', type: 'numerical' }, { name: 'target', type: 'numerical' }]);
}

export function approximateOf(reference: ReferenceProfiles, aboveRows: number, relativeAccuracy = 0.005): ApproximateConfig {
  return {
    aboveRows,
    relativeAccuracy,
    columns: ['x', 'k'].map((name) => {
      const profile = reference.get(name)!;
      return { name, center: medianOf(profile), referenceMin: profile.type === 'numerical' ? profile.min : NaN, referenceMax: profile.type === 'numerical' ? profile.max : NaN };
    }),
  };
}

export const windowSettings = { size: DAY, maxOutOfOrderness: 0, allowedLateness: 0, idleTimeout: 60_000, labelTimeout: DAY };

/** Targets for every third row of `frame`: prediction + noise that depends only on the row, so any split of the rows labels them alike. */
export function targetsOf(frame: Frame): { ids: string[]; values: number[]; times: number[] } {
  const ids = frame.columns.get('row_id')!.values as string[];
  const prediction = frame.columns.get('prediction')!.values as Float64Array;
  const times = frame.columns.get('event_time')!.values as Float64Array;
  const out = { ids: [] as string[], values: [] as number[], times: [] as number[] };
  for (let i = 0; i < frame.rowCount; i++) {
    if (Number(ids[i]!.slice(1)) % 3 !== 0) continue;
    out.ids.push(ids[i]!);
    out.values.push(prediction[i]! + 1.5 * Math.sin(prediction[i]! * 1000));
    out.times.push(times[i]!);
  }
  return out;
}

/** The batches of `frame`, `batch` rows each, through one operator on one partition, with targets; the final fire. */
export function fire(frame: Frame, approximate: ApproximateConfig | undefined, batch = 700, partition = 0): FireEvent {
  const operator = new WindowOperator({ ...windowSettings, ...(approximate ? { approximate } : {}) });
  operator.assignPartitions([partition], 0);
  for (let start = 0; start < frame.rowCount; start += batch) {
    operator.addRecords(partition, sliceRows(frame, start, Math.min(frame.rowCount, start + batch)), { now: 0 });
  }
  const targets = targetsOf(frame);
  operator.addTargets(partition, targets.ids, targets.values, { eventTimes: targets.times });
  const { fires } = operator.finish();
  if (fires.length !== 1) throw new Error(`expected one fire, got ${fires.length}`);
  return fires[0]!;
}

export function metricsOf(event: FireEvent, reference: ReferenceProfiles): WindowMetrics {
  return computeWindowMetrics(event, reference, spec);
}

export function sliceRows(frame: Frame, start: number, end: number): Frame {
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) columns.set(name, { kind: column.kind, values: column.values.slice(start, end) } as Column);
  return { rowCount: end - start, columns };
}

/** Rows at `indices` of `frame`. */
export function pickRows(frame: Frame, keep: (i: number) => boolean): Frame {
  const indices = Array.from({ length: frame.rowCount }, (_, i) => i).filter(keep);
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) {
    const values = column.kind === 'string' ? indices.map((i) => column.values[i]!) : Float64Array.from(indices, (i) => column.values[i]!);
    columns.set(name, { kind: column.kind, values } as Column);
  }
  return { rowCount: indices.length, columns };
}
