/**
 * The processor's results as message bytes and back: WindowMetrics on
 * `<prefix>.window-metrics`, PredictionRecord on `<prefix>.predictions`.
 *
 * Two wire formats, chosen in one place (resultsCodecOf) so the processor
 * that writes and the sink that reads always agree:
 *
 * - JSON (no schema registry). Plain JSON would turn ±Infinity and NaN into
 *   null — a chi-square statistic of +inf (a category unseen in the
 *   reference) would reach Postgres as NULL through Kafka but as Infinity
 *   through `run`. Non-finite numbers of a window are therefore written as the
 *   strings "Infinity", "-Infinity" and "NaN" and read back as numbers; a
 *   string field never holds those values by itself. Predictions are plain
 *   JSON: every field is finite or null (the sink refuses one that is not).
 * - Avro through the deployment's schema-registry codec (schemas/avro/
 *   window-metrics.avsc, predictions.avsc): doubles carry NaN and ±Infinity
 *   as they are.
 *
 * In both, an exact window has no `approximateRelativeAccuracy` (JSON leaves
 * it out, Avro writes null and decodes it absent), so records written before
 * the field existed read as exact windows.
 */
import type { Codec, DecodeOutcome } from '../producer/codec/codec.js';
import { decodeJson } from '../producer/codec/json.js';
import type { TopicNames } from '../producer/kafka/topics.js';
import type { PredictionRecord, WindowMetrics } from './results.js';

const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

export function encodeWindowMetrics(metrics: WindowMetrics): Buffer {
  return Buffer.from(JSON.stringify(metrics, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value)));
}

/** Throws with a clear message when the bytes are not a window-metrics record. */
export function decodeWindowMetrics(bytes: Buffer | string): WindowMetrics {
  return windowMetricsOf(parseWindowMetricsJson(bytes));
}

function parseWindowMetricsJson(bytes: Buffer | string): unknown {
  return JSON.parse(bytes.toString(), (_key, value) => (typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value)) as unknown;
}

/** A decoded value (either wire format) as WindowMetrics; throws naming the first required field it lacks. */
export function windowMetricsOf(value: unknown): WindowMetrics {
  if (!value || typeof value !== 'object') throw new Error('window-metrics record is not an object');
  const record = value as Partial<WindowMetrics>;
  for (const field of ['model', 'windowStart', 'windowEnd', 'revision', 'rows', 'drift', 'dataQuality'] as const) {
    if (record[field] === undefined || record[field] === null) throw new Error(`window-metrics record lacks "${field}"`);
  }
  // Optional: a record without it is an exact window, as every record written before the field was.
  const accuracy: unknown = record.approximateRelativeAccuracy;
  if (accuracy === null) {
    const { approximateRelativeAccuracy: _null, ...exact } = record;
    return exact as WindowMetrics;
  }
  if (accuracy !== undefined && !(typeof accuracy === 'number' && accuracy > 0 && accuracy < 1)) {
    throw new Error(`window-metrics record: "approximateRelativeAccuracy" is not a relative accuracy in (0, 1): ${JSON.stringify(accuracy)}`);
  }
  return record as WindowMetrics;
}

export function encodePrediction(record: PredictionRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** Message key of a window: one window, one key, so a compacted topic keeps its last result. */
export function windowKey(metrics: Pick<WindowMetrics, 'model' | 'windowStart'>): string {
  return `${metrics.model}@${new Date(metrics.windowStart).toISOString()}`;
}

export type ResultKind = 'window-metrics' | 'predictions';

/**
 * The results' wire format. Decoding yields the parsed value per message (or
 * why there is none); checking that it is a storable record is the reader's
 * business. Like Codec.decode, it rejects only when the schema registry
 * cannot be reached — not the message's fault: retry, don't dead-letter.
 */
export interface ResultsCodec {
  readonly format: string;
  encodeWindows(windows: readonly WindowMetrics[]): Promise<Buffer[]>;
  encodePredictions(records: readonly PredictionRecord[]): Promise<Buffer[]>;
  decode(kind: ResultKind, values: readonly (Buffer | null)[]): Promise<DecodeOutcome[]>;
}

/**
 * The results codec that goes with the features/targets codec of the
 * deployment (producer/codec/factory.ts codecFromEnv): Avro with the
 * registry when that codec is Avro, this file's JSON otherwise.
 */
export function resultsCodecOf(codec: Codec, topics: Pick<TopicNames, ResultKind>): ResultsCodec {
  if (codec.format === 'avro') {
    return {
      format: codec.format,
      encodeWindows: (windows) => codec.encode(topics['window-metrics'], windows),
      encodePredictions: (records) => codec.encode(topics.predictions, records),
      decode: (kind, values) => codec.decode(topics[kind], values),
    };
  }
  return jsonResultsCodec;
}

export const jsonResultsCodec: ResultsCodec = {
  format: 'json',
  async encodeWindows(windows) {
    return windows.map(encodeWindowMetrics);
  },
  async encodePredictions(records) {
    return records.map(encodePrediction);
  },
  async decode(kind, values) {
    if (kind === 'predictions') return values.map(decodeJson);
    return values.map((value): DecodeOutcome => {
      if (value === null || value.length === 0) return { error: 'empty message value' };
      try {
        return { value: parseWindowMetricsJson(value) };
      } catch (error) {
        return { error: `not JSON: ${(error as Error).message}` };
      }
    });
  },
};
