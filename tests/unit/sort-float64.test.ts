import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sortFloat64 } from '../../processor/stats/sort-float64.js';

/** A seeded sample mixing signs, zeros of both signs, ties, tiny and huge magnitudes and infinities. */
function sample(n: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    values[i] = r < 0.05 ? -0 : r < 0.1 ? 0 : r < 0.12 ? Infinity : r < 0.14 ? -Infinity : r < 0.3 ? Math.round(next() * 10) - 5
      : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
  }
  return values;
}

test('the radix path sorts exactly as Float64Array.prototype.sort, −0 before +0', () => {
  for (const n of [40_000, 65_537, 200_000]) {
    const values = sample(n, n);
    const expected = Float64Array.from(values).sort();
    const actual = sortFloat64(Float64Array.from(values));
    assert.equal(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      if (!Object.is(actual[i], expected[i])) assert.fail(`n=${n}: index ${i}: ${actual[i]} vs ${expected[i]}`);
    }
  }
});

test('small arrays, constant arrays and subarray views sort in place', () => {
  assert.deepEqual(Array.from(sortFloat64(Float64Array.from([3, -1, 2]))), [-1, 2, 3]);
  const constant = new Float64Array(45_000).fill(7.5);
  assert.ok(sortFloat64(constant).every((v) => v === 7.5));
  const backing = sample(50_000, 9);
  const view = backing.subarray(100, 40_100);
  const expected = Float64Array.from(view).sort();
  sortFloat64(view);
  assert.deepEqual(Array.from(view), Array.from(expected));
});
