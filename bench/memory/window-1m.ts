/**
 * One window of 1M rows × 10 features through the real pipeline, in bounded memory.
 *
 *   npx tsx bench/memory/window-1m.ts [--rows 1000000] [--batch 5000] [--reference 50000] [--model-batch 1024] [--revision] [--shuffle] [--approximate N [--relative-accuracy A]] [--json out.json]
 *
 * Synthetic flights-like rows (bench/memory/synthetic.ts: 7 numerical, 3
 * categorical features, fresh string objects per value as a decoder makes
 * them) are fed in batches to MonitoringPipeline with the real flights
 * regressor (data/models/delay_regressor.onnx reads 6 of the 10 features),
 * labels join after each batch, the watermark advances after each batch, and
 * finish() fires the one window: toFrame + computeWindowMetrics against
 * reference profiles of 50k rows. Prints RSS after every step, the peak
 * sampled every 50 ms, and the kernel's VmHWM; target < 400 MB.
 *
 * --revision: the last batch's labels are held back (label timeout 1 day) and
 * one row of the next day moves the watermark past the window's end, so the
 * window fires a first, non-final revision — `toFrame`, as a processor does
 * when labels are still due — before finish() fires it for good. Its output is
 * dropped once checked, as a processor drops it once published.
 *
 * --shuffle: the batches come in a shuffled order (rows within a batch stay
 * in order), so the window's rows are not in event-time order when it fires
 * and the accumulator reorders them (processor/window/canonical-order.ts):
 * the costlier case, as when several partitions feed one window.
 *
 * --approximate N: the window runs in the approximate mode (README,
 * "Approximate windows"; processor/window/approximate-window.ts), as config
 * `window.approximate: { above_rows: N, relative_accuracy: A }` sets it: the
 * section goes through the config schema and approximateConfigOf, as the
 * processor's does, so past N rows the 7 numerical features are sketches.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import { profileReference } from '../../processor/drift/compare.js';
import { numericalProfile } from '../../processor/drift/profile.js';
import type { Column, Frame } from '../../processor/frame.js';
import { loadOnnxModel } from '../../processor/model/onnx-runner.js';
import { MonitoringPipeline } from '../../processor/pipeline.js';
import { approximateConfigOf } from '../../processor/pipeline-config.js';
import { configSchema } from '../../cli/config.js';
import type { ColumnProfile } from '../../processor/drift/types.js';
import { MB, PeakRss, vmHighWaterMark } from './peak-rss.js';
import { seededRandom, syntheticFeatureSpecs, syntheticFrame, TARGET } from './synthetic.js';
import { repoRoot } from './paths.js';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '5000' },
    reference: { type: 'string', default: '50000' },
    'model-batch': { type: 'string', default: '1024' },
    revision: { type: 'boolean', default: false },
    shuffle: { type: 'boolean', default: false },
    approximate: { type: 'string' },
    'relative-accuracy': { type: 'string' },
    json: { type: 'string' },
  },
});
const rows = Number(args.rows);
const batchSize = Number(args.batch);
const referenceRows = Number(args.reference);
/** Rows per onnxruntime run (the runner's batchSize): its arena grows with the largest batch run. */
const modelBatch = Number(args['model-batch']);
const LIMIT_MB = 400;
const DAY = 86_400_000;
const windowStart = Date.UTC(2026, 0, 1);

const memory = new PeakRss(50);
const timings: Record<string, number> = {};
const timed = async <T>(step: string, work: () => T | Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await work();
  timings[step] = (performance.now() - started) / 1000;
  memory.mark(step);
  return result;
};

memory.mark('start');
const model = await timed('load model', () => loadOnnxModel(join(repoRoot, 'data', 'models', 'delay_regressor.onnx'), { intraOpNumThreads: 1, batchSize: modelBatch }));
const features = syntheticFeatureSpecs();

const reference = await timed(`reference profiles (${referenceRows.toLocaleString()} rows)`, async () => {
  const frame = syntheticFrame({ rows: referenceRows, seed: 1, startTime: windowStart - 30 * DAY, stepMs: 1000, withTarget: true });
  const predicted = await model.predict(frame);
  const profiles = new Map<string, ColumnProfile>(profileReference(frame, features));
  profiles.set('prediction', numericalProfile(predicted.prediction));
  profiles.set(TARGET, numericalProfile((frame.columns.get(TARGET)! as { values: Float64Array }).values));
  return profiles;
});

const approximate = args.approximate === undefined ? undefined : approximateConfigOf(configSchema.parse({
  model: { name: 'flights-delay', path: 'data/models/delay_regressor.onnx' },
  features: {
    numerical: features.filter((f) => f.type === 'numerical').map((f) => f.name),
    categorical: features.filter((f) => f.type === 'categorical').map((f) => f.name),
  },
  columns: { target: TARGET },
  reference: { path: 'synthetic' },
  data: { current: ['synthetic'] },
  window: {
    approximate: {
      above_rows: Number(args.approximate),
      ...(args['relative-accuracy'] === undefined ? {} : { relative_accuracy: Number(args['relative-accuracy']) }),
    },
  },
}), reference);

