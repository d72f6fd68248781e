/**
 * The health server exposes /healthz, /readyz and /metrics and nothing else,
 * and none of them leaks a secret: readiness names its checks and their state
 * only, even when a check fails with an error quoting the database URL; every
 * other path or method is refused without echoing config or environment; and
 * /metrics carries no label value taken from the data (row ids, URLs, class
 * labels, category values). Requests go over real HTTP on loopback, raw
 * (node:http) so paths like /metrics/../ reach the server unnormalised.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHealthServer, type HealthServer } from '../../sink/http/server.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import { deadLetterKind } from '../../processor/service/output-messages.js';
import type { WindowMetrics } from '../../processor/results.js';

const PASSWORD = 'pa55-Secret-7f3a9c';
const DATABASE_URL = `postgres://driftwatch_writer:${PASSWORD}@db.internal.example:5432/driftwatch`;
const ROW_ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** A window whose data is full of row ids and URLs: none of it may become a label. */
const window: WindowMetrics = {
  model: 'churn',
  windowStart: Date.UTC(2026, 0, 1),
  windowEnd: Date.UTC(2026, 0, 2),
  revision: 2,
  rows: 10,
  labelledRows: 10,
  drift: {
    columns: [
      { column: 'plan', type: 'categorical', stattest: 'chisquare', score: 0.2, threshold: 0.05, drift_detected: false, reference_count: 50, current_count: 10 },
      { column: 'age', type: 'numerical', stattest: 'ks', score: null, threshold: 0.05, drift_detected: false, reference_count: 50, current_count: 0,
        error: `column "age" is empty in window of row ${ROW_ID} from ${DATABASE_URL}` },
    ],
    number_of_columns: 2, number_of_drifted_columns: 0, share_of_drifted_columns: 0, dataset_drift: false, drift_share: 0.5,
  },
  predictionDrift: { column: 'prediction', type: 'categorical', stattest: 'jensenshannon', score: 0.1, threshold: 0.1, drift_detected: true, reference_count: 50, current_count: 10 },
  targetDrift: null,
  regression: null,
  classification: {
    count: 10, accuracy: 0.9, precision: 1, recall: 0.8, f1: 0.888, roc_auc: null, log_loss: null,
    labels: [ROW_ID, 'https://example.com/label?token=abc'], confusion_matrix: [[5, 0], [1, 4]],
  },
  dataQuality: {
    rows: 10, rows_with_missing: 1, rows_with_missing_share: 0.1,
    columns: [{ column: 'plan', missing_count: 1, missing_share: 0.1, out_of_range_count: null, out_of_range_share: null,
      unseen_count: 2, unseen_values: [ROW_ID, 'http://user:pw@evil.example/'], type_violations: 0 }],
  },
};

let server: HealthServer;
let metrics: PipelineMetrics;

before(async () => {
  metrics = new PipelineMetrics({ defaultMetrics: true });
  metrics.recordWindow(window);
  metrics.dlqMessages.inc({ reason: deadLetterKind(`field "row_id" must be a string (row ${ROW_ID}, from ${DATABASE_URL})`) });
  metrics.dlqMessages.inc({ reason: deadLetterKind(`not JSON: ${DATABASE_URL}`) });
  server = await startHealthServer({
    host: '127.0.0.1', port: 0, registry: metrics.registry, checkTimeoutMs: 500,
    checks: [
      { name: 'postgres', check: async () => { throw new Error(`connect ECONNREFUSED ${DATABASE_URL}`); } },
      { name: 'kafka', check: () => Promise.reject(Object.assign(new Error('SASL failed'), { password: PASSWORD, url: DATABASE_URL })) },
      { name: 'registry', check: async () => true },
    ],
  });
});

