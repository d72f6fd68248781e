/**
 * The `<prefix>.window-partials` topic: what processor instances tell the
 * merge step. Three kinds of message, told apart by a header:
 *
 * - partial: one source partition's share of one window (its rows with
 *   predictions and the labels joined so far), keyed by window so every
 *   share of a window lands on the same partition. The value is the window
 *   accumulator's wire form (processor/window/accumulator-codec.ts); the
 *   headers say which window, which source partition, and how complete it is
 *   (rows, labelled rows) so the merge can keep the most complete share
 *   without decoding the others. An approximate window's share also has
 *   its sketched columns (window/sketched-column.ts) in a header; the value
 *   then holds only its exact columns.
 * - watermark: a source partition's event-time watermark and whether it is
 *   idle. Broadcast to every partition of the topic, so each merge partition
 *   sees every source's progress in order with the partials it holds (a
 *   source's partial for a window is always before the watermark that
 *   passes that window's end, on the same partition).
 * - closed: the merge step fired a window for the last time and dropped it;
 *   a merge that re-reads the topic after a restart drops the window's
 *   earlier partials instead of firing them again.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { Frame } from '../frame.js';
import { windowKey } from '../results-codec.js';
import type { AccumulatorSchema } from '../window/accumulator-codec.js';
import { encodeWindowFrame } from '../window/approximate-window.js';
import { SketchedColumn } from '../window/sketched-column.js';

export const PARTIALS_ROLE = 'window-partials';
export const KIND_HEADER = 'driftwatch-partial-kind';
const SKETCHES_HEADER = 'driftwatch-sketches';

export interface PartialHeader {
  readonly model: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly sourcePartition: number;
  readonly rows: number;
  readonly labelledRows: number;
  /** The source's window is purged: no later share of it will come from there. */
  readonly final: boolean;
}

export interface SourceWatermark {
  readonly sourcePartition: number;
  /** Event time (ms); −∞ before the first row, +∞ once the partition ended. */
  readonly watermark: number;
  readonly idle: boolean;
}

export type PartialsMessage =
  | { readonly kind: 'partial'; readonly header: PartialHeader; readonly value: Buffer; readonly sketches: string | null }
  | { readonly kind: 'watermark'; readonly progress: SourceWatermark }
  | { readonly kind: 'closed'; readonly model: string; readonly windowStart: number };

/** The partials topic of a deployment, next to its other topics. */
export function partialsTopicOf(topicPrefix: string): string {
  return `${topicPrefix}.${PARTIALS_ROLE}`;
}

/** The key every message about one window carries (the window-metrics key). */
export function partialKey(model: string, windowStart: number): string {
  return windowKey({ model, windowStart });
}

/**
 * A fired window's frame (canonical order, target column last, as
 * WindowOperator hands it out) as a partial message: the frame's columns
 * become the accumulator's stored columns, no copy. `sketches`: an
 * approximate window's sketched columns.
 */
export function partialMessage(
  header: PartialHeader,
  schema: AccumulatorSchema,
  frame: Frame,
  duplicates: number,
  sketches?: ReadonlyMap<string, SketchedColumn>,
): Message {
  let value: string;
  try {
    value = encodeWindowFrame(schema, frame, duplicates);
  } catch (error) {
    throw new Error(`partial of window ${header.windowStart}: ${(error as Error).message}`);
  }
  return {
    key: partialKey(header.model, header.windowStart),
    value: Buffer.from(value),
    headers: {
      [KIND_HEADER]: 'partial',
      'driftwatch-model': header.model,
      'driftwatch-window-start': String(header.windowStart),
      'driftwatch-window-end': String(header.windowEnd),
      'driftwatch-source-partition': String(header.sourcePartition),
      'driftwatch-rows': String(header.rows),
      'driftwatch-labelled-rows': String(header.labelledRows),
      'driftwatch-final': header.final ? '1' : '0',
      ...(sketches ? { [SKETCHES_HEADER]: SketchedColumn.encode(sketches) } : {}),
    },
  };
}

/** One watermark message per partition of the partials topic. */
export function watermarkMessages(progress: SourceWatermark, partialsPartitions: number): Message[] {
  const headers: IHeaders = {
    [KIND_HEADER]: 'watermark',
    'driftwatch-source-partition': String(progress.sourcePartition),
    'driftwatch-watermark': String(progress.watermark),
    'driftwatch-idle': progress.idle ? '1' : '0',
  };
  return Array.from({ length: partialsPartitions }, (_, partition) => ({ partition, key: null, value: Buffer.alloc(0), headers }));
}

/** Sent to the partition that held the window (the one its key hashes to). */
export function closedMessage(model: string, windowStart: number): Message {
  return {
    key: partialKey(model, windowStart),
    value: Buffer.alloc(0),
    headers: { [KIND_HEADER]: 'closed', 'driftwatch-model': model, 'driftwatch-window-start': String(windowStart) },
  };
}

/** Throws a message naming the offset and the field when the message is not one of ours. */
export function decodePartialsMessage(message: KafkaMessage): PartialsMessage {
  const where = `window-partials message at offset ${message.offset}`;
  const header = (name: string): string => {
    const raw = message.headers?.[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === null) throw new Error(`${where}: header "${name}" is missing`);
    return value.toString();
  };
  const number = (name: string): number => {
    const value = Number(header(name));
    if (Number.isNaN(value)) throw new Error(`${where}: header "${name}" is not a number`);
    return value;
  };
  const kind = header(KIND_HEADER);
  if (kind === 'watermark') {
    return { kind, progress: { sourcePartition: number('driftwatch-source-partition'), watermark: number('driftwatch-watermark'), idle: header('driftwatch-idle') === '1' } };
  }
  if (kind === 'closed') return { kind, model: header('driftwatch-model'), windowStart: number('driftwatch-window-start') };
  if (kind !== 'partial') throw new Error(`${where}: unknown kind "${kind}"`);
  if (!message.value || message.value.length === 0) throw new Error(`${where}: partial without a value`);
  const sketches = message.headers?.[SKETCHES_HEADER];
  return {
    kind,
    value: message.value,
    sketches: sketches === undefined ? null : (Array.isArray(sketches) ? sketches[0]! : sketches).toString(),
    header: {
      model: header('driftwatch-model'),
      windowStart: number('driftwatch-window-start'),
      windowEnd: number('driftwatch-window-end'),
      sourcePartition: number('driftwatch-source-partition'),
      rows: number('driftwatch-rows'),
      labelledRows: number('driftwatch-labelled-rows'),
      final: header('driftwatch-final') === '1',
    },
  };
}
