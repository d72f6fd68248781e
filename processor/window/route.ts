/**
 * Routing a batch of rows to windows: each row goes to the tumbling window of
 * its event time, to `late` when that window is beyond the allowed lateness
 * (W ≥ windowEnd + allowedLateness, the same instant the window is purged),
 * or to `invalid` when it has no event time or no row id. Two passes over
 * typed arrays, no per-row objects.
 */
import { tumblingWindowStart } from './assigner.js';

export interface WindowRows {
  readonly windowStart: number;
  /** Increasing row indices into the batch. */
  readonly rows: Int32Array;
}

export interface RowRouting {
  /** In order of first appearance in the batch. */
  readonly windows: readonly WindowRows[];
  readonly late: Int32Array;
  readonly invalid: Int32Array;
  /** Largest event time of a valid row (late ones included), −∞ if none. */
  readonly maxEventTime: number;
}

const LATE = -1;
const INVALID = -2;

export function routeRows(
  eventTimes: ArrayLike<number>,
  rowIds: ArrayLike<string | null>,
  bounds: { readonly size: number; readonly allowedLateness: number; readonly watermark: number },
): RowRouting {
  const n = eventTimes.length;
  const { size, allowedLateness, watermark } = bounds;
  const group = new Int32Array(n);
  const starts: number[] = [];
  const counts: number[] = [];
  let lateCount = 0;
  let invalidCount = 0;
  let maxEventTime = -Infinity;
  let lastStart = NaN;
  let lastGroup = -1;
  for (let i = 0; i < n; i++) {
    const eventTime = eventTimes[i]!;
    const rowId = rowIds[i];
    if (!Number.isFinite(eventTime) || rowId === null || rowId === undefined) {
      group[i] = INVALID;
      invalidCount++;
      continue;
    }
    if (eventTime > maxEventTime) maxEventTime = eventTime;
    const start = tumblingWindowStart(eventTime, size);
    if (watermark >= start + size + allowedLateness) {
      group[i] = LATE;
      lateCount++;
      continue;
    }
    if (start !== lastStart) {
      lastStart = start;
      lastGroup = starts.indexOf(start);
      if (lastGroup === -1) {
        lastGroup = starts.length;
        starts.push(start);
        counts.push(0);
      }
    }
    group[i] = lastGroup;
    counts[lastGroup]!++;
  }
  const windows = starts.map((windowStart, g) => ({ windowStart, rows: new Int32Array(counts[g]!) }));
  const late = new Int32Array(lateCount);
  const invalid = new Int32Array(invalidCount);
  const filled = new Int32Array(starts.length);
  let lateAt = 0;
  let invalidAt = 0;
  for (let i = 0; i < n; i++) {
    const g = group[i]!;
    if (g === LATE) late[lateAt++] = i;
    else if (g === INVALID) invalid[invalidAt++] = i;
    else windows[g]!.rows[filled[g]!++] = i;
  }
  return { windows, late, invalid, maxEventTime };
}
