/**
 * `driftwatch produce` against a real broker (see helpers/kafka.ts): a small
 * processed file built by hand here is replayed, both topics are read back
 * with a plain kafkajs consumer, and every expectation is computed from the
 * hand-built rows — never from the producer's own output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin } from 'kafkajs';
import { runProduce, type ProduceCommandOptions } from '../../cli/commands/produce.js';
import { UsageError } from '../../cli/errors.js';
import { frameOf, sliceFrame, type Frame } from '../../processor/frame.js';
import { decodeFeatureBatch, decodeTargetBatch } from '../../producer/codec/index.js';
import { writeParquet } from '../../producer/io/index.js';
import { dueAfterMs, pacedBatchSize } from '../../producer/kafka/pacing.js';
import { consumeAll, deleteTopicsWithPrefix, describeWithBroker, inLogOrder, testLogger, uniqueTopicPrefix, type ConsumedMessage, type TestBroker } from './helpers/kafka.js';

const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
const ROWS = 240;
const STEP = 60_000;
const BASE = Date.UTC(2024, 4, 1);
const LABEL_DELAY = 30 * 60_000; // several batches of 7 rows, one minute apart

/** The hand-built processed data: event times shuffled in file order, ties, missing values, an extra column. */
interface Row { rowId: string; eventTime: number; hour: number; distance: number; origin: string | null; note: string; delay: number }
function buildRows(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < ROWS; i++) {
    rows.push({
      rowId: randomUUID(),
      eventTime: BASE + (i - (i % 10 === 9 ? 1 : 0)) * STEP, // every 10th row ties with the one before
      hour: i % 17 === 0 ? NaN : i % 24,
      distance: 100 + i * 7.25,
      origin: i % 13 === 0 ? null : ['SEA', 'LAX', 'JFK'][i % 3]!,
      note: `n${i}`,
      delay: i % 31 === 0 ? NaN : (i % 11) - 3.5,
    });
  }
  // A fixed shuffle (i * 7 mod ROWS is a permutation since gcd(7, 240) = 1).
  return rows.map((_, i) => rows[(i * 7) % ROWS]!);
}

function frameOfRows(rows: readonly Row[]): Frame {
  return frameOf([
    ['row_id', { kind: 'string', values: rows.map((r) => r.rowId) }],
    ['event_time', { kind: 'timestamp', values: Float64Array.from(rows, (r) => r.eventTime) }],
    ['hour', { kind: 'number', values: Float64Array.from(rows, (r) => r.hour) }],
    ['distance', { kind: 'number', values: Float64Array.from(rows, (r) => r.distance) }],
    ['origin', { kind: 'string', values: rows.map((r) => r.origin) }],
    ['note', { kind: 'string', values: rows.map((r) => r.note) }],
    ['delay', { kind: 'number', values: Float64Array.from(rows, (r) => r.delay) }],
  ]);
}

test('pacing: batches of about 100 ms of rows, each due when its first row is due under --rate and --speedup', () => {
  const minuteApart = Float64Array.from({ length: 11 }, (_, i) => i * 60_000);
  assert.equal(pacedBatchSize(1000, {}, minuteApart), 1000);
  assert.equal(pacedBatchSize(1000, { rate: 700 }, minuteApart), 70);
  assert.equal(pacedBatchSize(1000, { speedup: 60_000 }, minuteApart), 100); // 100 ms of wall time = 100 minutes of event time
  assert.equal(pacedBatchSize(1000, { speedup: 60 }, minuteApart), 1);
  assert.equal(pacedBatchSize(50, { rate: 700, speedup: 60_000 }, minuteApart), 50);
  assert.equal(dueAfterMs(70, 0, 0, { rate: 700 }), 100);
  assert.equal(dueAfterMs(3, 180_000, 0, { speedup: 60 }), 3000);
  assert.equal(dueAfterMs(3, 180_000, 0, { rate: 1, speedup: 60 }), 3000);
  assert.equal(dueAfterMs(3, 180_000, 0, { rate: 0.5, speedup: 60 }), 6000);
  assert.equal(dueAfterMs(3, 180_000, 0, {}), 0);
});

