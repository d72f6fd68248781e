import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf, sliceFrame, takeRows } from '../../processor/frame.js';

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
