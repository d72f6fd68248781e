/**
 * One consumed batch → Postgres. Window-metrics records are reduced to one per
 * window (the most complete; of equally complete ones the later), since the
 * writer would let the most complete one win anyway; scored rows go in one
 * writePredictions call.
 *
 * Errors split two ways. A data error (SQLSTATE class 22 "data exception" or 23
 * "integrity constraint violation") belongs to one record: it is rejected (to
 * the dead-letter topic) and the rest is written. Anything else — Postgres
 * down, a connection dropped, a timeout, a deadlock — is thrown, and the caller
 * retries the whole batch; every write is an idempotent upsert, so the part
 * written before the failure is simply written again.
 */
import { IntegrityConstraintViolationError, InvalidInputError, type DatabasePool } from 'slonik';
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { compareWindowCompleteness, writePredictions, writeWindow } from '../postgres/writer.js';
import type { SinkRecord } from './decode.js';
import { storeRetrainRequests } from './retrain-records.js';

export interface DecodedMessage {
  readonly offset: string;
  readonly record: SinkRecord;
}

export interface RejectedRecord {
  readonly offset: string;
  readonly reason: string;
}

export interface StoreOutcome {
  /** Windows the writer applied, in offset order. */
  readonly applied: WindowMetrics[];
  /** Window records not applied because Postgres held a more complete state. */
  readonly ignored: number;
  /** Window records dropped because the same batch held a more complete (or later, equal) state of their window. */
  readonly superseded: number;
  readonly predictions: number;
  /** Retrain requests recorded for the first time. */
  readonly retrainRequests: number;
  readonly rejected: RejectedRecord[];
}

export async function storeBatch(pool: DatabasePool, messages: readonly DecodedMessage[]): Promise<StoreOutcome> {
  const windows: { offset: string; metrics: WindowMetrics }[] = [];
  const predictions: { offset: string; record: PredictionRecord }[] = [];
  const retrain: { offset: string; request: RetrainRequest }[] = [];
  for (const { offset, record } of messages) {
    if (record.kind === 'window') windows.push({ offset, metrics: record.metrics });
    else if (record.kind === 'retrain') retrain.push({ offset, request: record.request });
    else predictions.push({ offset, record: record.record });
  }
  const toWrite = mostCompletePerWindow(windows);
  const applied: WindowMetrics[] = [];
  const rejected: RejectedRecord[] = [];
  let ignored = 0;
  for (const { offset, metrics } of toWrite) {
    try {
      if ((await writeWindow(pool, metrics)).applied) applied.push(metrics);
      else ignored++;
    } catch (error) {
      if (!isDataError(error)) throw error;
      rejected.push({ offset, reason: `rejected by Postgres: ${(error as Error).message}` });
    }
  }
  rejected.push(...(await storePredictions(pool, predictions)));
  const requests = await storeRetrainRequests(pool, retrain);
  rejected.push(...requests.rejected);
  return { applied, ignored, superseded: windows.length - toWrite.length, predictions: predictions.length, retrainRequests: requests.inserted, rejected };
}

/** Per (model, windowStart) the most complete record; ties go to the later offset. Offset order kept. */
export function mostCompletePerWindow<T extends { metrics: WindowMetrics }>(windows: readonly T[]): T[] {
  const best = new Map<string, T>();
  for (const item of windows) {
    const key = `${item.metrics.model}\u0000${item.metrics.windowStart}`;
    const held = best.get(key);
    if (!held || compareWindowCompleteness(item.metrics, held.metrics) >= 0) best.set(key, item);
  }
  const kept = new Set(best.values());
  return windows.filter((item) => kept.has(item));
}

/** All rows in one transaction; on a data error, row by row to find the bad ones. */
async function storePredictions(pool: DatabasePool, rows: readonly { offset: string; record: PredictionRecord }[]): Promise<RejectedRecord[]> {
  if (rows.length === 0) return [];
  try {
    await writePredictions(pool, rows.map((r) => r.record));
    return [];
  } catch (error) {
    if (!isDataError(error)) throw error;
  }
  const rejected: RejectedRecord[] = [];
  for (const { offset, record } of rows) {
    try {
      await writePredictions(pool, [record]);
    } catch (error) {
      if (!isDataError(error)) throw error;
      rejected.push({ offset, reason: `rejected by Postgres: ${(error as Error).message}` });
    }
  }
  return rejected;
}

/**
 * The record, not the server, is at fault: SQLSTATE class 22 (data exception)
 * or 23 (integrity constraint violation) anywhere in the cause chain. slonik
 * turns 22P02 (invalid text for a type) into an InvalidInputError that drops
 * the code, and 23xxx into IntegrityConstraintViolationError subclasses;
 * both are recognised by class.
 */
export function isDataError(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 10; e = e.cause as typeof e, depth++) {
    if (e instanceof InvalidInputError || e instanceof IntegrityConstraintViolationError) return true;
    if (typeof e.code === 'string' && /^2[23][0-9A-Z]{3}$/.test(e.code)) return true;
  }
  return false;
}
