/**
 * Synthetic flights-like rows for the memory and sketch benches: the six
 * columns the flights regressor reads (hour, weekday, month, distance, origin,
 * destination) plus four more (dep_delay_prev, temperature, load_factor,
 * carrier), so 7 numerical and 3 categorical features with realistic
 * cardinalities (24, 7, 12, ~1,500 distinct distances, continuous floats;
 * ~230 airports, 15 carriers).
 *
 * Strings are made the way a decoder makes them (Buffer → latin1 string, one
 * fresh string object per value), not shared literals, so the window pays
 * what it pays for decoded Kafka records. Deterministic per seed.
 */
import type { Column, Frame } from '../../processor/frame.js';
import { seededRandom } from '../../tests/seeded-random.js';

export { seededRandom };

export const NUMERICAL_FEATURES = ['hour', 'weekday', 'month', 'distance', 'dep_delay_prev', 'temperature', 'load_factor'] as const;
export const CATEGORICAL_FEATURES = ['origin', 'destination', 'carrier'] as const;
export const TARGET = 'delay';

const AIRPORTS = 230;
const CARRIERS = 15;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Zipf-like rank in [0, n): a few big hubs, a long tail. */
function skewedRank(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(n * random() ** 2.5));
}

const scratch = Buffer.alloc(36);

function code(rank: number, letters: number): string {
  for (let i = letters - 1; i >= 0; i--) {
    scratch[i] = 65 + (rank % 26);
    rank = Math.floor(rank / 26);
  }
  return scratch.toString('latin1', 0, letters);
}

const HEX = '0123456789abcdef';
function uuidLike(random: () => number): string {
  for (let i = 0; i < 36; i++) {
    scratch[i] = i === 8 || i === 13 || i === 18 || i === 23 ? 45 : HEX.charCodeAt(Math.floor(random() * 16));
  }
  return scratch.toString('latin1', 0, 36);
}

export interface SyntheticOptions {
  readonly rows: number;
  readonly seed: number;
  /** Event time of the first row (ms) and the gap between rows (ms). */
  readonly startTime: number;
  readonly stepMs: number;
  /** Shift of the numerical distributions (in their std), for drifting current data. */
  readonly shift?: number;
  /** Include the target column (reference data does; features from Kafka do not). */
  readonly withTarget?: boolean;
}

/** One frame of synthetic rows: features, event_time, row_id and optionally the target. */
export function syntheticFrame(options: SyntheticOptions): Frame {
  const { rows, startTime, stepMs } = options;
  const shift = options.shift ?? 0;
  const random = seededRandom(options.seed);
  const numbers = NUMERICAL_FEATURES.map(() => new Float64Array(rows));
  const texts = CATEGORICAL_FEATURES.map(() => new Array<string | null>(rows));
  const eventTime = new Float64Array(rows);
  const rowId = new Array<string | null>(rows);
  const target = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const [hour, weekday, month, distance, prevDelay, temperature, load] = numbers as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    hour[i] = Math.min(23, Math.max(0, Math.round(13 + 4.5 * normal(random) + shift * 2)));
    weekday[i] = Math.floor(random() * 7);
    month[i] = 1 + Math.floor(random() * 12);
    distance[i] = Math.round(Math.min(2800, 80 + Math.exp(6.3 + 0.7 * normal(random) + shift * 0.2)));
    prevDelay[i] = 8 + 25 * normal(random) + shift * 10;
    temperature[i] = 15 + 9 * normal(random) + shift * 3;
    load[i] = 0.4 + 0.6 * random();
    texts[0]![i] = code(skewedRank(random, AIRPORTS), 3);
    texts[1]![i] = code(skewedRank(random, AIRPORTS), 3);
    texts[2]![i] = code(skewedRank(random, CARRIERS), 2);
    eventTime[i] = startTime + i * stepMs;
    rowId[i] = uuidLike(random);
    target[i] = Math.round(0.3 * prevDelay[i]! + 20 * normal(random));
  }
  const columns = new Map<string, Column>();
  NUMERICAL_FEATURES.forEach((name, j) => columns.set(name, { kind: 'number', values: numbers[j]! }));
  CATEGORICAL_FEATURES.forEach((name, j) => columns.set(name, { kind: 'string', values: texts[j]! }));
  columns.set('event_time', { kind: 'timestamp', values: eventTime });
  columns.set('row_id', { kind: 'string', values: rowId });
  if (options.withTarget) columns.set(TARGET, { kind: 'number', values: target });
  return { rowCount: rows, columns };
}

/** Feature specs of the ten synthetic features, for drift. */
export function syntheticFeatureSpecs(): { name: string; type: 'numerical' | 'categorical' }[] {
  return [
    ...NUMERICAL_FEATURES.map((name) => ({ name, type: 'numerical' as const })),
    ...CATEGORICAL_FEATURES.map((name) => ({ name, type: 'categorical' as const })),
  ];
}
