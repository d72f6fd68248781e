/**
 * The Prometheus side, checked by Debian's promtool (apt-get install prometheus)
 * and amtool (apt-get install prometheus-alertmanager):
 * the scrape config and rule files are valid, every alert rule's unit tests in
 * prometheus/tests/ pass, and what PipelineMetrics exports after a window
 * passes `promtool check metrics`. Also: every driftwatch metric the rules
 * read is one that some driftwatch process exports (a typo in a rule would
 * otherwise just never fire).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WindowMetrics } from '../../processor/results.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import { describeRun, requireTool, runTool } from '../../prometheus/testing/prometheus-binaries.js';
import { EXPORTED_ELSEWHERE, PROMETHEUS_DIR, driftwatchNamesIn, pipelineMetricNames, ruleFiles, rulesOf } from '../../prometheus/testing/known-metrics.js';

const RULE_FILES = ruleFiles();
const RULE_TEST_FILES = readdirSync(join(PROMETHEUS_DIR, 'tests')).filter((f) => f.endsWith('.test.yml')).map((f) => join(PROMETHEUS_DIR, 'tests', f));

test('promtool check config accepts prometheus/prometheus.yml and its target files', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const args = ['check', 'config', join(PROMETHEUS_DIR, 'prometheus.yml')];
  const run = runTool(promtool, args);
  assert.equal(run.code, 0, describeRun(promtool, args, run));
  assert.match(run.stdout, /SUCCESS: 1 rule files found/, 'the config loads the rule file');
  assert.doesNotMatch(run.stdout + run.stderr, /WARNING/, describeRun(promtool, args, run));
});

test('promtool check rules accepts every rule file', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  assert.ok(RULE_FILES.length > 0, 'no prometheus/rules/*.rules.yml');
  const args = ['check', 'rules', ...RULE_FILES];
  const run = runTool(promtool, args);
  assert.equal(run.code, 0, describeRun(promtool, args, run));
});

test('promtool test rules: every alert rule has passing unit tests', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  assert.ok(RULE_TEST_FILES.length > 0, 'no prometheus/tests/*.test.yml');
  const args = ['test', 'rules', ...RULE_TEST_FILES];
  const run = runTool(promtool, args, { timeoutMs: 120_000 });
  assert.equal(run.code, 0, describeRun(promtool, args, run));
  assert.equal(run.stdout.match(/SUCCESS/g)?.length, RULE_TEST_FILES.length, describeRun(promtool, args, run));

  const alertNames = RULE_FILES.flatMap((file) => rulesOf(file).flatMap((rule) => (rule.alert ? [rule.alert] : [])));
  const testText = RULE_TEST_FILES.map((file) => readFileSync(file, 'utf8')).join('\n');
  for (const alert of alertNames) {
    // Firing: an exp_alerts entry right after `alertname: X`; not firing: `exp_alerts: []`.
    assert.match(testText, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `no firing test of ${alert}`);
    assert.match(testText, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts: \\[\\]`), `no not-firing test of ${alert}`);
  }
  const retrain = RULE_FILES.flatMap(rulesOf).filter((rule) => rule.labels?.retrain === 'true').map((rule) => rule.alert);
  assert.deepEqual(retrain, ['DatasetDriftPersistent'], 'exactly the persistent-drift alert asks for a retrain');
});

test('the exported metrics of a window pass promtool check metrics', async (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const text = await sampleMetricsText();
  // The sample really is in the text, so the lint below saw populated series.
  assert.match(text, /^driftwatch_dataset_drift\{model="churn"\} 1$/m);
  assert.match(text, /^driftwatch_feature_drift_score\{model="churn",feature="age",stattest="ks"\} 0.0123$/m);
  assert.match(text, /^driftwatch_model_quality\{model="price",metric="rmse"\} 23$/m);
  const args = ['check', 'metrics'];
  const run = runTool(promtool, args, { input: text });
  assert.equal(run.code, 0, describeRun(promtool, args, run));
  assert.equal((run.stdout + run.stderr).trim(), '', describeRun(promtool, args, run));
});

test('promtool check metrics does flag a badly named metric (the lint above is live)', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const bad = '# HELP driftwatch_rows_total Rows\n# TYPE driftwatch_rows_total gauge\ndriftwatch_rows_total 3\n';
  const run = runTool(promtool, ['check', 'metrics'], { input: bad });
  assert.notEqual(run.code, 0);
  assert.match(run.stdout + run.stderr, /non-counter metrics should not have "_total" suffix/);
});

test('every driftwatch metric the rules read is exported by a driftwatch process', () => {
  const exported = pipelineMetricNames();
  const read = new Set(RULE_FILES.flatMap(rulesOf).flatMap((rule) => driftwatchNamesIn(rule.expr)).filter((name) => !name.includes(':')));
  assert.ok(read.size >= 8, `expected the rules to read the driftwatch metrics, found ${[...read].join(', ')}`);
  const unknown = [...read].filter((name) => !exported.has(name) && !EXPORTED_ELSEWHERE.has(name));
  assert.deepEqual(unknown, [], 'rules read metrics nobody exports');
});

test('amtool accepts the Alertmanager example and routes retrain alerts to the retrain webhook', (t) => {
  const amtool = requireTool(t, 'amtool');
  if (!amtool) return;
  const config = join(PROMETHEUS_DIR, 'alertmanager.example.yml');
  const check = runTool(amtool, ['check-config', config]);
  assert.equal(check.code, 0, describeRun(amtool, ['check-config', config], check));
  const receiversOf = (...labels: string[]) => {
    const args = ['config', 'routes', 'test', `--config.file=${config}`, ...labels];
    const run = runTool(amtool, args);
    assert.equal(run.code, 0, describeRun(amtool, args, run));
    return run.stdout.trim();
  };
  assert.equal(receiversOf('alertname=DatasetDriftPersistent', 'retrain=true', 'model=churn'), 'retrain-webhook,on-call');
  assert.equal(receiversOf('alertname=PipelineStalled', 'model=churn'), 'on-call');
});

/** PipelineMetrics after one classification and one regression window, as /metrics would serve it. */
async function sampleMetricsText(): Promise<string> {
  const metrics = new PipelineMetrics({ maxFeatureLabels: 10 });
  metrics.recordWindow(sampleWindow('churn'));
  metrics.recordWindow({ ...sampleWindow('price'), classification: null, regression: {
    count: 90, mean_error: -0.5, error_std: 22.9, mae: 15.25, abs_error_std: 17.1, abs_error_max: 80, rmse: 23, r2: 0.61, mape: 0.12,
  } });
  metrics.rowsProcessed.inc({ model: 'churn' }, 120);
  metrics.lateRows.inc({ model: 'churn' }, 4);
  metrics.inferenceDuration.observe({ model: 'churn' }, 0.012);
  metrics.windowCloseLatency.observe({ model: 'churn' }, 0.4);
  return metrics.registry.metrics();
}

