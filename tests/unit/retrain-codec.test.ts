/**
 * Retrain requests on the wire (processor/retrain/codec.ts), the topic name,
 * and the `retrain` config section (cli/retrain-config.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { retrainSection, retrainSettingsOf } from '../../cli/retrain-config.js';
import { decodeRetrainRequest, encodeRetrainRequest, retrainMessage, retrainTopicBeside } from '../../processor/retrain/codec.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';

const DAY = 86_400_000;
const START = Date.parse('2026-02-01T00:00:00Z');
const REQUEST: RetrainRequest = {
  model: 'flights-delay',
  episodeStart: START,
  windows: [0, 1, 2].map((n) => ({
    windowStart: START + n * DAY, windowEnd: START + (n + 1) * DAY, shareOfDriftedColumns: 0.5,
    driftedColumns: [{ column: 'month', stattest: 'wasserstein', score: 0.833, threshold: 0.1 }, { column: 'origin', stattest: 'jensenshannon', score: null, threshold: 0.1 }],
  })),
  driftedColumns: ['month', 'origin'],
  consecutiveWindows: 3,
  raisedAt: Date.parse('2026-03-01T10:00:00Z'),
};

test('a request round-trips through its message, keyed by model', () => {
  const message = retrainMessage(REQUEST);
  assert.equal(message.key, 'flights-delay');
  assert.deepEqual(decodeRetrainRequest(message.value as Buffer), REQUEST);
  assert.deepEqual(JSON.parse(encodeRetrainRequest(REQUEST).toString()).windows[0].driftedColumns[1].score, null);
});

test('a malformed request is refused with the field named', () => {
  const broken = (patch: (r: Record<string, any>) => void) => {
    const r = JSON.parse(JSON.stringify(REQUEST));
    patch(r);
    return Buffer.from(JSON.stringify(r));
  };
  assert.throws(() => decodeRetrainRequest(Buffer.from('{"model":')), /^Error: retrain request is not JSON/);
  assert.throws(() => decodeRetrainRequest(Buffer.from('[1]')), /retrain request is not a JSON object/);
  assert.throws(() => decodeRetrainRequest(broken((r) => delete r.model)), /retrain request: "model" is not a non-empty string/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.windows = []))), /"windows" is empty/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.windows[1].windowEnd = r.windows[1].windowStart))), /windows\[1\]: windowEnd is not after windowStart/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.windows[2].windowStart = START))), /windows\[2\] does not start after windows\[1\]/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.windows[0].driftedColumns[0].score = 'high'))), /windows\[0\]\.driftedColumns\[0\]\.score is not a finite number/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.episodeStart = START + DAY))), /"episodeStart" is not the start of its first window/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.consecutiveWindows = 0))), /"consecutiveWindows" is not a whole number ≥ 1/);
  assert.throws(() => decodeRetrainRequest(broken((r) => (r.raisedAt = 1e17))), /"raisedAt" is not a valid time/);
});

test('the topic sits beside window-metrics: <prefix>.retrain', () => {
  assert.equal(retrainTopicBeside('driftwatch.window-metrics'), 'driftwatch.retrain');
  assert.equal(retrainTopicBeside('prod.eu.window-metrics'), 'prod.eu.retrain');
  assert.equal(retrainTopicBeside('metrics-out'), 'metrics-out.retrain');
});

test('config: retrain.consecutive_windows defaults to 3, must be a whole number ≥ 1, no unknown keys', () => {
  assert.deepEqual(retrainSettingsOf({}), { consecutiveWindows: 3 });
  assert.deepEqual(retrainSettingsOf({ retrain: {} }), { consecutiveWindows: 3 });
  assert.deepEqual(retrainSettingsOf({ retrain: { consecutive_windows: 5 } }), { consecutiveWindows: 5 });
  assert.deepEqual(retrainSection.parse(undefined), { consecutive_windows: 3 });
  assert.throws(() => retrainSettingsOf({ retrain: { consecutive_windows: 0 } }), /config retrain\.consecutive_windows: Number must be greater than or equal to 1/);
  assert.throws(() => retrainSettingsOf({ retrain: { consecutive_windows: 1.5 } }), /retrain\.consecutive_windows: Expected integer/);
  assert.throws(() => retrainSettingsOf({ retrain: { windows: 3 } }), /^UsageError: config retrain: Unrecognized key\(s\) in object: 'windows'$/);
});
