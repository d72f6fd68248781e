/**
 * buildReference / loadReference with hand-written ModelRunners (not mocks of
 * a service: real implementations of the interface with a known formula), so
 * every stored prediction can be recomputed from the stored row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReference, loadReference, sampleRowIndices } from '../../producer/reference.js';
import { readTable, writeParquet } from '../../producer/io/index.js';
import { frameOf, requireColumn, type Frame } from '../../processor/frame.js';
import { profileReference, type ColumnSpec } from '../../processor/drift/compare.js';
import type { ModelRunner } from '../../processor/model/types.js';

const ROWS = 200;
const ORIGINS = ['LAS', 'SFO', 'JFK', 'ORD'];
const FEATURES: ColumnSpec[] = [
  { name: 'distance', type: 'numerical' },
  { name: 'origin', type: 'categorical' },
];

/** Distinct row ids, increasing event times, a NaN and a null among the features. */
function processedTrain(): Frame {
  const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return frameOf([
    ['row_id', { kind: 'string', values: Array.from({ length: ROWS }, (_, i) => id(i)) }],
    ['event_time', { kind: 'timestamp', values: Float64Array.from({ length: ROWS }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000) }],
    ['distance', { kind: 'number', values: Float64Array.from({ length: ROWS }, (_, i) => (i === 7 ? NaN : 100 + ((i * 37) % 2900))) }],
    ['origin', { kind: 'string', values: Array.from({ length: ROWS }, (_, i) => (i === 11 ? null : ORIGINS[i % 4]!)) }],
    ['delay', { kind: 'number', values: Float64Array.from({ length: ROWS }, (_, i) => (i % 50) - 10) }],
  ]);
}

const distanceRegressor: ModelRunner = {
  name: 'distance-over-100',
  task: 'regression',
  inputColumns: ['distance'],
  async predict(frame) {
    const distance = requireColumn(frame, 'distance').values as Float64Array;
    return { prediction: distance.map((d) => d / 100) };
  },
  async close() {},
};

const longHaulClassifier: ModelRunner = {
  name: 'long-haul',
  task: 'classification',
  inputColumns: ['distance'],
  async predict(frame) {
    const distance = requireColumn(frame, 'distance').values as Float64Array;
    const labels = Array.from(distance, (d) => (d > 1500 ? '1' : '0'));
    return { prediction: Float64Array.from(labels, (l) => (l === '1' ? 0.9 : 0.1)), labels, classes: ['0', '1'] };
  },
  async close() {},
};

