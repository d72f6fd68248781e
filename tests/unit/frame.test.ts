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
