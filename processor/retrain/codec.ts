/**
 * Retrain requests as `<prefix>.retrain` messages: JSON (every number in a
 * request is finite or null), keyed by model so one model's requests stay in
 * order on one partition. The decoder checks every field, so the sink sends a
 * malformed message to the dead-letter topic with the reason instead of
 * storing half a request.
 */
import type { Message } from 'kafkajs';
import type { DriftedColumn, EpisodeWindow, RetrainRequest } from './request.js';

/** `<prefix>.retrain`: beside `<prefix>.window-metrics` (TopicNames has no retrain role yet). */
export function retrainTopicBeside(windowMetricsTopic: string): string {
  const suffix = '.window-metrics';
  return windowMetricsTopic.endsWith(suffix) ? `${windowMetricsTopic.slice(0, -suffix.length)}.retrain` : `${windowMetricsTopic}.retrain`;
}

export function encodeRetrainRequest(request: RetrainRequest): Buffer {
  return Buffer.from(JSON.stringify(request));
}

export function retrainMessage(request: RetrainRequest): Message {
  return { key: request.model, value: encodeRetrainRequest(request) };
}

/** Throws an Error naming the first field that is wrong. */
export function decodeRetrainRequest(value: Buffer | string): RetrainRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch (error) {
    throw new Error(`retrain request is not JSON: ${(error as Error).message}`);
  }
  const r = objectAt(parsed, 'retrain request');
  const windows = arrayAt(r.windows, 'retrain request: "windows"').map((w, i) => episodeWindow(w, `retrain request: windows[${i}]`));
  if (windows.length === 0) throw new Error('retrain request: "windows" is empty');
  for (let i = 1; i < windows.length; i++) {
    if (!(windows[i]!.windowStart > windows[i - 1]!.windowStart)) throw new Error(`retrain request: windows[${i}] does not start after windows[${i - 1}]`);
  }
  const request: RetrainRequest = {
    model: text(r.model, 'retrain request: "model"'),
    episodeStart: timestamp(r.episodeStart, 'retrain request: "episodeStart"'),
    windows,
    driftedColumns: arrayAt(r.driftedColumns, 'retrain request: "driftedColumns"').map((c, i) => text(c, `retrain request: driftedColumns[${i}]`)),
    consecutiveWindows: wholeNumber(r.consecutiveWindows, 'retrain request: "consecutiveWindows"'),
    raisedAt: timestamp(r.raisedAt, 'retrain request: "raisedAt"'),
  };
  if (request.episodeStart !== windows[0]!.windowStart) throw new Error('retrain request: "episodeStart" is not the start of its first window');
  return request;
}

function episodeWindow(value: unknown, where: string): EpisodeWindow {
  const w = objectAt(value, where);
  const window: EpisodeWindow = {
    windowStart: timestamp(w.windowStart, `${where}.windowStart`),
    windowEnd: timestamp(w.windowEnd, `${where}.windowEnd`),
    shareOfDriftedColumns: finite(w.shareOfDriftedColumns, `${where}.shareOfDriftedColumns`),
    driftedColumns: arrayAt(w.driftedColumns, `${where}.driftedColumns`).map((c, i) => driftedColumn(c, `${where}.driftedColumns[${i}]`)),
  };
  if (!(window.windowEnd > window.windowStart)) throw new Error(`${where}: windowEnd is not after windowStart`);
  return window;
}

function driftedColumn(value: unknown, where: string): DriftedColumn {
  const c = objectAt(value, where);
  return {
    column: text(c.column, `${where}.column`),
    stattest: text(c.stattest, `${where}.stattest`),
    score: c.score === null ? null : finite(c.score, `${where}.score`),
    threshold: finite(c.threshold, `${where}.threshold`),
  };
}

function objectAt(value: unknown, where: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} is not a JSON object`);
  return value as Record<string, unknown>;
}

function arrayAt(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where} is not a non-empty string`);
  return value;
}

function finite(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${where} is not a finite number`);
  return value;
}

function wholeNumber(value: unknown, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`${where} is not a whole number ≥ 1`);
  return value as number;
}

/** Epoch ms that Postgres' timestamptz and Date can both hold. */
function timestamp(value: unknown, where: string): number {
  const ms = finite(value, where);
  if (Number.isNaN(new Date(ms).getTime()) || Math.abs(ms) > 8.64e15) throw new Error(`${where} is not a valid time`);
  return ms;
}