await describeWithBroker('driftwatch produce on a real broker', (testBroker) => {
  let broker: TestBroker;
  let admin: Admin;
  let dir: string;
  let rows: Row[];
  const prefixes: string[] = [];
  const newPrefix = (label: string) => {
    const prefix = uniqueTopicPrefix(label);
    prefixes.push(prefix);
    return prefix;
  };
  const options = (prefix: string, overrides: Partial<ProduceCommandOptions>): ProduceCommandOptions => ({
    topicPrefix: prefix,
    partitions: 3,
    replicationFactor: 1,
    batchSize: 1000,
    compression: 'none',
    progress: false,
    ...overrides,
  });

  before(async () => {
    broker = testBroker();
    admin = broker.kafka.admin();
    await admin.connect();
    dir = await mkdtemp(join(tmpdir(), 'driftwatch-kafka-test-'));
    rows = buildRows();
    const frame = frameOfRows(rows);
    await writeParquet(join(dir, 'a.parquet'), sliceFrame(frame, 0, 100));
    await writeParquet(join(dir, 'b.parquet'), sliceFrame(frame, 100, ROWS));
    await writeFile(join(dir, 'config.yaml'), [
      'model: { name: m, path: model.onnx }',
      'features: { numerical: [hour, distance], categorical: [origin] }',
      'columns: { target: delay }',
      'reference: { path: reference.parquet }',
      'data: { current: [a.parquet, b.parquet] }',
      'window: { label_delay: 30m }',
    ].join('\n'));
  });

  after(async () => {
    if (!admin) return;
    for (const prefix of prefixes) await deleteTopicsWithPrefix(admin, prefix);
    await admin.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every row once, keyed by row_id, in event-time order per partition; targets after the label delay', async () => {
    const prefix = newPrefix('produce');
    // Paced (7 rows per 10 ms) so consecutive requests get distinct timestamps.
    const summary = await runProduce(options(prefix, { config: join(dir, 'config.yaml'), batchSize: 7, rate: 700, compression: 'gzip' }), { logger: testLogger() });
    assert.equal(summary.rows, ROWS);
    assert.equal(summary.targets, ROWS);
    assert.equal(summary.interrupted, false);

    const features = `${prefix}.features`;
    const targets = `${prefix}.targets`;
    const consumed = await consumeAll(broker.kafka, { [features]: ROWS, [targets]: ROWS });
    const featureMessages = inLogOrder(consumed, features);
    const targetMessages = inLogOrder(consumed, targets);
    assert.equal(featureMessages.length, ROWS, 'no duplicate feature messages');
    assert.equal(targetMessages.length, ROWS, 'no duplicate target messages');

    const byId = new Map(rows.map((r) => [r.rowId, r]));
    const featureOf = new Map<string, ConsumedMessage>();
    for (const message of featureMessages) {
      assert.ok(message.key !== null && byId.has(message.key), `unknown key ${message.key}`);
      assert.ok(!featureOf.has(message.key!), `row ${message.key} sent twice`);
      featureOf.set(message.key!, message);
      // Only the configured columns travel: the file's "note" and the target do not.
      assert.deepEqual(Object.keys(JSON.parse(message.value!.toString())), ['row_id', 'event_time', 'hour', 'distance', 'origin']);
    }
    assert.equal(featureOf.size, ROWS);
    assert.ok(new Set(featureMessages.map((m) => m.partition)).size > 1, 'rows spread over several partitions');

    // Decode per partition, as the processor will, and compare with the hand-built rows.
    const layout = { rowIdColumn: 'row_id', eventTimeColumn: 'event_time', features: [{ name: 'hour', type: 'numerical' as const }, { name: 'distance', type: 'numerical' as const }, { name: 'origin', type: 'categorical' as const }] };
    for (const partition of new Set(featureMessages.map((m) => m.partition))) {
      const messages = featureMessages.filter((m) => m.partition === partition);
      const decoded = await decodeFeatureBatch(messages, layout);
      assert.deepEqual(decoded.invalid, []);
      assert.deepEqual(Array.from(decoded.offsets), messages.map((m) => Number(m.offset)));
      const column = (name: string) => decoded.frame.columns.get(name)!.values;
      const eventTimes = column('event_time') as Float64Array;
      for (let i = 0; i < decoded.frame.rowCount; i++) {
        const row = byId.get((column('row_id') as string[])[i]!)!;
        assert.equal(eventTimes[i], row.eventTime);
        assert.deepEqual([(column('hour') as Float64Array)[i], (column('distance') as Float64Array)[i], (column('origin') as (string | null)[])[i]], [row.hour, row.distance, row.origin]);
        if (i > 0) assert.ok(eventTimes[i - 1]! <= eventTimes[i]!, `partition ${partition}: event time goes back at offset ${messages[i]!.offset}`);
      }
    }

    const decodedTargets = await decodeTargetBatch(targetMessages, { rowIdColumn: 'row_id', eventTimeColumn: 'event_time', targetColumn: 'delay', targetKind: 'number' });
    assert.deepEqual(decodedTargets.invalid, []);
    const t = (name: string) => decodedTargets.frame.columns.get(name)!.values;
    const seenTargets = new Set<string>();
    for (let i = 0; i < decodedTargets.frame.rowCount; i++) {
      const message = targetMessages[i]!;
      const rowId = (t('row_id') as string[])[i]!;
      const row = byId.get(rowId)!;
      assert.equal(message.key, rowId);
      assert.ok(!seenTargets.has(rowId), `target of ${rowId} sent twice`);
      seenTargets.add(rowId);
      assert.equal((t('delay') as Float64Array)[i], row.delay);
      assert.equal((t('event_time') as Float64Array)[i], row.eventTime);
      const labelTime = (t('label_time') as Float64Array)[i]!;
      assert.equal(labelTime, row.eventTime + LABEL_DELAY);
      const feature = featureOf.get(rowId)!;
      assert.equal(message.partition, feature.partition, 'a label lands on its row\'s partition number');
      assert.ok(message.timestamp >= feature.timestamp, `target of ${rowId} written before its row`);
      // The stream reached the label time when the first row with event time ≥ it was written.
      const reached = featureMessages.filter((m) => byId.get(m.key!)!.eventTime >= labelTime).map((m) => m.timestamp);
      if (reached.length > 0) {
        assert.ok(message.timestamp >= Math.min(...reached), `target of ${rowId} released before the stream reached its label time`);
      }
    }
    assert.equal(seenTargets.size, ROWS);
  });

  test('--files without a config, with --from/--to/--limit: exactly the earliest rows in range', async () => {
    const prefix = newPrefix('range');
    const from = BASE + 20 * STEP;
    const to = BASE + 120 * STEP;
    const summary = await runProduce(options(prefix, {
      files: [join(dir, 'a.parquet'), join(dir, 'b.parquet')], target: 'delay', from, to, limit: 50, labelDelay: 0, batchSize: 16,
    }), { logger: testLogger() });
    const expected = rows.filter((r) => r.eventTime >= from && r.eventTime < to).sort((a, b) => a.eventTime - b.eventTime).slice(0, 50);
    // Ties at the 50th place would make "the earliest 50" ambiguous; the data avoids that here.
    assert.ok(expected[49]!.eventTime < rows.filter((r) => r.eventTime >= from && r.eventTime < to).sort((a, b) => a.eventTime - b.eventTime)[50]!.eventTime);
    assert.equal(summary.rows, 50);
    const consumed = await consumeAll(broker.kafka, { [`${prefix}.features`]: 50, [`${prefix}.targets`]: 50 });
    const sent = inLogOrder(consumed, `${prefix}.features`);
    assert.deepEqual(sent.map((m) => m.key).sort(), expected.map((r) => r.rowId).sort());
    // Without a config every other column is a feature, text ones as strings.
    const first = JSON.parse(sent[0]!.value!.toString());
    assert.deepEqual(Object.keys(first).sort(), ['distance', 'event_time', 'hour', 'note', 'origin', 'row_id']);
    assert.equal(typeof first.note, 'string');
  });

  test('--end-of-stream: after every row and label, one empty marker closes each partition of both topics', async () => {
    const prefix = newPrefix('eos');
    const summary = await runProduce(options(prefix, {
      files: [join(dir, 'a.parquet')], target: 'delay', labelDelay: 0, limit: 30, batchSize: 8, endOfStream: true,
    }), { logger: testLogger() });
    assert.equal(summary.rows, 30);
    const partitions = 3;
    const consumed = await consumeAll(broker.kafka, { [`${prefix}.features`]: 30 + partitions, [`${prefix}.targets`]: 30 + partitions });
    for (const topic of [`${prefix}.features`, `${prefix}.targets`]) {
      for (let partition = 0; partition < partitions; partition++) {
        const log = consumed.filter((m) => m.topic === topic && m.partition === partition).sort((a, b) => Number(a.offset) - Number(b.offset));
        const markers = log.filter((m) => m.key === null && (m.value === null || m.value.length === 0));
        assert.equal(markers.length, 1, `${topic}[${partition}] has one marker`);
        assert.equal(markers[0], log.at(-1), `${topic}[${partition}]: the marker is the last message`);
      }
    }
  });

  test('--speedup: event time passes N times faster than the wall clock, not faster', async () => {
    const prefix = newPrefix('speedup');
    const span = (ROWS - 1) * STEP; // first to last event time
    const speedup = span / 800; // the whole replay should take about 0.8 s
    const summary = await runProduce(options(prefix, { files: [join(dir, 'a.parquet'), join(dir, 'b.parquet')], target: 'delay', speedup }), { logger: testLogger() });
    assert.equal(summary.rows, ROWS);
    // The last batch (29 rows of ~100 ms) is due at (its first event time − the first) / speedup ≈ 770 ms.
    assert.ok(summary.seconds >= 0.7, `took ${summary.seconds} s, faster than the speed-up allows`);
    assert.ok(summary.seconds < 10, `took ${summary.seconds} s`);
  });

  test('bad usage: a missing file, an unknown column, an unreachable broker, each named', async () => {
    const prefix = newPrefix('usage');
    await assert.rejects(runProduce(options(prefix, { files: [join(dir, 'nope.parquet')], target: 'delay' }), { logger: testLogger() }),
      (error: Error) => error instanceof UsageError && error.message.includes('nope.parquet'));
    await assert.rejects(runProduce(options(prefix, { files: [join(dir, 'a.parquet')], target: 'arrival_delay' }), { logger: testLogger() }),
      (error: Error) => error instanceof UsageError && /target column "arrival_delay" not found in .*a\.parquet/.test(error.message));
    await assert.rejects(runProduce(options(prefix, { files: [join(dir, 'a.parquet')], target: 'delay', categorical: ['nope'] }), { logger: testLogger() }),
      (error: Error) => error instanceof UsageError && error.message.includes('"nope"'));
    const started = Date.now();
    await assert.rejects(runProduce(options(prefix, { files: [join(dir, 'a.parquet')], target: 'delay', brokers: '127.0.0.1:1' }), { logger: testLogger() }),
      (error: Error) => !(error instanceof UsageError) && error.message.includes('cannot reach Kafka at 127.0.0.1:1'));
    assert.ok(Date.now() - started < 20_000, 'gives up on an unreachable broker within 20 s');
  });

  test('SIGINT: the batch in flight and its released labels are written, a summary printed, exit 0', async () => {
    const prefix = newPrefix('sigint');
    const args = ['produce', '--files', `${join(dir, 'a.parquet')},${join(dir, 'b.parquet')}`, '--target', 'delay',
      '--topic-prefix', prefix, '--rate', '80', '--label-delay', '0s', '--no-progress'];
    const script = `
      import { Command } from 'commander';
      import { register } from './cli/commands/produce.js';
      const program = new Command('driftwatch');
      register(program);
      await program.parseAsync(JSON.parse(process.env.DRIFTWATCH_TEST_ARGS), { from: 'user' });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      env: { ...process.env, DRIFTWATCH_TEST_ARGS: JSON.stringify(args), LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));

    const features = `${prefix}.features`;
    const deadline = Date.now() + 20_000;
    while (await messagesIn(admin, features) < 20) {
      assert.ok(Date.now() < deadline, `no rows produced within 20 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 0, `exit code (stderr: ${stderr})`);
    const match = /^stopped: produced (\d+) of 240 rows to \S+ and (\d+) targets/m.exec(stdout);
    assert.ok(match, `summary line in stdout: ${stdout}`);
    const [sentRows, sentTargets] = [Number(match[1]), Number(match[2])];
    assert.ok(sentRows >= 20 && sentRows < ROWS, `stopped part-way (${sentRows} rows)`);
    assert.equal(await messagesIn(admin, features), sentRows, 'the topic holds exactly the rows reported');
    assert.equal(sentTargets, sentRows, 'with no label delay, every sent row\'s label was flushed');
    assert.equal(await messagesIn(admin, `${prefix}.targets`), sentTargets);
  });
});

/** Messages in a topic (sum of high watermarks; nothing is ever deleted in these tests). */
async function messagesIn(admin: Admin, topic: string): Promise<number> {
  if (!(await admin.listTopics()).includes(topic)) return 0;
  // A topic created a moment ago may not have elected its leaders yet; the
  // broker says so with a retriable error that kafkajs' admin does not retry.
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
