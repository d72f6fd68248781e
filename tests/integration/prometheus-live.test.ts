/**
 * A real Prometheus (Debian's `prometheus`) scraping a real `driftwatch
 * process` and `driftwatch sink` on loopback while a drifted replay runs:
 *
 *   produce (flights test split, paced) → process (:free port) → sink (:free port) → Postgres
 *                                          └──────── scraped every 1 s ─────────┘  → Prometheus
 *
 * Asserted through Prometheus' HTTP API: the sink's latest-window gauges
 * (driftwatch_dataset_drift_share, driftwatch_feature_drift_score per feature)
 * equal what Postgres holds for the last window (max window_start), and the
 * retrain alert DatasetDriftPersistent fires. Asserted in Postgres and Kafka:
 * the drift episode (every window of the test split drifts from train: month,
 * origin, destination) gives exactly one retrain request, whose windows and
 * scores are the episode's first three rows of dataset_drift / column_drift.
 *
 * The Prometheus config is prometheus/prometheus.yml as shipped, with only
 * what a test must change: scrape and evaluation every 1 s, target files
 * naming the two free ports, no Alertmanager and no self-scrape, and a test
 * copy of the rules. In that copy every `for:` is TEST_FOR (3 s) instead of
 * 1–2 h: the shipped durations stand for window lengths (W = 1 h) and a replay
 * closes a day-window every second or so; the expressions and every range
 * selector stay as shipped, so `driftwatch:window_closed_recently:bool`
 * ([90m]) keeps holding after the replay ends.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { sql } from 'slonik';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { decodeRetrainRequest, retrainTopicBeside } from '../../processor/retrain/codec.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { findOnPath, freeLoopbackPort, startPrometheus, type PrometheusServer } from '../../prometheus/testing/prometheus-binaries.js';
import { PROMETHEUS_DIR, ruleFiles } from '../../prometheus/testing/known-metrics.js';
import { createPool, type DatabasePool } from '../../sink/postgres/index.js';
import { consumeAll, deleteTopicsWithPrefix, findTestBroker, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import { makeTempDir, openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const NAME = 'Prometheus scraping a live processor and sink';
const TEST_FOR = '3s';
const MODEL = 'flights-test';
/** Rows per second of the replay: the 20,000 rows take ~10 s, so windows close over several scrapes. */
const REPLAY_RATE = 2000;

const lookup = await findTestBroker();
const prometheusBinary = findOnPath('prometheus');
const noPrometheus = 'prometheus is not on PATH: install Debian\'s "prometheus" package (apt-get install -y prometheus)';

if ('fail' in lookup) test(`${NAME}: a Kafka broker`, () => assert.fail(lookup.fail));
else if (!prometheusBinary && process.env.CI) test(`${NAME}: prometheus`, () => assert.fail(`${noPrometheus}; .ci/run must install it`));
else if ('skip' in lookup) test(NAME, { skip: lookup.skip }, () => {});
else if (!prometheusBinary) test(NAME, { skip: noPrometheus }, () => {});
else describe(NAME, () => suite(lookup.broker, prometheusBinary));

interface LastWindow {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly share: number;
  readonly scores: ReadonlyMap<string, { score: number; stattest: string }>;
}

