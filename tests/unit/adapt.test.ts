/**
 * `adapt` on the pandas-written X/y fixtures (tools/fixtures/make_io_fixtures.py):
 * join, event-time layout, row ids, and the errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapt, defaultStart, type SplitFiles } from '../../producer/adapt.js';
import { readTable, writeParquet } from '../../producer/io/index.js';
import { frameOf } from '../../processor/frame.js';
import { parseDuration } from '../../cli/duration.js';
import { UsageError } from '../../cli/errors.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'io');
const splitsDir = join(fixtures, 'splits');
const expected = (JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as {
  splits: Record<string, { distance: number[]; origin: string[]; delay: number[] }>;
}).splits;

const START = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-adapt-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const splitFiles = (name: string): SplitFiles => ({ name, x: join(splitsDir, `X_${name}.parquet`), y: join(splitsDir, `y_${name}.parquet`) });

test('adapt joins X and y per split and lays event times back from start: test newest, train oldest', async () => {
  await withTempDir(async (out) => {
    const summary = await adapt({ inputDir: splitsDir, outputDir: out, start: START, stepMs: MINUTE, seed: 1 });
    assert.deepEqual(summary.splits.map((s) => [s.name, s.rows]), [['train', 5], ['validation', 3], ['test', 2]]);
    assert.deepEqual(summary.featureColumns, ['distance', 'origin']);
    assert.deepEqual(summary.targetColumns, ['delay']);

    // 10 rows in all: test's last row is START, test's first START − 1 min,
    // validation covers START − 4 … − 2 min, train START − 9 … − 5 min.
    const firstAndLast: Record<string, [number, number]> = {
      train: [START - 9 * MINUTE, START - 5 * MINUTE],
      validation: [START - 4 * MINUTE, START - 2 * MINUTE],
      test: [START - 1 * MINUTE, START],
    };
    for (const name of ['train', 'validation', 'test']) {
      const frame = await readTable(join(out, `processed_${name}.parquet`));
      assert.deepEqual([...frame.columns.keys()], ['row_id', 'event_time', 'distance', 'origin', 'delay'], name);
      assert.equal(frame.columns.get('event_time')!.kind, 'timestamp');
      const times = Array.from(frame.columns.get('event_time')!.values as Float64Array);
      const [first, last] = firstAndLast[name]!;
      assert.equal(times[0], first, `${name} first event time`);
      assert.equal(times[times.length - 1], last, `${name} last event time`);
      times.slice(1).forEach((t, i) => assert.equal(t - times[i]!, MINUTE, `${name} step at row ${i + 1}`));
      assert.deepEqual(Array.from(frame.columns.get('distance')!.values as Float64Array), expected[name]!.distance, `${name} distance`);
      assert.deepEqual(frame.columns.get('origin')!.values, expected[name]!.origin, `${name} origin`);
      assert.deepEqual(Array.from(frame.columns.get('delay')!.values as Float64Array), expected[name]!.delay, `${name} delay`);
      for (const id of frame.columns.get('row_id')!.values as string[]) assert.match(id, UUID_V4);
    }
  });
});

test('the order the splits are given in does not change the time line', async () => {
  await withTempDir(async (out) => {
    const summary = await adapt({
      splits: [splitFiles('test'), splitFiles('train'), splitFiles('validation')],
      outputDir: out,
      start: START,
      stepMs: parseDuration('30s'),
    });
    assert.deepEqual(summary.splits.map((s) => s.name), ['train', 'validation', 'test']);
    assert.equal(summary.splits[0]!.firstEventTime, START - 9 * 30_000);
    assert.equal(summary.splits[2]!.lastEventTime, START);
  });
});

test('a seed makes row ids reproducible; without one they differ run to run', async () => {
  await withTempDir(async (out) => {
    const idsOf = async (seed: number | undefined, folder: string) => {
      await adapt({ inputDir: splitsDir, outputDir: join(out, folder), start: START, ...(seed === undefined ? {} : { seed }) });
      const ids: (string | null)[] = [];
      for (const name of ['train', 'validation', 'test']) {
        ids.push(...((await readTable(join(out, folder, `processed_${name}.parquet`))).columns.get('row_id')!.values as (string | null)[]));
      }
      return ids;
    };
    const a = await idsOf(42, 'a');
    const b = await idsOf(42, 'b');
    const c = await idsOf(43, 'c');
    const d = await idsOf(undefined, 'd');
    assert.deepEqual(a, b);
    assert.equal(new Set(a).size, 10, 'ids are unique');
    assert.notDeepEqual(a, c);
    assert.equal(a.filter((id) => c.includes(id)).length, 0);
    assert.equal(d.filter((id) => a.includes(id)).length, 0);
    for (const id of [...a, ...c, ...d]) assert.match(id!, UUID_V4);
  });
});

test('default start is now truncated to the minute', () => {
  assert.equal(defaultStart(Date.UTC(2024, 0, 1, 10, 5, 59, 999)), Date.UTC(2024, 0, 1, 10, 5));
});

test('mismatched row counts name both files', async () => {
  await withTempDir(async (out) => {
    const split = { name: 'train', x: splitFiles('train').x, y: splitFiles('test').y };
    await assert.rejects(adapt({ splits: [split], outputDir: out }), /row counts differ for split "train": .*X_train\.parquet has 5 rows, .*y_test\.parquet has 2/);
  });
});

test('a split missing a feature column is one error naming the file and the column', async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, 'in');
    await mkdir(input);
    for (const name of ['train', 'test']) {
      await copyFile(join(splitsDir, `y_${name}.parquet`), join(input, `y_${name}.parquet`));
    }
    await copyFile(join(splitsDir, 'X_train.parquet'), join(input, 'X_train.parquet'));
    await writeParquet(join(input, 'X_test.parquet'), frameOf([['distance', { kind: 'number', values: Float64Array.from([1, 2]) }]]));
    await assert.rejects(adapt({ inputDir: input, outputDir: join(dir, 'out') }), /X_test\.parquet lacks column\(s\) "origin" found in .*X_train\.parquet/);

    await writeParquet(join(input, 'X_test.parquet'), frameOf([
      ['distance', { kind: 'number', values: Float64Array.from([1, 2]) }],
      ['origin', { kind: 'string', values: ['LAS', 'SFO'] }],
      ['row_id', { kind: 'string', values: ['a', 'b'] }],
    ]));
    await assert.rejects(adapt({ inputDir: input, outputDir: join(dir, 'out') }), /X_test\.parquet already has column\(s\) "row_id"/);

    await copyFile(join(splitsDir, 'X_validation.parquet'), join(input, 'X_validation.parquet'));
    await assert.rejects(adapt({ inputDir: input, outputDir: join(dir, 'out') }), /X_validation\.parquet has no matching target file y_validation/);
  });
});

test('parseDuration reads 30s, 1m, 60m, 1h and refuses bare or negative numbers', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('60m'), 3_600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('250ms'), 250);
  for (const bad of ['5', '-1m', '1.5m', '0s', '1M', 'm']) {
    assert.throws(() => parseDuration(bad, '--step'), (e: unknown) => e instanceof UsageError && /--step: /.test(e.message), bad);
  }
});

test('the adapt command wires options to adapt and reports bad usage as UsageError', async () => {
  const { Command } = await import('commander');
  const { register } = await import('../../cli/commands/adapt.js');
  const run = (args: string[]) => {
    const program = new Command('driftwatch').exitOverride();
    register(program);
    return program.parseAsync(['node', 'driftwatch', 'adapt', ...args]);
  };
  await withTempDir(async (out) => {
    await run(['--dir', splitsDir, '--out', out, '--start', '2024-05-01T12:00:00Z', '--step', '2m', '--seed', '5']);
    const test = await readTable(join(out, 'processed_test.parquet'));
    assert.deepEqual(Array.from(test.columns.get('event_time')!.values as Float64Array), [START - 2 * MINUTE, START]);
    const usage = (args: string[], pattern: RegExp) =>
      assert.rejects(run(args), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
    await usage(['--dir', join(out, 'missing'), '--out', out], /input folder not found/);
    await usage(['--dir', splitsDir, '--out', out, '--step', '1'], /--step: "1" is not a duration/);
    await usage(['--dir', splitsDir, '--out', out, '--start', 'tomorrow'], /--start: "tomorrow" is not an ISO 8601 time/);
    await usage(['--dir', splitsDir, '--out', out, '--seed', '-3'], /--seed: "-3" is not a whole number/);
    await usage(['--x', join(splitsDir, 'X_train.parquet'), '--name', 'train', '--out', out], /each split needs one --x, one --y and one --name/);
    await usage(['--x', join(splitsDir, 'X_train.parquet'), '--y', join(splitsDir, 'y_train.csv'), '--name', 'train', '--out', out], /file not found: .*y_train\.csv/);
    await usage(['--x', join(fixtures, 'expected.json'), '--y', join(splitsDir, 'y_train.parquet'), '--name', 'train', '--out', out], /expected\.json: unsupported file type/);
  });
});
