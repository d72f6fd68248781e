/**
 * readTable / writeParquet against files written by pyarrow and pandas
 * (tools/fixtures/make_io_fixtures.py); the expected values come from that
 * script's expected.json, never from the reader itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readColumnNames, readTable, TableInputError, writeParquet } from '../../producer/io/index.js';
import { frameOf, type Column, type Frame } from '../../processor/frame.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'io');

interface ExpectedColumn {
  kind: Column['kind'];
  values: (number | string | null)[];
}
interface ExpectedFrame {
  rowCount: number;
  columns: Record<string, ExpectedColumn>;
}
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<string, ExpectedFrame>;

/** expected.json writes non-finite numbers as "nan"/"inf"/"-inf" (tools/golden/common.py). */
function asNumber(value: number | string | null): number {
  if (value === 'nan' || value === null) return NaN;
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return value as number;
}

/**
 * Timestamps of nanosecond files carry sub-millisecond digits that a double of
 * epoch nanoseconds cannot hold exactly: 1 µs is the tolerance there, exact elsewhere.
 */
function assertFrameMatches(frame: Frame, want: ExpectedFrame, label: string): void {
  assert.equal(frame.rowCount, want.rowCount, `${label}: row count`);
  assert.deepEqual([...frame.columns.keys()], Object.keys(want.columns), `${label}: column names and order`);
  for (const [name, column] of Object.entries(want.columns)) {
    const actual = frame.columns.get(name)!;
    assert.equal(actual.kind, column.kind, `${label}.${name}: kind`);
    if (column.kind === 'string') {
      assert.deepEqual(actual.values, column.values, `${label}.${name}`);
      continue;
    }
    const values = Array.from(actual.values as Float64Array);
    column.values.forEach((raw, i) => {
      const wantValue = asNumber(raw);
      const got = values[i]!;
      if (Number.isNaN(wantValue)) assert.ok(Number.isNaN(got), `${label}.${name}[${i}]: got ${got}, expected NaN`);
      else if (column.kind === 'timestamp') assert.ok(Math.abs(got - wantValue) <= 1e-3, `${label}.${name}[${i}]: got ${got}, expected ${wantValue}`);
      else assert.equal(got, wantValue, `${label}.${name}[${i}]`);
    });
  }
}

for (const file of ['typed.parquet', 'typed.arrow', 'typed.feather']) {
  test(`readTable maps every Arrow type of ${file} (nulls, dictionaries, booleans, ints, decimals, timestamps, dates)`, async () => {
    assertFrameMatches(await readTable(join(fixtures, file)), expected.typed!, file);
  });
}

test('readTable infers CSV column types and parses named ISO timestamp columns as UTC', async () => {
  const frame = await readTable(join(fixtures, 'mixed.csv'), { timestampColumns: ['when'] });
  assertFrameMatches(frame, expected['mixed.csv']!, 'mixed.csv');
});

test('a CSV column that looks like dates stays text unless named as a timestamp', async () => {
  const frame = await readTable(join(fixtures, 'mixed.csv'));
  const when = frame.columns.get('when')!;
  assert.equal(when.kind, 'string');
  assert.equal(when.values[0], '2024-05-01T12:30:00Z');
});

test('the columns option reads only the named columns, in the order asked', async () => {
  for (const file of ['typed.parquet', 'typed.arrow', 'mixed.csv']) {
    const names = file.endsWith('.csv') ? ['score', 'origin'] : ['flag', 'int64'];
    const frame = await readTable(join(fixtures, file), { columns: names });
    assert.deepEqual([...frame.columns.keys()], names, file);
  }
  assert.deepEqual(await readColumnNames(join(fixtures, 'typed.parquet')), Object.keys(expected.typed!.columns));
  assert.deepEqual(await readColumnNames(join(fixtures, 'mixed.csv')), Object.keys(expected['mixed.csv']!.columns));
});

