/**
 * The health and metrics endpoints over a real HTTP connection on loopback:
 * /healthz always answers, /readyz reflects its checks (and names no address
 * or secret), /metrics carries the latest window's gauges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHealthServer } from '../../sink/http/server.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import type { WindowMetrics } from '../../processor/results.js';

const window: WindowMetrics = {
  model: 'm',
  windowStart: Date.UTC(2026, 0, 1),
  windowEnd: Date.UTC(2026, 0, 2),
  revision: 1,
  rows: 100,
  labelledRows: 40,
  drift: {
    columns: [
      { column: 'a', type: 'numerical', stattest: 'ks', score: 0.01, threshold: 0.05, drift_detected: true, reference_count: 10, current_count: 100 },
      { column: 'b', type: 'categorical', stattest: 'chisquare', score: 0.5, threshold: 0.05, drift_detected: false, reference_count: 10, current_count: 100 },
    ],
    number_of_columns: 2,
    number_of_drifted_columns: 1,
    share_of_drifted_columns: 0.5,
    dataset_drift: true,
    drift_share: 0.5,
  },
  predictionDrift: null,
  targetDrift: null,
  regression: { count: 40, mean_error: 1, error_std: 2, mae: 3, abs_error_std: 4, abs_error_max: 5, rmse: 6, r2: 0.7, mape: 8 },
  classification: null,
  dataQuality: { rows: 100, rows_with_missing: 0, rows_with_missing_share: 0, columns: [] },
};

test('healthz, readyz and metrics over HTTP', async () => {
  const metrics = new PipelineMetrics();
  metrics.recordWindow(window);
  let databaseUp = true;
  const server = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    registry: metrics.registry,
    checks: [{ name: 'postgres', check: async () => databaseUp }],
  });
  try {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    let ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { postgres: 'ok' } });
    databaseUp = false;
    ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { status: 'not ready', checks: { postgres: 'failing' } });
    const text = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(text, /driftwatch_dataset_drift_share\{model="m"\} 0\.5/);
    assert.match(text, /driftwatch_feature_drift_score\{model="m",feature="a",stattest="ks"\} 0\.01/);
    assert.match(text, /driftwatch_model_quality\{model="m",metric="mae"\} 3/);
    assert.match(text, /driftwatch_labelled_share\{model="m"\} 0\.4/);
    assert.match(text, /driftwatch_last_window_end_timestamp_seconds\{model="m"\} 1767312000/);
    assert.equal((await fetch(`${server.url}/anything-else`)).status, 404);
  } finally {
    await server.close();
  }
});

test('a check that hangs counts as not ready after the timeout', async () => {
  const server = await startHealthServer({
    host: '127.0.0.1', port: 0, registry: new PipelineMetrics().registry, checkTimeoutMs: 100,
    checks: [{ name: 'slow', check: () => new Promise<boolean>(() => {}) }],
  });
  try {
    assert.equal((await fetch(`${server.url}/readyz`)).status, 503);
  } finally {
    await server.close();
  }
});

test('per-feature series are capped to keep label sets bounded', async () => {
  const metrics = new PipelineMetrics({ maxFeatureLabels: 1 });
  metrics.recordWindow(window);
  const text = await metrics.registry.getSingleMetricAsString('driftwatch_feature_drift_score');
  assert.deepEqual(text.split('\n').filter((line) => line.startsWith('driftwatch_feature_drift_score{')).length, 1);
});
