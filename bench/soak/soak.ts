/**
 * Soak run: continuous replay at a fixed rate through the whole stack —
 * produce → `driftwatch process` → `driftwatch sink` → Postgres — for
 * `--minutes` (default 30). The sample (the 20k test split) is replayed in a
 * loop, each pass with its event times shifted past the previous one and its
 * row ids suffixed, so the stream never ends and never repeats a row.
 *
 * Every `--sample-seconds` (30) it records the resident memory of the
 * processor and the sink, the consumer lag of both groups, and the mean
 * window-close latency and windows closed in the interval (the processor's
 * driftwatch_window_close_latency_seconds). At the end: a table, and per
 * series a verdict — flat when the median of the last third of the samples is
 * within `--tolerance` (20 %) of the first third's (series.ts), plus a small absolute
 * slack (lag: two seconds of rows; latency: 50 ms) — samples of the first
 * `--warmup-seconds` (60) left out. Exit 0 when everything is flat, 1 if not.
 *
 * Needs a broker (KAFKA_BROKERS, default 127.0.0.1:19092) and DATABASE_URL
 * (its own schema, dropped at the end). Figures go to bench/out/soak/latest.json.
 *
 *   npm run soak -- --minutes 5
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import type { Admin } from 'kafkajs';
import { loadConfig } from '../../cli/config.js';
import type { Column, Frame } from '../../processor/frame.js';
import { featureLayoutOf } from '../../processor/service/pipeline-config.js';
import { jsonCodec } from '../../producer/codec/json.js';
import { readTable } from '../../producer/io/index.js';
import { createKafka, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { createReplayProducer, replayToKafka } from '../../producer/kafka/replay-producer.js';
import { planReplay } from '../../producer/replay-schedule.js';
import { deleteTopicsWithPrefix, testLogger, uniqueTopicPrefix } from '../../tests/integration/helpers/kafka.js';
import { createTopics, prepareSample, spawnProcessor, type ProcessorChild } from '../../tests/integration/helpers/pipeline-harness.js';
import { residentBytes } from '../../tests/integration/helpers/faults.js';
import { sample as metricSample, spawnSink, waitFor, type SinkProcess } from '../../tests/integration/helpers/sink-process.js';
import { openTestDatabase } from '../../tests/integration/postgres-test-db.js';
import { flatness, groupLag, sumOf, type SoakSample } from './series.js';

const OUT = fileURLToPath(new URL('../out/soak/', import.meta.url));
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '200' },
    'sample-seconds': { type: 'string', default: '30' },
    'warmup-seconds': { type: 'string', default: '60' },
    tolerance: { type: 'string', default: '0.2' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const sampleMs = Number(args['sample-seconds']) * 1000;
const warmupMs = Number(args['warmup-seconds']) * 1000;
const tolerance = Number(args.tolerance);
for (const [name, value] of Object.entries({ minutes, rate, sampleMs, tolerance })) {
  if (!(value > 0)) throw new Error(`--${name}: expected a positive number`);
}
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is not set: the soak stores into a schema of its own there (bash scripts/postgres-local.sh start)');

const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
const settings = kafkaSettingsFromEnv();
const brokers = settings.brokers.join(',');
const kafka = createKafka(settings, testLogger());
const admin: Admin = kafka.admin();
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());

log(`preparing the sample (adapt → reference), ${minutes} min at ${rate} rows/s, samples every ${sampleMs / 1000} s`);
const sample = await prepareSample('soak');
const config = loadConfig(sample.config);
const database = await openTestDatabase();
const databaseUrl = await database.newSchemaUrl();
await admin.connect();
const prefix = uniqueTopicPrefix('soak');
const topics = await createTopics(admin, prefix);
const sink: SinkProcess = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl, brokers, sessionTimeoutMs: 10_000 });
const processor: ProcessorChild = spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers });
const processorUrl = await processor.url;
await waitFor('the processor to be assigned its partitions', async () => processor.stderr().includes('partitions assigned'), 120_000, 100);

const base = await readTable(sample.current);
const layout = featureLayoutOf(config);
const eventTimes = base.columns.get(layout.eventTimeColumn)!.values as Float64Array;
let first = Infinity;
let last = -Infinity;
for (const t of eventTimes) if (Number.isFinite(t)) ((first = Math.min(first, t)), (last = Math.max(last, t)));
const span = last - first + 60_000;

const started = Date.now();
const samples: SoakSample[] = [];
let rowsSent = 0;
const producer = createReplayProducer(kafka);
await producer.connect();
const replay = (async () => {
  for (let pass = 0; !stop.signal.aborted; pass++) {
    const plan = planReplay(shifted(base, pass), { eventTimeColumn: layout.eventTimeColumn, labelDelay: config.window.label_delay });
    const summary = await replayToKafka({
      producer, codec: jsonCodec, plan, layout, targetColumn: config.columns.target, topics, batchSize: 100, rate, signal: stop.signal,
      onProgress: (p) => (rowsSent = pass * base.rowCount + p.rows),
    });
    if (summary.interrupted) return;
  }
})();

let previous = { latencySum: 0, latencyCount: 0 };
const deadline = started + minutes * 60_000;
while (!stop.signal.aborted && Date.now() < deadline) {
  await sleep(Math.min(sampleMs, deadline - Date.now()));
  const text = await (await fetch(`${processorUrl}/metrics`)).text();
  const latencySum = metricSample(text, 'driftwatch_window_close_latency_seconds_sum') ?? 0;
  const latencyCount = metricSample(text, 'driftwatch_window_close_latency_seconds_count') ?? 0;
  const closed = latencyCount - previous.latencyCount;
  const entry: SoakSample = {
    seconds: Math.round((Date.now() - started) / 1000),
    rows: rowsSent,
    processorRssMb: (residentBytes(processor.child.pid!) ?? NaN) / 2 ** 20,
    sinkRssMb: (residentBytes(sink.child.pid!) ?? NaN) / 2 ** 20,
    processorLag: sumOf(text, 'driftwatch_consumer_lag'),
    sinkLag: await groupLag(admin, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]),
    windowsClosed: closed,
    closeLatencyMs: closed > 0 ? ((latencySum - previous.latencySum) / closed) * 1000 : NaN,
  };
  previous = { latencySum, latencyCount };
  samples.push(entry);
  log(JSON.stringify(entry));
  if (processor.child.exitCode !== null || sink.child.exitCode !== null) {
    log(`a service exited (processor ${processor.child.exitCode}, sink ${sink.child.exitCode}); stopping`);
    break;
  }
}
stop.abort();
await replay.catch((error) => log(`replay: ${(error as Error).message}`));

const judged = samples.filter((s) => s.seconds * 1000 >= warmupMs);
const verdicts = [
  flatness('processor RSS (MB)', judged.map((s) => s.processorRssMb), tolerance, 0),
  flatness('sink RSS (MB)', judged.map((s) => s.sinkRssMb), tolerance, 0),
  flatness('processor lag (msgs)', judged.map((s) => s.processorLag), tolerance, 2 * rate),
  flatness('sink lag (msgs)', judged.map((s) => s.sinkLag), tolerance, 2 * rate),
  flatness('window close latency (ms)', judged.map((s) => s.closeLatencyMs), tolerance, 50),
];
const plain = { head: [], border: [] };
const table = new Table({ head: ['t (s)', 'rows sent', 'proc RSS MB', 'sink RSS MB', 'proc lag', 'sink lag', 'window fires', 'close ms'], style: plain });
for (const s of samples) {
  table.push([s.seconds, s.rows, s.processorRssMb.toFixed(1), s.sinkRssMb.toFixed(1), s.processorLag, s.sinkLag, s.windowsClosed,
    Number.isFinite(s.closeLatencyMs) ? s.closeLatencyMs.toFixed(1) : '—']);
}
const verdictTable = new Table({ head: ['series', 'first third (median)', 'last third (median)', 'limit', 'verdict'], style: plain });
for (const v of verdicts) verdictTable.push([v.series, v.first.toFixed(1), v.last.toFixed(1), v.limit.toFixed(1), v.flat ? 'flat' : 'GROWING']);
const flat = verdicts.every((v) => v.flat) && judged.length >= 3;
process.stdout.write(`${table.toString()}\n${verdictTable.toString()}\n`);
process.stdout.write(`soak ${minutes} min at ${rate} rows/s, ${rowsSent} rows: ${flat ? 'FLAT' : 'NOT FLAT'} (last-third median within ${tolerance * 100}% of the first's, after ${warmupMs / 1000} s warm-up)\n`);
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'latest.json'), `${JSON.stringify({ date: new Date().toISOString(), minutes, rate, tolerance, warmupSeconds: warmupMs / 1000, rows: rowsSent, flat, verdicts, samples }, null, 2)}\n`);

processor.child.kill('SIGTERM');
sink.child.kill('SIGTERM');
await Promise.race([Promise.all([processor.exited, sink.exited]), sleep(30_000)]);
processor.child.kill('SIGKILL');
sink.child.kill('SIGKILL');
await producer.disconnect();
await deleteTopicsWithPrefix(admin, prefix).catch(() => undefined);
await admin.disconnect();
await database.close();
await rm(sample.dir, { recursive: true, force: true });
process.exitCode = flat ? 0 : 1;

/** The sample's pass `pass`: event times shifted by pass × span, row ids suffixed with the pass. */
function shifted(frame: Frame, pass: number): Frame {
  if (pass === 0) return frame;
  const columns = new Map<string, Column>(frame.columns);
  const times = frame.columns.get(layout.eventTimeColumn)!.values as Float64Array;
  columns.set(layout.eventTimeColumn, { kind: 'timestamp', values: times.map((t) => t + pass * span) });
  const ids = frame.columns.get(layout.rowIdColumn)!.values as (string | null)[];
  columns.set(layout.rowIdColumn, { kind: 'string', values: ids.map((id) => (id === null ? null : `${id}-${pass}`)) });
  return { rowCount: frame.rowCount, columns };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