test('X/y split fixtures read as written by pandas', async () => {
  const splits = expected.splits as unknown as Record<string, Record<string, (number | string)[]>>;
  const x = await readTable(join(fixtures, 'splits', 'X_train.parquet'));
  assert.deepEqual(Array.from(x.columns.get('distance')!.values as Float64Array), splits.train!.distance);
  assert.deepEqual(x.columns.get('origin')!.values, splits.train!.origin);
});

async function assertInputError(promise: Promise<unknown>, problem: TableInputError['problem'], pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TableInputError, `expected a TableInputError, got ${String(error)}`);
    assert.equal(error.problem, problem);
    assert.match(error.message, pattern);
    return true;
  });
}

test('errors name the file, the column and what is available', async () => {
  const missing = join(fixtures, 'nope.parquet');
  await assertInputError(readTable(missing), 'missing-file', /file not found: .*nope\.parquet/);
  await assertInputError(readTable(join(fixtures, 'expected.json')), 'unsupported-format', /expected\.json: unsupported file type "\.json" \(expected \.parquet/);
  await assertInputError(
    readTable(join(fixtures, 'typed.parquet'), { columns: ['int64', 'nope'] }),
    'unknown-column',
    /column "nope" not found in .*typed\.parquet \(columns: int64, int8, uint32/,
  );
  await assertInputError(readTable(join(fixtures, 'mixed.csv'), { columns: ['Origin'] }), 'unknown-column', /column "Origin" not found in .*mixed\.csv \(columns: distance, origin/);
  await assertInputError(readTable(join(fixtures, 'mixed.csv'), { timestampColumns: ['time'] }), 'unknown-column', /column "time" not found/);
  await assertInputError(readTable(join(fixtures, 'corrupt.parquet')), 'unreadable', /cannot read .*corrupt\.parquet as Parquet: /);
  await assertInputError(readTable(join(fixtures, 'compressed.feather')), 'unreadable', /compressed\.feather as an Arrow IPC file: .*uncompressed/);
  await assertInputError(readTable(fixtures + '/splits.csv'), 'missing-file', /file not found/);
});

test('bad CSV content is one clear error naming file, row and column', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-io-'));
  try {
    const badTime = join(dir, 'bad-time.csv');
    await writeFile(badTime, 'a,t\n1,2024-01-01\n2,yesterday\n');
    await assertInputError(readTable(badTime, { timestampColumns: ['t'] }), 'unreadable', /row 2 of .*bad-time\.csv, column "t": "yesterday" is not an ISO 8601 timestamp/);
    const ragged = join(dir, 'ragged.csv');
    await writeFile(ragged, 'a,b\n1,2\n3\n');
    await assertInputError(readTable(ragged), 'unreadable', /cannot read .*ragged\.csv as CSV: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('writeParquet → readTable round trip keeps values, nulls and kinds', async () => {
  const frame = frameOf([
    ['row_id', { kind: 'string', values: ['5d0c6c3e-0000-4000-8000-000000000001', null, 'ü-non-ascii', ''] }],
    ['event_time', { kind: 'timestamp', values: Float64Array.from([Date.UTC(2024, 4, 1), NaN, -1000, 1e12 + 7]) }],
    ['distance', { kind: 'number', values: Float64Array.from([2176, NaN, -0.5, 1e300]) }],
    ['origin', { kind: 'string', values: ['LAS', 'PHL', null, 'LAS'] }],
  ]);
  const dir = await mkdtemp(join(tmpdir(), 'driftwatch-io-'));
  try {
    const path = join(dir, 'round-trip.parquet');
    await writeParquet(path, frame);
    const back = await readTable(path);
    assert.equal(back.rowCount, 4);
    assert.deepEqual([...back.columns.keys()], ['row_id', 'event_time', 'distance', 'origin']);
    for (const [name, column] of frame.columns) {
      const read = back.columns.get(name)!;
      assert.equal(read.kind, column.kind, name);
      assert.deepEqual(Array.from(read.values as ArrayLike<unknown>), Array.from(column.values as ArrayLike<unknown>), name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
