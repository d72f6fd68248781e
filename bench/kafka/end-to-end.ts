/**
 * End to end on Kafka: the flights rows produced to a 6-partition topic,
 * then consumed (a) by a bare kafkajs consumer group that does nothing with
 * the messages, (b) the same plus JSON.parse of every value, and (c) by
 * `driftwatch process` (one instance: decode, predict with the ONNX
 * regressor, windows, label join, drift and quality per window, publish
 * window metrics and predictions, commit) — the single-instance service
 * and/or one `--scale-out` instance (per-partition windows, shares merged
 * through the partials topic). Same topics, same run, so the ratio is what
 * to read; the target is ≥ 0.8 of the bare consumer.
 *
 *   npx tsx bench/kafka/end-to-end.ts [--rows all|N] [--partitions 6] [--modes single,scale-out] [--cpu-prof] [--keep-topics] [--json FILE]
 *
 * --rows: every row of the replay by default (`all`: the 3,000,000 flights
 * rows, counted afterwards from the features topic), or the first N.
 *
 * Throughput counts feature rows: the bare consumer's time is from its first
 * batch to the last message of both topics; the processor's is its own
 * summary's processingSeconds (first batch to last batch handled), and the
 * wall time from its assignment to its exit is shown as well.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { deleteTopicsWithPrefix } from '../../tests/integration/helpers/kafka.js';
import {
  bareConsume, benchKafka, createBenchTopics, ensureFullFeatures, kafkaOut, machine, parseRows, produceRows, runProcessor, topicMessages, writeBenchConfig,
} from './kafka-bench.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: 'all' },
    modes: { type: 'string', default: 'single,scale-out' },
    partitions: { type: 'string', default: '6' },
    'cpu-prof': { type: 'boolean', default: false },
    'keep-topics': { type: 'boolean', default: false },
    json: { type: 'string', default: join(kafkaOut, 'end-to-end.json') },
  },
});
const requested = parseRows(args.rows!);
const partitions = Number(args.partitions);

const kafka = benchKafka();
const admin = kafka.admin();
await admin.connect();
const prefix = `dwbench-e2e-${Date.now().toString(36)}`;
try {
  const config = writeBenchConfig(ensureFullFeatures());
  const topics = await createBenchTopics(admin, prefix, partitions);
  console.log(`producing ${requested === null ? 'all' : requested.toLocaleString()} rows to ${prefix}.* (${partitions} partitions)…`);
  const produced = produceRows(config, prefix, requested);
  const featureMessages = await topicMessages(admin, topics.features);
  // Feature rows: the topic's messages but its end-of-stream markers (one per partition).
  const rows = featureMessages - partitions;
  if (requested !== null && rows !== requested) throw new Error(`asked for ${requested} rows, the features topic holds ${rows}`);
  console.log(`produced ${rows.toLocaleString()} rows in ${produced.seconds.toFixed(1)} s; bare consumer…`);
  const bare = await bareConsume(kafka, admin, [topics.features, topics.targets], `${prefix}.bare`);
  console.log('bare consumer + JSON.parse…');
  const parsing = await bareConsume(kafka, admin, [topics.features, topics.targets], `${prefix}.bare-json`, true);
  const bareRate = rows / bare.seconds;
  const parseRate = rows / parsing.seconds;
  const table = new Table({ head: ['consumer', 'rows in windows', 'dead letters', 'seconds', 'rows/s', 'ratio to bare', 'peak RSS MB'] });
  table.push(
    ['bare kafkajs consumer', rows.toLocaleString(), '', bare.seconds.toFixed(1), bareRate.toFixed(0), '1.00', ''],
    ['bare + JSON.parse', rows.toLocaleString(), '', parsing.seconds.toFixed(1), parseRate.toFixed(0), (parseRate / bareRate).toFixed(2), ''],
  );
  const processors: Record<string, unknown> = {};
  for (const mode of args.modes!.split(',')) {
    console.log(`driftwatch process (${mode})…`);
    const profileDir = join(kafkaOut, 'cpu-prof', mode);
    if (args['cpu-prof']) mkdirSync(profileDir, { recursive: true });
    const processor = await runProcessor({
      config, prefix, groupId: `${prefix}.processor-${mode}`, extra: mode === 'scale-out' ? ['--scale-out'] : [],
      nodeArgs: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
    });
    if (processor.exit !== 0 || !processor.summary) throw new Error(`the processor (${mode}) exited with ${processor.exit}:\n${processor.stderrTail}`);
    // Rows per second of the whole replay, every row handled (fed to a window or dead-lettered).
    const rate = rows / processor.summary.processingSeconds;
    table.push([`driftwatch process (${mode})`, processor.summary.rows.toLocaleString(), String(processor.summary.deadLetters ?? ''),
      processor.summary.processingSeconds.toFixed(1), rate.toFixed(0), (rate / bareRate).toFixed(2), processor.peakRssMB.toFixed(0)]);
    processors[mode] = { ...processor.summary, rowsPerSecond: rate, ratio: rate / bareRate, wallSeconds: processor.seconds, peakRssMB: processor.peakRssMB };
    if (args['cpu-prof']) console.log(`CPU profile: ${profileDir}`);
  }
  console.log(`\n${machine()}; ${featureMessages.toLocaleString()} feature messages (with end-of-stream markers), produced at ${(rows / produced.seconds).toFixed(0)} rows/s`);
  console.log(table.toString());
  const results = {
    machine: machine(), rows, partitions, produceSeconds: produced.seconds,
    bare: { seconds: bare.seconds, rowsPerSecond: bareRate, messages: bare.messages },
    bareJson: { seconds: parsing.seconds, rowsPerSecond: parseRate },
    processors,
  };
  mkdirSync(kafkaOut, { recursive: true });
  writeFileSync(args.json!, JSON.stringify(results, null, 2));
} finally {
  if (!args['keep-topics']) await deleteTopicsWithPrefix(admin, prefix).catch((error: Error) => console.error(`topics ${prefix}.* left behind: ${error.message}`));
  await admin.disconnect();
}
