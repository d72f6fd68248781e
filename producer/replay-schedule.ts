/**
 * The replay schedule shared by `driftwatch run` (file source) and
 * `driftwatch produce` (Kafka): feature rows in event-time order, and each
 * row's ground truth released `labelDelay` of event time later — the way
 * labels reach a production model after the fact.
 */
import { requireColumn, sliceFrame, takeRows, type Frame } from '../processor/frame.js';

export interface ReplayOptions {
  readonly eventTimeColumn: string;
  /** Keep rows with event time ≥ from (epoch ms). */
  readonly from?: number;
  /** Keep rows with event time < to (epoch ms). */
  readonly to?: number;
  /** Keep at most this many rows (the earliest). */
  readonly limit?: number;
  /** Event time between a row and the moment its label is released (ms). */
  readonly labelDelay: number;
}

export interface ReplayPlan {
  /** The rows to replay, ascending by event time (stable for ties). */
  readonly rows: Frame;
  readonly eventTimes: Float64Array;
  /** Indices into `rows`, ascending by label release time (event time + delay). */
  readonly labelOrder: Int32Array;
  readonly labelDelay: number;
  /** Rows dropped because their event time is missing. */
  readonly missingEventTime: number;
}

export interface ReplayBatch {
  /** Feature rows of this step, in event-time order (all columns of the input). */
  readonly features: Frame;
  /** Indices into plan.rows whose labels are released after this step's rows. */
  readonly labelRows: Int32Array;
  /** The largest event time emitted so far (the replay's clock). */
  readonly streamTime: number;
}

export function planReplay(frame: Frame, options: ReplayOptions): ReplayPlan {
  const column = requireColumn(frame, options.eventTimeColumn);
  if (column.kind === 'string') throw new Error(`event time column "${options.eventTimeColumn}" is text; expected a timestamp`);
  const from = options.from ?? -Infinity;
  const to = options.to ?? Infinity;
  const keep: number[] = [];
  let missingEventTime = 0;
  for (let i = 0; i < frame.rowCount; i++) {
    const t = column.values[i]!;
    if (!Number.isFinite(t)) missingEventTime++;
    else if (t >= from && t < to) keep.push(i);
  }
  keep.sort((a, b) => column.values[a]! - column.values[b]! || a - b);
  const order = options.limit !== undefined ? keep.slice(0, options.limit) : keep;
  const rows = takeRows(frame, order);
  const eventTimes = requireColumn(rows, options.eventTimeColumn).values as Float64Array;
  // Labels keep event-time order when the delay is constant; sorting still
  // defines the contract if the delay ever varies per row.
  const labelOrder = Int32Array.from(order.keys()).sort((a, b) => eventTimes[a]! - eventTimes[b]! || a - b);
  return { rows, eventTimes, labelOrder, labelDelay: options.labelDelay, missingEventTime };
}

/**
 * Batches of at most `batchSize` feature rows; after each batch, the labels
 * whose release time (event time + delay) the stream has reached. A final
 * step with no rows releases every label still held.
 */
export function* replayBatches(plan: ReplayPlan, batchSize: number): Generator<ReplayBatch> {
  if (!(batchSize >= 1)) throw new Error(`batch size must be at least 1, got ${batchSize}`);
  const { eventTimes, labelOrder, labelDelay } = plan;
  let nextLabel = 0;
  let streamTime = -Infinity;
  for (let start = 0; start < plan.rows.rowCount; start += batchSize) {
    const end = Math.min(start + batchSize, plan.rows.rowCount);
    streamTime = Math.max(streamTime, eventTimes[end - 1]!);
    const firstLabel = nextLabel;
    while (nextLabel < labelOrder.length && eventTimes[labelOrder[nextLabel]!]! + labelDelay <= streamTime) nextLabel++;
    yield { features: sliceFrame(plan.rows, start, end), labelRows: labelOrder.subarray(firstLabel, nextLabel), streamTime };
  }
  if (nextLabel < labelOrder.length) {
    yield { features: sliceFrame(plan.rows, 0, 0), labelRows: labelOrder.subarray(nextLabel), streamTime };
  }
}
