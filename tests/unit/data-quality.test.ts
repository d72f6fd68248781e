/**
 * Data quality paths the pandas golden cases (tests/golden/quality.json) do not
 * reach: configuration errors, number columns tested as categories, timestamp
 * columns, the text "nan". Expected counts are read off the fixtures by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataQuality, MAX_UNSEEN_VALUES } from '../../processor/quality/index.js';
import { codedStringColumn, frameOf, type Column } from '../../processor/frame.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';
import type { ColumnProfile } from '../../processor/drift/types.js';

const numbers = (...values: number[]) => ({ kind: 'number' as const, values: Float64Array.from(values) });

test('a number column tested as categories is keyed by its text', () => {
  const frame = frameOf([['grade', numbers(1, 2, 3, NaN, 3, 2.5)]]);
  const profiles = new Map<string, ColumnProfile>([['grade', categoricalProfile([1, 2, 2.5])]]);
  const [grade] = dataQuality(frame, [{ name: 'grade', type: 'categorical' }], profiles).columns;
  assert.equal(grade!.missing_count, 1);
  assert.equal(grade!.unseen_count, 2); // the two 3s
  assert.deepEqual(grade!.unseen_values, ['3']);
  assert.equal(grade!.out_of_range_count, null);
});

test('a timestamp column declared numerical is range-checked as epoch ms', () => {
  const frame = frameOf([['at', { kind: 'timestamp', values: Float64Array.from([1000, 5000, NaN, 9000]) }]]);
  const profiles = new Map<string, ColumnProfile>([['at', numericalProfile([1000, 6000])]]);
  const [at] = dataQuality(frame, [{ name: 'at', type: 'numerical' }], profiles).columns;
  assert.equal(at!.missing_count, 1);
  assert.equal(at!.out_of_range_count, 1); // 9000
  assert.equal(at!.out_of_range_share, 1 / 3);
});

test('the text "nan" in a numerical text column is missing, not a type violation', () => {
  const frame = frameOf([['x', { kind: 'string', values: ['1', 'NaN', ' nan ', 'oops', null] }]]);
  const profiles = new Map<string, ColumnProfile>([['x', numericalProfile([0, 2])]]);
  const result = dataQuality(frame, [{ name: 'x', type: 'numerical' }], profiles);
  assert.equal(result.columns[0]!.missing_count, 3);
  assert.equal(result.columns[0]!.type_violations, 1);
  assert.equal(result.rows_with_missing, 3);
});

test('unseen values are listed ascending and capped', () => {
  const values = Array.from({ length: MAX_UNSEEN_VALUES + 5 }, (_, i) => `v${String(100 - i)}`);
  const frame = frameOf([['c', { kind: 'string', values }]]);
  const profiles = new Map<string, ColumnProfile>([['c', categoricalProfile(['a'])]]);
  const [c] = dataQuality(frame, [{ name: 'c', type: 'categorical' }], profiles).columns;
  assert.equal(c!.unseen_count, MAX_UNSEEN_VALUES + 5);
  assert.equal(c!.unseen_values.length, MAX_UNSEEN_VALUES);
  // String order, as the reference categories: "v100" < "v76" < … < "v94"; "v95"–"v99" fall past the cap.
  assert.equal(c!.unseen_values[0], 'v100');
  assert.equal(c!.unseen_values[MAX_UNSEEN_VALUES - 1], 'v94');
});

test('configuration errors name the column', () => {
  const frame = frameOf([['x', numbers(1, 2)]]);
  assert.throws(
    () => dataQuality(frame, [{ name: 'x', type: 'numerical' }], new Map()),
    /no reference profile for column "x"/,
  );
  assert.throws(
    () => dataQuality(frame, [{ name: 'x', type: 'numerical' }], new Map([['x', categoricalProfile(['1'])]])),
    /column "x" is declared numerical but its reference profile is categorical/,
  );
  assert.throws(
    () => dataQuality(frame, [{ name: 'y', type: 'numerical' }], new Map([['y', numericalProfile([1])]])),
    /column "y" not found in the current data/,
  );
});

test('a huge unseen value is cut so window messages stay small', async () => {
  const { dataQuality, MAX_UNSEEN_VALUE_LENGTH } = await import('../../processor/quality/data-quality.js');
  const { categoricalProfile } = await import('../../processor/drift/profile.js');
  const huge = 'x'.repeat(10_000);
  const frame = { rowCount: 2, columns: new Map([['c', { kind: 'string' as const, values: [huge, 'a'] }]]) };
  const result = dataQuality(frame, [{ name: 'c', type: 'categorical' }], new Map([['c', categoricalProfile(['a'])]]));
  assert.equal(result.columns[0]!.unseen_count, 1);
  assert.equal(result.columns[0]!.unseen_values[0], `${'x'.repeat(MAX_UNSEEN_VALUE_LENGTH)}…`);
});

test('categorical text as codes gives what its strings give', () => {
  const dictionary = ['b', 'a', 'zz', 'unseen 2', 'unseen 1', 'never used'];
  const codes = Uint16Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? 0 : 1 + ((i * 3) % 5)));
  const strings = Array.from(codes, (code) => (code === 0 ? null : dictionary[code - 1]!));
  const profiles = new Map<string, ColumnProfile>([['c', categoricalProfile(['a', 'b', 'zz', 'never used'])], ['x', numericalProfile([0, 1])]]);
  const x = numbers(...Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? NaN : 0.5)));
  const specs = [{ name: 'c', type: 'categorical' as const }, { name: 'x', type: 'numerical' as const }];
  const coded = codedStringColumn({ codes, dictionary });
  const fromCodes = dataQuality({ rowCount: 400, columns: new Map<string, Column>([['c', coded], ['x', x]]) }, specs, profiles);
  assert.deepEqual(fromCodes, dataQuality(frameOf([['c', { kind: 'string', values: strings }], ['x', x]]), specs, profiles));
  assert.ok(fromCodes.columns[0]!.unseen_count > 0 && fromCodes.rows_with_missing > fromCodes.columns[0]!.missing_count);
});