const pipeline = new MonitoringPipeline({
  spec: {
    model: 'flights-delay',
    task: 'regression',
    features,
    predictionColumn: 'prediction',
    targetColumn: TARGET,
    drift: {},
  },
  reference,
  model,
  eventTimeColumn: 'event_time',
  rowIdColumn: 'row_id',
  window: { size: DAY, maxOutOfOrderness: 300_000, allowedLateness: 0, idleTimeout: 60_000, labelTimeout: args.revision ? DAY : 0, approximate },
});

// Rows spread evenly over one day: all of them land in one window.
const stepMs = DAY / rows;
const batches = Array.from({ length: Math.ceil(rows / batchSize) }, (_, batch) => batch);
if (args.shuffle) {
  const random = seededRandom(7);
  for (let i = batches.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
}
let fed = 0;
await timed(`feed ${rows.toLocaleString()} rows (batches of ${batchSize}${args.shuffle ? ', shuffled' : ''})`, async () => {
  for (const [k, batch] of batches.entries()) {
    const start = batch * batchSize;
    const n = Math.min(batchSize, rows - start);
    const frame = syntheticFrame({ rows: n, seed: 1000 + batch, startTime: windowStart + start * stepMs, stepMs, shift: 0.3, withTarget: true });
    const { features: featureFrame, rowIds, targets } = splitTarget(frame);
    const result = await pipeline.addFeatures(0, featureFrame, { now: Date.now() });
    fed += result.accepted;
    const lastBatch = k === batches.length - 1;
    if (!(args.revision && lastBatch)) pipeline.addTargets(0, rowIds, targets);
    if (pipeline.advance(Date.now()).length > 0) throw new Error('the window fired before its end');
    if (k % 20 === 0) memory.sample();
  }
});
if (fed !== rows) throw new Error(`accepted ${fed} of ${rows} rows`);

if (args.revision) {
  await timed('revision fire: toFrame + computeWindowMetrics', async () => {
    const next = syntheticFrame({ rows: 1, seed: 99, startTime: windowStart + DAY + 600_000, stepMs: 1, shift: 0.3, withTarget: true });
    await pipeline.addFeatures(0, splitTarget(next).features, { now: Date.now() });
    const revisions = pipeline.advance(Date.now());
    if (revisions.length !== 1 || revisions[0]!.fire.final) throw new Error(`expected one non-final revision, got ${revisions.length}`);
  });
}
const outputs = (await timed('finish: takeFrame + computeWindowMetrics', () => pipeline.finish())).filter((output) => output.fire.windowStart === windowStart);
if (outputs.length !== 1) throw new Error(`expected one window, got ${outputs.length}`);
const [output] = outputs;
const metrics = output!.metrics;
memory.stop();

const sampledPeak = memory.sampledPeak;
const hwm = vmHighWaterMark();
const table = new Table({ head: ['step', 'seconds', 'rss MB', 'heap used MB', 'heap total MB', 'array buffers MB'] });
for (const entry of memory.steps) {
  table.push([entry.step, timings[entry.step]?.toFixed(2) ?? '', (entry.rss / MB).toFixed(0), (entry.heapUsed / MB).toFixed(0), (entry.heapTotal / MB).toFixed(0), (entry.arrayBuffers / MB).toFixed(0)]);
}
console.log(table.toString());
const peak = Number.isFinite(hwm) ? hwm : sampledPeak;
if (approximate) console.log(`approximate: above ${approximate.aboveRows.toLocaleString()} rows, α = ${approximate.relativeAccuracy}, ${approximate.columns.length} columns sketched`);
console.log(`window: ${metrics.rows.toLocaleString()} rows, ${metrics.labelledRows.toLocaleString()} labelled, `
  + `${metrics.drift.number_of_drifted_columns}/${metrics.drift.number_of_columns} columns drifted, MAE ${metrics.regression?.mae.toFixed(2)}`);
console.log(`peak RSS: sampled ${(sampledPeak / MB).toFixed(0)} MB, VmHWM ${(hwm / MB).toFixed(0)} MB — target < ${LIMIT_MB} MB: ${peak / MB < LIMIT_MB ? 'OK' : 'OVER'}`);
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ rows, batchSize, modelBatch, referenceRows, approximate: approximate && { aboveRows: approximate.aboveRows, relativeAccuracy: approximate.relativeAccuracy }, sampledPeakMB: sampledPeak / MB, vmHwmMB: hwm / MB, limitMB: LIMIT_MB, timings, steps: memory.steps }, null, 2));
}
await model.close();

/** Features as they come from the features topic; the labels as they come from the targets topic. */
function splitTarget(frame: Frame): { features: Frame; rowIds: (string | null)[]; targets: Float64Array } {
  const columns = new Map<string, Column>(frame.columns);
  const target = columns.get(TARGET)!.values as Float64Array;
  columns.delete(TARGET);
  return { features: { rowCount: frame.rowCount, columns }, rowIds: frame.columns.get('row_id')!.values as (string | null)[], targets: target };
}
