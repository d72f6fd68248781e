import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codedStringColumn, frameOf, sliceColumn, sliceFrame, takeRows } from '../../processor/frame.js';
import { categoricalProfile, numericalProfile, profileColumn } from '../../processor/drift/profile.js';
import { sortFloat64 } from '../../processor/stats/sort-float64.js';

test('frameOf rejects columns of different lengths', () => {
  assert.throws(
    () => frameOf([['a', { kind: 'number', values: new Float64Array(2) }], ['b', { kind: 'string', values: ['x'] }]]),
    /column "b" has 1 rows, expected 2/,
  );
});

test('sliceFrame and takeRows select rows of every column', () => {
  const frame = frameOf([
    ['a', { kind: 'number', values: Float64Array.from([1, 2, 3]) }],
    ['b', { kind: 'string', values: ['x', null, 'z'] }],
  ]);
  const slice = sliceFrame(frame, 1, 3);
  assert.equal(slice.rowCount, 2);
  assert.deepEqual(Array.from(slice.columns.get('a')!.values as Float64Array), [2, 3]);
  const taken = takeRows(frame, [2, 0]);
  assert.deepEqual(taken.columns.get('b')!.values, ['z', 'x']);
});

test('concatFrames appends rows and names a mismatching source', async () => {
  const { concatFrames } = await import('../../processor/frame.js');
  const a = frameOf([['x', { kind: 'number', values: Float64Array.from([1]) }], ['s', { kind: 'string', values: ['a'] }]]);
  const b = frameOf([['x', { kind: 'number', values: Float64Array.from([2, 3]) }], ['s', { kind: 'string', values: [null, 'c'] }]]);
  const both = concatFrames([a, b]);
  assert.equal(both.rowCount, 3);
  assert.deepEqual(Array.from(both.columns.get('x')!.values as Float64Array), [1, 2, 3]);
  assert.deepEqual(both.columns.get('s')!.values, ['a', null, 'c']);
  const c = frameOf([['x', { kind: 'string', values: ['1'] }], ['s', { kind: 'string', values: ['a'] }]]);
  assert.throws(() => concatFrames([a, c], ['train.parquet', 'test.parquet']), /column "x" is string in test\.parquet but number in train\.parquet/);
});

test('a coded text column reads as its strings, slices as codes and profiles as its strings', () => {
  const dictionary = ['ORD', 'ATL', 'BOS'];
  const codes = Uint16Array.from([1, 0, 2, 3, 2, 0, 1]);
  const strings = ['ORD', null, 'ATL', 'BOS', 'ATL', null, 'ORD'];
  const column = codedStringColumn({ codes, dictionary });
  assert.deepEqual(column, { kind: 'string', values: strings });
  assert.equal(column.values, column.values, 'built once');
  const slice = sliceColumn(column, 2, 5);
  assert.ok(slice.kind === 'string' && slice.coded);
  assert.deepEqual(slice.values, strings.slice(2, 5));
  assert.deepEqual(profileColumn(codedStringColumn({ codes, dictionary }), 'categorical'), categoricalProfile(strings));
});

test('numerical profiles of few distinct values (counted, not sorted) equal the sorted ones, −0 and +0 kept apart', () => {
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const few = [0, -0, 1.5, -2, NaN, Infinity, -Infinity, 7, 1e300, -1e-300];
  for (const [name, values] of [
    ['specials', Float64Array.from({ length: 60_000 }, () => few[Math.floor(random() * few.length)]!)],
    ['only −0 and negatives', Float64Array.from({ length: 500 }, () => (random() < 0.5 ? -0 : -1))],
    ['1024 distinct', Float64Array.from({ length: 50_000 }, (_, i) => i % 1024)],
    ['1025 distinct (sorted)', Float64Array.from({ length: 50_000 }, (_, i) => (i * 7) % 1025)],
    ['empty', new Float64Array(0)],
  ] as const) {
    const profile = numericalProfile(values);
    const sorted = sortFloat64(values.filter((v) => Number.isFinite(v)));
    assert.ok(profile.sorted.length === sorted.length && profile.sorted.every((v, i) => Object.is(v, sorted[i])), name);
    // Runs of equal values (−0 === +0), each keyed by its first value, as the sorted path has them.
    const distinct: number[] = [];
    const counts: number[] = [];
    sorted.forEach((v, i) => {
      if (i === 0 || v !== sorted[i - 1]) {
        distinct.push(v);
        counts.push(0);
      }
      counts[counts.length - 1]! += 1;
    });
    assert.deepEqual([...profile.distinct], distinct, name);
    assert.deepEqual([...profile.distinctCounts], counts, name);
    assert.equal(profile.dropped, values.length - sorted.length, name);
  }
});
