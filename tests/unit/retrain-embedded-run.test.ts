/**
 * `driftwatch run` raises retrain requests (processor/embedded-run.ts): hourly
 * windows of one feature, some shifted far from the reference (KS p-value
 * ≈ 0, drifted) and some drawn like it (p-value ≈ 1), replayed through the
 * real pipeline with a stand-in model. The expected episodes follow from the
 * shifted hours alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema, type Config } from '../../cli/config.js';
import { numericalProfile } from '../../processor/drift/profile.js';
import { runEmbedded } from '../../processor/embedded-run.js';
import type { Column, Frame } from '../../processor/frame.js';
import type { ModelRunner } from '../../processor/model/types.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-02-01T00:00:00Z');
const ROWS_PER_HOUR = 40;
/** Hours whose x is shifted by +1000: two episodes, of three and of two windows. */
const SHIFTED = new Set([1, 2, 3, 5, 6]);

function rows(): Frame {
  const eventTimes: number[] = [];
  const ids: string[] = [];
  const xs: number[] = [];
  for (let hour = 0; hour < 8; hour++) {
    for (let i = 0; i < ROWS_PER_HOUR; i++) {
      eventTimes.push(T0 + hour * HOUR + i * 60_000);
      ids.push(`r${hour}-${i}`);
      xs.push((i * 2.5) + (SHIFTED.has(hour) ? 1000 : 0));
    }
  }
  const columns = new Map<string, Column>([
    ['event_time', { kind: 'timestamp', values: Float64Array.from(eventTimes) }],
    ['row_id', { kind: 'string', values: ids }],
    ['x', { kind: 'number', values: Float64Array.from(xs) }],
    ['y', { kind: 'number', values: Float64Array.from(xs, () => 1) }],
  ]);
  return { rowCount: ids.length, columns };
}

const model: ModelRunner = {
  name: 'stand-in', task: 'regression', inputColumns: ['x'],
  async predict(frame) {
    return { prediction: new Float64Array(frame.rowCount) };
  },
  async close() {},
};

function config(consecutiveWindows: number): Config {
  const parsed = configSchema.parse({
    model: { name: 'm', path: 'model.onnx', task: 'regression' },
    features: { numerical: ['x'] },
    columns: { target: 'y' },
    reference: { path: 'reference' },
    data: { current: ['current.parquet'] },
    window: { size: '1h', max_out_of_orderness: 0, idle_timeout: '1m' },
  });
  // The `retrain` section as cli/config.ts will accept it (read by cli/retrain-config.ts).
  return { ...parsed, retrain: { consecutive_windows: consecutiveWindows } } as Config;
}

async function replay(consecutiveWindows: number) {
  const stored: RetrainRequest[] = [];
  const reference = new Map([['x', numericalProfile(Float64Array.from({ length: 100 }, (_, i) => i))]]);
  const summary = await runEmbedded({
    config: config(consecutiveWindows), model, reference, current: rows(), metrics: new PipelineMetrics(),
    sink: {
      async writeWindow() {},
      async writeRetrainRequest(request) {
        stored.push(request);
      },
    },
  });
  return { stored, summary };
}

test('run: three shifted hours in a row raise one request with those windows; two in a row do not', async () => {
  const { stored, summary } = await replay(3);
  assert.equal(summary.windows, 8);
  assert.equal(summary.driftedWindows, SHIFTED.size);
  assert.equal(summary.retrainRequests, 1);
  assert.equal(stored.length, 1);
  assert.equal(stored[0]!.model, 'm');
  assert.deepEqual(stored[0]!.windows.map((w) => w.windowStart), [1, 2, 3].map((h) => T0 + h * HOUR));
  assert.deepEqual(stored[0]!.driftedColumns, ['x']);
  for (const window of stored[0]!.windows) {
    assert.equal(window.driftedColumns[0]!.stattest, 'ks');
    assert.ok(window.driftedColumns[0]!.score! < 1e-10, `KS p-value of a shifted hour: ${window.driftedColumns[0]!.score}`);
  }
});

test('run: retrain.consecutive_windows 2 raises one request per episode', async () => {
  const { stored } = await replay(2);
  assert.deepEqual(stored.map((r) => r.episodeStart), [T0 + 1 * HOUR, T0 + 5 * HOUR]);
  assert.deepEqual(stored.map((r) => r.windows.length), [2, 2]);
});