function suite(broker: TestBroker, binary: string): void {
  let admin: Admin;
  let database: TestDatabase;
  let pool: DatabasePool;
  let sampleDir: string | undefined;
  let promDir: string | undefined;
  let prefix: string;
  let topics: TopicNames;
  let sink: SinkProcess | undefined;
  let processor: harness.ProcessorChild | undefined;
  let prometheus: PrometheusServer | undefined;
  const timings: Record<string, number> = {};

  before(async () => {
    const started = Date.now();
    const sample = await harness.prepareSample('prometheus-live');
    sampleDir = sample.dir;
    database = await openTestDatabase();
    const databaseUrl = await database.newSchemaUrl();
    pool = await createPool(databaseUrl);
    admin = broker.kafka.admin();
    await admin.connect();
    prefix = uniqueTopicPrefix('prom');
    topics = await harness.createTopics(admin, prefix);
    const brokers = broker.settings.brokers.join(',');

    sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl, brokers, sessionTimeoutMs: 6000 });
    const processorPort = await freeLoopbackPort();
    processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers, extra: ['--port', String(processorPort)] });
    await waitFor('the processor\'s health server', () => processor!.url, 60_000);
    await waitFor('the sink\'s /healthz', async () => (await fetch(`${sink!.healthUrl}/healthz`)).ok, 60_000);

    promDir = await makeTempDir('driftwatch-prometheus-live-');
    const configFile = writePrometheusConfig(promDir, { processor: `127.0.0.1:${processorPort}`, sink: new URL(sink.healthUrl).host });
    prometheus = await startPrometheus(binary, { configFile, storageDir: join(promDir, 'data') });
    await waitFor('both targets up', async () => {
      const up = await prometheus!.query('up{job=~"driftwatch-.*"} == 1');
      return up.result.length === 2;
    }, 30_000, 500);
    timings.setup = Date.now() - started;

    const replayStarted = Date.now();
    await harness.produce(sample, prefix, { rate: REPLAY_RATE });
    await harness.endStreams(broker.kafka, admin, topics);
    const exit = await waitFor('the processor to finish the stream and exit', async () => {
      const code = processor!.child.exitCode;
      return code === null ? undefined : { code };
    }, 120_000, 500);
    assert.equal(exit.code, 0, `the processor failed:\n${processor.stderr().slice(-3000)}`);
    await waitFor('the sink to commit every window, prediction and retrain request', () =>
      harness.groupCaughtUp(admin, `${prefix}.sink`, [topics['window-metrics'], topics.predictions, retrainTopicBeside(topics['window-metrics'])]), 120_000, 500);
    timings.replay = Date.now() - replayStarted;
  }, { timeout: 300_000 });

  after(async () => {
    console.log(`# prometheus-live timings (ms): ${JSON.stringify(timings)}`);
    await prometheus?.stop();
    for (const child of [sink?.child, processor?.child]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
    }
    if (admin) {
      await deleteTopicsWithPrefix(admin, prefix).catch((error) => console.log(`# ${(error as Error).message}`));
      await admin.disconnect();
    }
    await pool?.end();
    await database?.close();
    for (const dir of [sampleDir, promDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the drift gauges in Prometheus carry the values Postgres holds for the last window', async () => {
    const last = await lastWindow(pool);
    assert.equal(last.scores.size, 6, 'six features in the last window');
    const started = Date.now();
    // The last write may have landed after the latest scrape: wait (bounded) until
    // Prometheus holds the scrape that shows the last window, by its end time.
    await waitFor('a scrape of the sink showing the last window', async () => {
      const end = await instantValues(prometheus!, `driftwatch_last_window_end_timestamp_seconds{job="driftwatch-sink", model="${MODEL}"}`);
      return end.length === 1 && end[0]!.value === last.windowEnd / 1000;
    }, 20_000, 500).catch(async (error) => {
      const now = await instantValues(prometheus!, 'driftwatch_last_window_end_timestamp_seconds');
      throw new Error(`${(error as Error).message}; Postgres: ${last.windowEnd / 1000}, Prometheus: ${JSON.stringify(now)}`);
    });
    timings.gaugeVisible = Date.now() - started;
    const share = await instantValues(prometheus!, `driftwatch_dataset_drift_share{job="driftwatch-sink", model="${MODEL}"}`);
    assert.deepEqual(share.map((s) => s.value), [last.share], 'driftwatch_dataset_drift_share');

    const features = await instantValues(prometheus!, `driftwatch_feature_drift_score{job="driftwatch-sink", model="${MODEL}"}`);
    const byFeature = new Map(features.map((s) => [s.labels.feature!, s]));
    assert.deepEqual([...byFeature.keys()].sort(), [...last.scores.keys()].sort(), 'one series per feature of the window');
    for (const [feature, expected] of last.scores) {
      const series = byFeature.get(feature)!;
      assert.equal(series.value, expected.score, `driftwatch_feature_drift_score of ${feature}`);
      assert.equal(series.labels.stattest, expected.stattest, `stattest label of ${feature}`);
    }
    const drift = await instantValues(prometheus!, `driftwatch_dataset_drift{job="driftwatch-sink", model="${MODEL}"}`);
    const stored = await pool.oneFirst(sql.unsafe`SELECT dataset_drift FROM dataset_drift WHERE window_start = to_timestamp(${last.windowStart / 1000})`);
    assert.deepEqual(drift.map((s) => s.value), [stored ? 1 : 0]);
  });

  test('the drifted replay makes DatasetDriftPersistent fire, labelled for a retrain', async () => {
    const started = Date.now();
    const alert = await waitFor('DatasetDriftPersistent firing', async () => {
      const alerts = await activeAlerts(prometheus!);
      return alerts.find((a) => a.labels.alertname === 'DatasetDriftPersistent' && a.labels.model === MODEL && a.state === 'firing');
    }, 60_000, 500).catch(async (error) => {
      throw new Error(`${(error as Error).message}; active alerts: ${JSON.stringify(await activeAlerts(prometheus!))}`);
    });
    timings.alertFiring = Date.now() - started;
    assert.equal(alert.labels.retrain, 'true');
    assert.equal(alert.labels.severity, 'critical');
  });

  test('the episode gives one retrain request: one message on <prefix>.retrain, one row in Postgres, matching the windows', async () => {
    // The episodes Postgres implies: runs of ≥ 3 consecutive drifted windows (window_start order).
    const windows = await pool.any(sql.type(windowDriftRow)`
      SELECT (extract(epoch FROM window_start) * 1000)::float8 AS window_start, dataset_drift
      FROM dataset_drift WHERE model = ${MODEL} ORDER BY window_start`);
    const runs: number[][] = [];
    let run: number[] = [];
    for (const w of windows) {
      if (w.dataset_drift) run.push(w.window_start);
      else run = [];
      if (run.length === 3) runs.push([...run]);
    }
    assert.equal(windows.every((w) => w.dataset_drift), true, 'every window of the test split drifts from train');
    assert.equal(runs.length, 1, 'one episode');
    const episode = runs[0]!;

    const retrainTopic = retrainTopicBeside(topics['window-metrics']);
    const messages = await consumeAll(broker.kafka, { [retrainTopic]: 1 }, { timeoutMs: 30_000, settleMs: 2000 });
    assert.equal(messages.length, 1, 'exactly one message on the retrain topic (re-fires of the episode\'s windows raise nothing)');
    assert.equal(messages[0]!.key, MODEL);
    const request = decodeRetrainRequest(messages[0]!.value!);
    assert.equal(request.model, MODEL);
    assert.equal(request.consecutiveWindows, 3);
    assert.deepEqual(request.windows.map((w) => w.windowStart), episode);

    // Its drifted columns and scores are those Postgres holds for the same windows.
    for (const window of request.windows) {
      const stored = await pool.any(sql.type(columnDriftRow)`
        SELECT column_name, stattest, score, threshold FROM column_drift
        WHERE model = ${MODEL} AND kind = 'feature' AND drift_detected
          AND window_start = to_timestamp(${window.windowStart / 1000}) ORDER BY column_name`);
      assert.deepEqual(
        [...window.driftedColumns].sort((a, b) => (a.column < b.column ? -1 : 1)),
        stored.map((r) => ({ column: r.column_name, stattest: r.stattest, score: r.score, threshold: r.threshold })),
        `drifted columns of the window at ${new Date(window.windowStart).toISOString()}`,
      );
    }

    const rows = await pool.any(sql.unsafe`
      SELECT model, (extract(epoch FROM episode_start) * 1000)::float8 AS episode_start, window_count, drifted_columns,
             (extract(epoch FROM raised_at) * 1000)::float8 AS raised_at
      FROM retrain_requests`);
    assert.equal(rows.length, 1, 'one retrain_requests row');
    assert.deepEqual(rows[0], {
      model: MODEL, episode_start: episode[0], window_count: 3, drifted_columns: request.driftedColumns, raised_at: request.raisedAt,
    });
  });
}

const windowDriftRow = z.object({ window_start: z.number(), dataset_drift: z.boolean() });
const columnDriftRow = z.object({ column_name: z.string(), stattest: z.string(), score: z.number(), threshold: z.number() });

/** prometheus/prometheus.yml and a test copy of the rules in `dir`, aimed at the two ports (see the header). */
function writePrometheusConfig(dir: string, targets: { processor: string; sink: string }): string {
  const config = parseYaml(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as Record<string, any>;
  config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  delete config.alerting;
  config.scrape_configs = (config.scrape_configs as { job_name: string }[]).filter((job) => job.job_name.startsWith('driftwatch-'));
  assert.deepEqual(config.scrape_configs.map((job: { job_name: string }) => job.job_name), ['driftwatch-processor', 'driftwatch-sink']);
  config.rule_files = ['rules/*.rules.yml'];
  mkdirSync(join(dir, 'targets'), { recursive: true });
  mkdirSync(join(dir, 'rules'), { recursive: true });
  writeFileSync(join(dir, 'targets', 'processor.yml'), stringifyYaml([{ targets: [targets.processor], labels: { component: 'processor' } }]));
  writeFileSync(join(dir, 'targets', 'sink.yml'), stringifyYaml([{ targets: [targets.sink], labels: { component: 'sink' } }]));
  for (const file of ruleFiles()) {
    const rules = parseYaml(readFileSync(file, 'utf8')) as { groups: { rules: { for?: string }[] }[] };
    for (const group of rules.groups) for (const rule of group.rules) if (rule.for !== undefined) rule.for = TEST_FOR;
    writeFileSync(join(dir, 'rules', file.split('/').at(-1)!), stringifyYaml(rules));
  }
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, stringifyYaml(config));
  return path;
}

/** The last window of MODEL in Postgres: its drift share and per-feature scores. */
async function lastWindow(pool: DatabasePool): Promise<LastWindow> {
  const head = await pool.one(sql.type(z.object({ window_start: z.number(), window_end: z.number(), share: z.number() }))`
    SELECT (extract(epoch FROM d.window_start) * 1000)::float8 AS window_start,
           (extract(epoch FROM w.window_end) * 1000)::float8 AS window_end, d.share_of_drifted_columns AS share
    FROM dataset_drift d JOIN windows w USING (model, window_start)
    WHERE d.model = ${MODEL} ORDER BY d.window_start DESC LIMIT 1`);
  const columns = await pool.any(sql.type(columnDriftRow.pick({ column_name: true, stattest: true, score: true }))`
    SELECT column_name, stattest, score FROM column_drift
    WHERE model = ${MODEL} AND kind = 'feature' AND window_start = to_timestamp(${head.window_start / 1000})`);
  return { windowStart: head.window_start, windowEnd: head.window_end, share: head.share, scores: new Map(columns.map((c) => [c.column_name, { score: c.score, stattest: c.stattest }])) };
}

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

async function instantValues(prometheus: PrometheusServer, expr: string): Promise<Sample[]> {
  const data = await prometheus.query(expr);
  assert.equal(data.resultType, 'vector', expr);
  return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

interface Alert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
}

async function activeAlerts(prometheus: PrometheusServer): Promise<Alert[]> {
  const response = await fetch(`${prometheus.url}/api/v1/alerts`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; data: { alerts: Alert[] } };
  assert.equal(body.status, 'success');
  return body.data.alerts;
}