async function withSource<T>(body: (source: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-reference-'));
  try {
    const source = join(dir, 'processed_train.parquet');
    await writeParquet(source, processedTrain());
    return await body(source, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const rowIds = (frame: Frame) => requireColumn(frame, 'row_id').values as string[];

test('sampleRowIndices draws distinct ascending indices, all rows when asked for more', () => {
  const sample = Array.from(sampleRowIndices(1000, 100, 5));
  assert.equal(sample.length, 100);
  assert.equal(new Set(sample).size, 100);
  assert.ok(sample.every((v, i) => v >= 0 && v < 1000 && (i === 0 || v > sample[i - 1]!)));
  assert.deepEqual(Array.from(sampleRowIndices(3, 10, 5)), [0, 1, 2]);
});

test('buildReference samples N source rows without replacement and stores the model predictions', async () => {
  await withSource(async (source, dir) => {
    const out = join(dir, 'reference');
    const built = await buildReference({ processedTrain: source, outputDir: out, size: 50, seed: 3, model: distanceRegressor, features: FEATURES, target: 'delay' });
    assert.equal(built.meta.sampleSize, 50);
    assert.equal(built.meta.sourceRows, ROWS);
    const stored = await readTable(join(out, 'reference.parquet'));
    assert.equal(stored.rowCount, 50);
    assert.deepEqual([...stored.columns.keys()], ['row_id', 'event_time', 'distance', 'origin', 'delay', 'prediction']);

    const original = processedTrain();
    const byId = new Map(rowIds(original).map((id, i) => [id, i]));
    const ids = rowIds(stored);
    assert.equal(new Set(ids).size, 50, 'no row drawn twice');
    const times = stored.columns.get('event_time')!.values as Float64Array;
    ids.forEach((id, r) => {
      const i = byId.get(id);
      assert.ok(i !== undefined, `row ${id} comes from the source`);
      for (const name of ['event_time', 'distance', 'origin', 'delay']) {
        assert.deepEqual(stored.columns.get(name)!.values[r], original.columns.get(name)!.values[i], `${name} of ${id}`);
      }
      const distance = (stored.columns.get('distance')!.values as Float64Array)[r]!;
      const prediction = (stored.columns.get('prediction')!.values as Float64Array)[r]!;
      if (Number.isNaN(distance)) assert.ok(Number.isNaN(prediction));
      else assert.equal(prediction, distance / 100);
      if (r > 0) assert.ok(times[r]! > times[r - 1]!, 'rows keep event-time order');
    });
  });
});

test('the same seed picks the same rows; another seed picks others', async () => {
  await withSource(async (source, dir) => {
    const ids = async (seed: number, folder: string) =>
      rowIds((await buildReference({ processedTrain: source, outputDir: join(dir, folder), size: 40, seed, model: distanceRegressor, features: FEATURES, target: 'delay' })).frame);
    const a = await ids(11, 'a');
    assert.deepEqual(await ids(11, 'b'), a);
    assert.notDeepEqual(await ids(12, 'c'), a);
    const all = await buildReference({ processedTrain: source, outputDir: join(dir, 'd'), size: 5000, seed: 1, model: distanceRegressor, features: FEATURES, target: 'delay' });
    assert.equal(all.meta.sampleSize, ROWS, 'a size above the row count keeps every row');
  });
});

test('loadReference restores profiles equal to profiles built from the stored rows', async () => {
  await withSource(async (source, dir) => {
    const out = join(dir, 'reference');
    await buildReference({ processedTrain: source, outputDir: out, size: 120, seed: 9, model: longHaulClassifier, features: FEATURES, target: 'delay', targetType: 'categorical' });
    const loaded = await loadReference(out);
    assert.equal(loaded.meta.model.name, 'long-haul');
    assert.equal(loaded.meta.seed, 9);
    assert.equal(loaded.meta.sourceFile, source);
    assert.deepEqual(loaded.meta.predictions.map((p) => p.name), ['prediction', 'prediction_label']);
    const specs = [...FEATURES, { name: 'delay', type: 'categorical' as const }, ...loaded.meta.predictions];
    assert.deepEqual([...loaded.profiles.keys()], specs.map((s) => s.name));
    assert.deepEqual(loaded.profiles, profileReference(loaded.frame, specs));
    const distance = loaded.profiles.get('distance')!;
    assert.ok(distance.type === 'numerical' && distance.sorted instanceof Float64Array);
    const labels = loaded.frame.columns.get('prediction_label')!.values;
    const distances = loaded.frame.columns.get('distance')!.values as Float64Array;
    labels.forEach((label, r) => assert.equal(label, distances[r]! > 1500 ? '1' : '0'));
  });
});

test('loadReference and buildReference fail with one clear message', async () => {
  await withSource(async (source, dir) => {
    await assert.rejects(loadReference(join(dir, 'nowhere')), /reference profile not found: .*nowhere\/profile\.json/);
    const out = join(dir, 'reference');
    await buildReference({ processedTrain: source, outputDir: out, size: 10, seed: 1, model: distanceRegressor, features: FEATURES, target: 'delay' });
    await writeFile(join(out, 'profile.json'), '{"format":"driftwatch-reference","version":1,"meta":{}}');
    await assert.rejects(loadReference(out), /profile\.json is not a driftwatch reference profile: meta\.model: Required/);
    await assert.rejects(
      buildReference({ processedTrain: source, outputDir: out, size: 10, seed: 1, model: distanceRegressor, features: [{ name: 'dist', type: 'numerical' }], target: 'delay' }),
      /column "dist" not found in .*processed_train\.parquet \(columns: row_id, event_time, distance/,
    );
  });
});

test('the reference command refuses bad usage before loading the model', async () => {
  const { Command } = await import('commander');
  const { register } = await import('../../cli/commands/reference.js');
  const { UsageError } = await import('../../cli/errors.js');
  await withSource(async (source, dir) => {
    const run = (args: string[]) => {
      const program = new Command('driftwatch').exitOverride();
      register(program);
      return program.parseAsync(['node', 'driftwatch', 'reference', '--train', source, '--out', join(dir, 'ref'), '--target', 'delay', ...args]);
    };
    const usage = (args: string[], pattern: RegExp) =>
      assert.rejects(run(args), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
    const model = join(dir, 'model.onnx');
    await usage(['--model', model, '--numerical', 'distance'], /--model: file not found: .*model\.onnx/);
    await usage(['--model', model], /name the feature columns with --numerical and\/or --categorical/);
    await usage(['--model', model, '--numerical', 'distance', '--categorical', 'distance'], /column "distance" is listed twice/);
    await usage(['--model', model, '--numerical', 'distance,delay'], /--target "delay" is also listed as a feature/);
    await usage(['--model', model, '--numerical', 'distance', '--size', '0'], /--size: "0" is not a whole number ≥ 1/);
  });
});