after(async () => {
  await server?.close();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(method: string, path: string): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Nothing secret, nothing about the host or the code: no URL, password, path on disk or stack trace. */
function assertNothingLeaks(response: RawResponse, what: string): void {
  const text = `${JSON.stringify(response.headers)}\n${response.body}`;
  for (const needle of [PASSWORD, 'db.internal.example', 'postgres://', process.cwd(), 'node_modules', 'DATABASE_URL', 'KAFKA_']) {
    assert.ok(!text.includes(needle), `${what}: response contains ${JSON.stringify(needle)}: ${text.slice(0, 300)}`);
  }
  assert.doesNotMatch(response.body, /\n\s+at .+:\d+:\d+/, `${what}: stack trace in the response`);
  assert.equal(response.headers['x-powered-by'], undefined, `${what}: x-powered-by header`);
}

test('/readyz names its checks and their state only, even when a check throws with the URL in its error', async () => {
  const response = await raw('GET', '/readyz');
  assert.equal(response.status, 503);
  assert.deepEqual(JSON.parse(response.body), {
    status: 'not ready',
    checks: { postgres: 'failing', kafka: 'failing', registry: 'ok' },
  });
  assertNothingLeaks(response, 'GET /readyz');
  // A query string changes nothing: no verbose mode to switch on.
  for (const path of ['/readyz?verbose=1', '/readyz?debug=true&full=1', '/healthz?verbose=1']) {
    const other = await raw('GET', path);
    assert.ok(other.status === 503 || other.status === 200, `${path}: ${other.status}`);
    assert.deepEqual(Object.keys(JSON.parse(other.body)).sort(), path.startsWith('/readyz') ? ['checks', 'status'] : ['status'], path);
    assertNothingLeaks(other, `GET ${path}`);
  }
});

test('every other path and method is refused (404/405, or 400 for a malformed request) without leaking', async () => {
  const probes: [string, string][] = [
    ['GET', '/'], ['GET', '/debug'], ['GET', '/debug/pprof'], ['GET', '/metrics/../'], ['GET', '/metrics/../readyz/..'],
    ['GET', '/%2e%2e/%2e%2e/etc/passwd'], ['GET', '/.env'], ['GET', '/env'], ['GET', '/config'], ['GET', '/status'],
    ['GET', '/documentation/json'], ['GET', '/healthz/'], ['GET', '/metrics/'], ['GET', '/READYZ'], ['GET', '/%'],
    ['OPTIONS', '/readyz'], ['OPTIONS', '/metrics'], ['OPTIONS', '*'], ['POST', '/metrics'], ['POST', '/readyz'],
    ['PUT', '/healthz'], ['DELETE', '/metrics'], ['PATCH', '/readyz'], ['TRACE', '/'],
  ];
  for (const [method, path] of probes) {
    const response = await raw(method, path);
    assert.ok([400, 404, 405].includes(response.status), `${method} ${path}: status ${response.status} ${response.body.slice(0, 200)}`);
    assertNothingLeaks(response, `${method} ${path}`);
  }
});

test('/healthz and /metrics answer, and no metric label carries a row id or a URL from the data', async () => {
  const health = await raw('GET', '/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(JSON.parse(health.body), { status: 'ok' });

  const response = await raw('GET', '/metrics');
  assert.equal(response.status, 200);
  assertNothingLeaks(response, 'GET /metrics');
  // The window was recorded: the scrape is not vacuously clean.
  assert.match(response.body, /driftwatch_feature_drift_score\{model="churn",feature="plan",stattest="chisquare"\} 0\.2/);
  assert.match(response.body, /driftwatch_dlq_messages_total\{reason="invalid-field"\} 1/);
  const labelValues = [...response.body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => ({ label: m[1]!, value: m[2]! }));
  assert.ok(labelValues.length > 10, 'the scrape has labelled series');
  for (const { label, value } of labelValues) {
    assert.doesNotMatch(value, UUID, `label ${label}="${value}" looks like a row id`);
    assert.doesNotMatch(value, /:\/\/|^https?:|@/, `label ${label}="${value}" looks like a URL`);
  }
  assert.ok(!response.body.includes('example.com') && !response.body.includes('evil.example'), 'a data value reached /metrics');
});
