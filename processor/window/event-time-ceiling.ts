/**
 * The far-future guard: a feature row whose event time lies more than
 * `maxAhead` past the newest event time accepted so far, on any partition,
 * is refused before it reaches the windows.
 *
 * Why: a partition's watermark is its largest event time seen. One row from a
 * clock in the wrong unit or a typo'd year would lift that partition past
 * every real window, and the features/labels alignment (label-progress.ts)
 * would hold the partition behind it until the labels reach the year 2400.
 * Refusing it (to the dead-letter topic, with the bound in the reason) keeps
 * both the watermark and the partition moving.
 *
 * Measured from the newest row, not from the watermark: while a backlog is
 * caught up, some partitions are read days ahead of others and the watermark
 * (the minimum) trails far behind rows that are perfectly sound. Before the
 * first accepted row there is nothing to measure against and every row passes.
 */
import type { Frame } from '../frame.js';
import { requireColumn, takeRows } from '../frame.js';
import type { DecodedBatch, RawMessage } from '../../producer/codec/decode-batch.js';
import { EVENT_TIME_FIELD } from '../../producer/codec/records.js';

/** The largest event time accepted after `newestEventTime`; +∞ when there is no bound or no row yet. */
export function eventTimeCeiling(newestEventTime: number, maxAhead: number): number {
  if (!Number.isFinite(newestEventTime) || !Number.isFinite(maxAhead)) return Infinity;
  return newestEventTime + maxAhead;
}

/**
 * Moves the rows of `decoded` whose event time is above `ceiling` to its
 * invalid messages, with a reason that names the bound. Returns the batch
 * unchanged (the same object) when every row is within it.
 */
export function refuseBeyondCeiling<M extends RawMessage>(
  decoded: DecodedBatch<M>,
  messages: readonly M[],
  eventTimeColumn: string,
  ceiling: number,
): DecodedBatch<M> {
  if (ceiling === Infinity || decoded.frame.rowCount === 0) return decoded;
  const eventTimes = requireColumn(decoded.frame, eventTimeColumn).values as Float64Array;
  const kept: number[] = [];
  const refused: number[] = [];
  for (let row = 0; row < decoded.frame.rowCount; row++) (eventTimes[row]! > ceiling ? refused : kept).push(row);
  if (refused.length === 0) return decoded;
  const byOffset = new Map(messages.map((m) => [Number(m.offset), m]));
  const invalid = [...decoded.invalid];
  for (const row of refused) {
    const message = byOffset.get(decoded.offsets[row]!)!;
    invalid.push({ message, reason: tooFarAheadReason(eventTimes[row]!, ceiling) });
  }
  // The dead-letter step skips what lies past a held-back cut by offset, so keep message order.
  invalid.sort((a, b) => Number(a.message.offset) - Number(b.message.offset));
  const frame: Frame = takeRows(decoded.frame, kept);
  return { frame, offsets: Float64Array.from(kept, (row) => decoded.offsets[row]!), invalid };
}

/** Worded like the decoder's field problems ("must be …"), so the dead-letter counter files it as invalid-field. */
export function tooFarAheadReason(eventTime: number, ceiling: number): string {
  return `field "${EVENT_TIME_FIELD}" must be at most ${iso(ceiling)} (newest event time accepted + ingest.max_event_time_ahead), ` +
    `got number ${eventTime} (${iso(eventTime)}): too far in the future`;
}

function iso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
