/**
 * Message bytes → the records the sink stores. A message that does not decode
 * throws an Error whose message is the reason (it goes into the dead-letter
 * record's header), so one bad message never stops the stream.
 *
 * The bytes are JSON or Avro (processor/results-codec.ts picks, as for the
 * processor); the checks below run on the decoded value either way.
 *
 * A window-metrics record is also mapped to its table rows here (the mapping
 * the writer does), so a record that could never be stored — a column listed
 * twice, a timestamp that is not finite — is caught before any database work
 * and cannot hold the partition up in a retry loop.
 */
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { decodeRetrainOutcomes } from './retrain-records.js';
import { decodeWindowMetrics, windowMetricsOf, type ResultsCodec } from '../../processor/results-codec.js';
import { columnDriftTuples, dataQualityTuples, isoTimestamp, modelQualityTuples } from '../postgres/window-rows.js';

export type SinkRecord =
  | { readonly kind: 'window'; readonly metrics: WindowMetrics }
  | { readonly kind: 'prediction'; readonly record: PredictionRecord }
  | { readonly kind: 'retrain'; readonly request: RetrainRequest };

export type SinkTopicRole = SinkRecord['kind'];

export function decodeSinkRecord(role: SinkTopicRole, value: Buffer | null): SinkRecord {
  if (value === null || value.length === 0) throw new Error('empty message (no value)');
  return role === 'window'
    ? { kind: 'window', metrics: decodeStorableWindow(value) }
    : { kind: 'prediction', record: decodePredictionRecord(value) };
}

/** What decoding one message gave: a record to store, or why it cannot be stored. */
export type SinkDecodeOutcome = { readonly record: SinkRecord; readonly reason?: undefined } | { readonly reason: string };

/**
 * A batch of one topic's values, decoded with the results codec and checked.
 * Rejects only when the codec does (the schema registry cannot be reached):
 * the caller retries the batch rather than dead-letter it.
 */
export async function decodeSinkBatch(role: SinkTopicRole, values: readonly (Buffer | null)[], results: ResultsCodec): Promise<SinkDecodeOutcome[]> {
  if (role === 'retrain') return decodeRetrainOutcomes(values);
  const outcomes = await results.decode(role === 'window' ? 'window-metrics' : 'predictions', values);
  return outcomes.map((outcome): SinkDecodeOutcome => {
    if (outcome.error !== undefined) return { reason: outcome.error };
    try {
      return { record: sinkRecordOf(role, outcome.value) };
    } catch (error) {
      return { reason: (error as Error).message };
    }
  });
}

/** A decoded value as the record to store; throws naming what is wrong. */
export function sinkRecordOf(role: SinkTopicRole, value: unknown): SinkRecord {
  return role === 'window'
    ? { kind: 'window', metrics: storableWindow(windowMetricsOf(value)) }
    : { kind: 'prediction', record: predictionRecordOf(value) };
}

export function decodeStorableWindow(value: Buffer): WindowMetrics {
  return storableWindow(decodeWindowMetrics(value));
}

function storableWindow(metrics: WindowMetrics): WindowMetrics {
  if (typeof metrics.model !== 'string' || metrics.model === '') throw new Error('window-metrics record: "model" is not a non-empty string');
  for (const field of ['windowStart', 'windowEnd', 'revision', 'rows', 'labelledRows'] as const) {
    if (typeof metrics[field] !== 'number' || !Number.isFinite(metrics[field])) {
      throw new Error(`window-metrics record: "${field}" is not a finite number`);
    }
  }
  if (!Number.isInteger(metrics.revision) || metrics.revision < 1) throw new Error(`window-metrics record: revision ${metrics.revision} is not an integer ≥ 1`);
  if (!(metrics.windowEnd > metrics.windowStart)) throw new Error('window-metrics record: windowEnd is not after windowStart');
  if (!Array.isArray(metrics.drift.columns) || !Array.isArray(metrics.dataQuality.columns)) {
    throw new Error('window-metrics record: drift.columns or dataQuality.columns is not a list');
  }
  isoTimestamp(metrics.windowStart, 'windowStart');
  columnDriftTuples(metrics);
  modelQualityTuples(metrics);
  dataQualityTuples(metrics);
  return metrics;
}

/** One JSON object per PredictionRecord (the processor's `<prefix>.predictions` format). */
export function decodePredictionRecord(value: Buffer): PredictionRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    throw new Error(`prediction record is not JSON: ${(error as Error).message}`);
  }
  return predictionRecordOf(parsed);
}

function predictionRecordOf(parsed: unknown): PredictionRecord {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('prediction record is not a JSON object');
  const r = parsed as Record<string, unknown>;
  const text = (field: string) => {
    if (typeof r[field] !== 'string' || r[field] === '') throw new Error(`prediction record: "${field}" is not a non-empty string`);
    return r[field] as string;
  };
  const finite = (field: string) => {
    if (typeof r[field] !== 'number' || !Number.isFinite(r[field])) throw new Error(`prediction record: "${field}" is not a finite number`);
    return r[field] as number;
  };
  const record: PredictionRecord = {
    model: text('model'),
    rowId: text('rowId'),
    eventTime: finite('eventTime'),
    windowStart: finite('windowStart'),
    prediction: finite('prediction'),
    label: r.label === null || r.label === undefined ? null : text('label'),
    target: r.target === null || r.target === undefined ? null : finite('target'),
  };
  isoTimestamp(record.eventTime, 'eventTime');
  isoTimestamp(record.windowStart, 'windowStart');
  return record;
}
