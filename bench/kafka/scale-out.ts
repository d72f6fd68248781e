/**
 * 1 vs 2 processors on the same topic: `driftwatch process --scale-out`
 * instances (co-partitioned sources, window shares merged through
 * `<prefix>.window-partials`) consuming the same produced rows — first one
 * instance, then two at once, each run with consumer groups of its own.
 * Same topics, same run, so the speed-up is what to read; on a machine of
 * 2 shared vCPUs it cannot exceed 2 and is bounded by what else runs.
 *
 *   npx tsx bench/kafka/scale-out.ts [--rows 1000000] [--partitions 6] [--keep-topics] [--json FILE]
 *
 * Time of a run: from the first instance's assignment to the last exit
 * (every window merged and published). The partials topic is emptied
 * between runs: it belongs to one processor group.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { partialsTopicOf } from '../../processor/scaleout/partial-messages.js';
import { deleteTopicsWithPrefix } from '../../tests/integration/helpers/kafka.js';
import { benchKafka, createBenchTopics, ensureFullFeatures, kafkaOut, machine, produceRows, runProcessor, type ProcessorRun, writeBenchConfig } from './kafka-bench.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    partitions: { type: 'string', default: '6' },
    'keep-topics': { type: 'boolean', default: false },
    json: { type: 'string', default: join(kafkaOut, 'scale-out.json') },
  },
});
const rows = Number(args.rows);
const partitions = Number(args.partitions);

const kafka = benchKafka();
const admin = kafka.admin();
await admin.connect();
const prefix = `dwbench-scale-${Date.now().toString(36)}`;
try {
  const config = writeBenchConfig(ensureFullFeatures());
  await createBenchTopics(admin, prefix, partitions);
  console.log(`producing ${rows.toLocaleString()} rows to ${prefix}.* (${partitions} partitions)…`);
  const produced = produceRows(config, prefix, rows);
  console.log(`produced in ${produced.seconds.toFixed(1)} s`);
  const results: { instances: number; seconds: number; rowsPerSecond: number; peakRssMB: number[]; rows: number; windowRevisions: number }[] = [];
  for (const instances of [1, 2]) {
    // The partials topic belongs to one processor group: the previous run's
    // shares and `closed` markers would close this run's windows.
    await admin.deleteTopics({ topics: [partialsTopicOf(prefix)], timeout: 30_000 });
    await createBenchTopics(admin, prefix, partitions);
    console.log(`${instances} instance(s)…`);
    const started = performance.now();
    const runs: ProcessorRun[] = await Promise.all(Array.from({ length: instances }, () =>
      runProcessor({ config, prefix, groupId: `${prefix}.scale-${instances}`, extra: ['--scale-out'] })));
    for (const run of runs) if (run.exit !== 0 || !run.summary) throw new Error(`an instance exited with ${run.exit}:\n${run.stderrTail}`);
    // Each run's `seconds` counts from its own assignment: the earliest start is the longest span.
    const seconds = Math.max(...runs.map((r) => r.seconds));
    const accepted = runs.reduce((n, r) => n + r.summary!.rows, 0);
    results.push({
      instances, seconds, rowsPerSecond: rows / seconds, rows: accepted, peakRssMB: runs.map((r) => r.peakRssMB),
      windowRevisions: runs.reduce((n, r) => n + r.summary!.windowRevisions, 0),
    });
    console.log(`  ${seconds.toFixed(1)} s (${((performance.now() - started) / 1000).toFixed(1)} s with start-up)`);
  }
  const table = new Table({ head: ['instances', 'rows', 'seconds', 'rows/s', 'speed-up', 'peak RSS MB per instance', 'window revisions'] });
  for (const r of results) {
    table.push([r.instances, r.rows.toLocaleString(), r.seconds.toFixed(1), r.rowsPerSecond.toFixed(0), (r.rowsPerSecond / results[0]!.rowsPerSecond).toFixed(2),
      r.peakRssMB.map((m) => m.toFixed(0)).join(', '), r.windowRevisions]);
  }
  console.log(`\n${machine()}`);
  console.log(table.toString());
  mkdirSync(kafkaOut, { recursive: true });
  writeFileSync(args.json!, JSON.stringify({ machine: machine(), rows, partitions, produceSeconds: produced.seconds, results }, null, 2));
} finally {
  if (!args['keep-topics']) await deleteTopicsWithPrefix(admin, prefix).catch((error: Error) => console.error(`topics ${prefix}.* left behind: ${error.message}`));
  await admin.disconnect();
}
