/**
 * Model inference's share of the pipeline's time: MonitoringPipeline.addFeatures
 * (our input conversion, onnxruntime, output collection, window routing,
 * prediction records) against a bare onnxruntime-node session.run on tensors
 * built beforehand, on the same rows of the flights data and the same model
 * (data/models/delay_regressor.onnx), batches of 500 / 5,000 / 50,000 rows.
 *
 *   npx tsx bench/inference/bench.ts [--sizes 500,5000,50000] [--rows 200000] [--json out.json]
 *
 * Rows: data/full/X_test.parquet when present (scripts/prepare_flights.py
 * --full), else data/flights/X_test.parquet repeated. Each size runs over
 * `--rows` rows in total (at least 3 batches) after one warm-up batch; the
 * figure is the median time per batch, the three measurements taking turns. Both sides use one onnxruntime thread
 * (the machine has 2 cores shared with other work). The runner splits a batch
 * into runs of 1,024 rows (its default batchSize); the bare session runs the
 * whole batch at once, so at 50,000 rows the ratio includes that split.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { profileReference } from '../../processor/drift/compare.js';
import { numericalProfile } from '../../processor/drift/profile.js';
import { concatFrames, sliceFrame, type Column, type Frame } from '../../processor/frame.js';
import { loadOnnxModel } from '../../processor/model/onnx-runner.js';
import { MonitoringPipeline } from '../../processor/pipeline.js';
import { readTable } from '../../producer/io/index.js';
import { repoRoot } from '../memory/paths.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '500,5000,50000' },
    rows: { type: 'string', default: '200000' },
    json: { type: 'string' },
  },
});
const sizes = args.sizes!.split(',').map(Number);
const totalRows = Number(args.rows);
const modelPath = join(repoRoot, 'data', 'models', 'delay_regressor.onnx');
const NUMERICAL = ['hour', 'weekday', 'month', 'distance'];
const CATEGORICAL = ['origin', 'destination'];
const FEATURES = [...NUMERICAL.map((name) => ({ name, type: 'numerical' as const })), ...CATEGORICAL.map((name) => ({ name, type: 'categorical' as const }))];

const fullPath = join(repoRoot, 'data', 'full', 'X_test.parquet');
const source = existsSync(fullPath) ? fullPath : join(repoRoot, 'data', 'flights', 'X_test.parquet');
const largest = Math.max(...sizes);
let rows = await readTable(source);
while (rows.rowCount < largest) rows = concatFrames([rows, rows]);
rows = withIdsAndTimes(sliceFrame(rows, 0, largest));

const session = await InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
const model = await loadOnnxModel(modelPath, { intraOpNumThreads: 1 });
const reference = new Map(profileReference(sliceFrame(rows, 0, 5000), FEATURES));
reference.set('prediction', numericalProfile((await model.predict(sliceFrame(rows, 0, 5000))).prediction));

interface Row { rows: number; batches: number; rawMs: number; predictMs: number; addFeaturesMs: number }
const results: Row[] = [];
for (const size of sizes) {
  const batches = Math.max(3, Math.round(totalRows / size));
  const frames = Array.from({ length: Math.min(batches, Math.floor(largest / size)) }, (_, i) => sliceFrame(rows, i * size, (i + 1) * size));
  const frameAt = (i: number): Frame => frames[i % frames.length]!;
  const feeds = frames.map(rawFeeds);
  // Interleaved, so load from other processes on the shared cores hits the three alike.
  const [raw, predict, addFeatures] = await interleavedMedianMs(batches, [
    async (i) => { await session.run(feeds[i % feeds.length]!); },
    async (i) => { await model.predict(frameAt(i)); },
    async (i) => {
      // A fresh pipeline per batch, so every row is new to its window, as in a replay.
      const pipeline = newPipeline();
      await pipeline.addFeatures(0, frameAt(i), { now: 0 });
    },
  ]) as [number, number, number];
  results.push({ rows: size, batches, rawMs: raw, predictMs: predict, addFeaturesMs: addFeatures });
}

const table = new Table({ head: ['batch rows', 'batches', 'raw session.run ms', 'runner.predict ms', 'pipeline.addFeatures ms', 'predict / raw', 'addFeatures / raw', 'inference share', 'addFeatures rows/s'] });
for (const r of results) {
  table.push([r.rows.toLocaleString(), r.batches, r.rawMs.toFixed(2), r.predictMs.toFixed(2), r.addFeaturesMs.toFixed(2),
    (r.predictMs / r.rawMs).toFixed(2), (r.addFeaturesMs / r.rawMs).toFixed(2), `${((100 * r.rawMs) / r.addFeaturesMs).toFixed(0)} %`,
    Math.round((r.rows / r.addFeaturesMs) * 1000).toLocaleString()]);
}
console.log(`rows from ${source.replace(repoRoot + '/', '')}; median per batch; onnxruntime on 1 thread`);
console.log(table.toString());
console.log('inference share = raw session.run / addFeatures: the part of the pipeline\'s per-batch time onnxruntime itself needs.');
if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
await session.release();
await model.close();

function newPipeline(): MonitoringPipeline {
  return new MonitoringPipeline({
    spec: { model: 'flights-delay', task: 'regression', features: FEATURES, predictionColumn: 'prediction', targetColumn: 'delay', drift: {} },
    reference,
    model,
    eventTimeColumn: 'event_time',
    rowIdColumn: 'row_id',
    window: { size: 86_400_000, maxOutOfOrderness: 300_000, allowedLateness: 600_000, idleTimeout: 60_000, labelTimeout: 0 },
  });
}

/** The tensors the model takes, built outside the timing: float32 [n, 1] numbers, string [n, 1] codes. */
function rawFeeds(frame: Frame): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const name of NUMERICAL) feeds[name] = new Tensor('float32', Float32Array.from(frame.columns.get(name)!.values as Float64Array), [frame.rowCount, 1]);
  for (const name of CATEGORICAL) feeds[name] = new Tensor('string', (frame.columns.get(name)!.values as (string | null)[]).map((v) => v ?? ''), [frame.rowCount, 1]);
  return feeds;
}

/** Median ms of each piece of work over `count` rounds (one warm-up round), the pieces taking turns. */
async function interleavedMedianMs(count: number, works: ((i: number) => Promise<void>)[]): Promise<number[]> {
  for (const work of works) await work(0);
  const times = works.map(() => [] as number[]);
  for (let i = 0; i < count; i++) {
    for (let w = 0; w < works.length; w++) {
      const started = performance.now();
      await works[w]!(i);
      times[w]!.push(performance.now() - started);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b)[list.length >> 1]!);
}

/** Row ids and event times one minute apart, as `driftwatch adapt` gives processed rows. */
function withIdsAndTimes(frame: Frame): Frame {
  const columns = new Map<string, Column>(frame.columns);
  columns.set('event_time', { kind: 'timestamp', values: Float64Array.from({ length: frame.rowCount }, (_, i) => Date.UTC(2026, 0, 1) + i * 60_000) });
  columns.set('row_id', { kind: 'string', values: Array.from({ length: frame.rowCount }, (_, i) => `row-${i}`) });
  return { rowCount: frame.rowCount, columns };
}