function sampleWindow(model: string): WindowMetrics {
  const start = Date.UTC(2024, 2, 1, 10);
  return {
    model, windowStart: start, windowEnd: start + 3_600_000, revision: 1, rows: 120, labelledRows: 90,
    drift: {
      columns: [
        { column: 'age', type: 'numerical', stattest: 'ks', score: 0.0123, threshold: 0.05, drift_detected: true, statistic: 0.41, reference_count: 500, current_count: 120 },
        { column: 'city', type: 'categorical', stattest: 'chisquare', score: 0.2, threshold: 0.05, drift_detected: false, statistic: 3.1, reference_count: 500, current_count: 118 },
      ],
      number_of_columns: 2, number_of_drifted_columns: 1, share_of_drifted_columns: 0.5, dataset_drift: true, drift_share: 0.5,
    },
    predictionDrift: { column: 'prediction', type: 'numerical', stattest: 'wasserstein', score: 0.07, threshold: 0.1, drift_detected: false, reference_count: 500, current_count: 120 },
    targetDrift: null,
    regression: null,
    classification: {
      count: 90, accuracy: 0.81, precision: 0.7, recall: 0.64, f1: 0.67, roc_auc: 0.85, log_loss: 0.43,
      labels: ['0', '1'], confusion_matrix: [[50, 9], [8, 23]],
    },
    dataQuality: { rows: 120, rows_with_missing: 2, rows_with_missing_share: 2 / 120, columns: [] },
  };
}
