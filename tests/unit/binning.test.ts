/**
 * The binning helper's edge semantics, checked against hand-worked numpy
 * results (the bulk parity proof is tests/golden/stattests-b.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binnedShares,
  fillZeros,
  histogramCounts,
  linspace,
  sturgesEdges,
  usesHistogramBins,
} from '../../processor/drift/binning.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';

test('histogramCounts: inner edges belong to the right bin, the last edge to the last bin', () => {
  // np.histogram([0, 1, 1, 2, 3, 4], bins=[0, 1, 2, 4]) → [1, 2, 3]
  assert.deepEqual(Array.from(histogramCounts([0, 1, 1, 2, 3, 4], [0, 1, 2, 4])), [1, 2, 3]);
  // Values outside the edges are not counted: np.histogram([-1, 0.5, 5], bins=[0, 1]) → [1]
  assert.deepEqual(Array.from(histogramCounts([-1, 0.5, 5], [0, 1])), [1]);
});

test('sturgesEdges: numpy expands a zero range by ±0.5 into one bin', () => {
  // np.histogram_bin_edges([2.0, 2.0, 2.0], bins="sturges") → [1.5, 2.5]
  assert.deepEqual(Array.from(sturgesEdges(2, 2, 3)), [1.5, 2.5]);
});

test('sturgesEdges: int64 arrays get a width of at least 1', () => {
  // np.histogram_bin_edges(np.array([0, 1]), "sturges") → [0., 1.]; as floats → [0., 0.5, 1.]
  assert.deepEqual(Array.from(sturgesEdges(0, 1, 2, true)), [0, 1]);
  assert.deepEqual(Array.from(sturgesEdges(0, 1, 2, false)), [0, 0.5, 1]);
});

test('sturgesEdges refuses a range too narrow for its bins, as numpy does', () => {
  const x = 1e300;
  const next = x + 2 ** (Math.floor(Math.log2(x)) - 52);
  assert.throws(() => sturgesEdges(x, next, 1000), /too many bins for data range/);
});

test('linspace keeps both ends exact and handles a denormal step', () => {
  // np.linspace(0.1, 1.1, 7): i·step + start (i·delta/div + start would give other last digits)
  assert.deepEqual(Array.from(linspace(0.1, 1.1, 7)), [
    0.1, 0.26666666666666666, 0.43333333333333335, 0.6, 0.7666666666666666, 0.9333333333333332, 1.1,
  ]);
  // np.linspace(0, 5e-324, 3) → [0, 0, 5e-324] (step underflows to 0: scaled by i/div instead)
  assert.deepEqual(Array.from(linspace(0, 5e-324, 3)), [0, 0, 5e-324]);
});

test('fillZeros: 1e-4 unless the smallest share is ≤ 1e-4, then that share / 1e6', () => {
  assert.deepEqual(Array.from(fillZeros(Float64Array.from([0, 0.5, 0.5]))), [0.0001, 0.5, 0.5]);
  assert.deepEqual(Array.from(fillZeros(Float64Array.from([0, 0.00005, 0.99995]))), [0.00005 / 1e6, 0.00005, 0.99995]);
});

test('histogram bins only above 20 distinct reference values, and only for numerical columns', () => {
  const twenty = numericalProfile(Array.from({ length: 40 }, (_, i) => i % 20));
  const twentyOne = numericalProfile(Array.from({ length: 42 }, (_, i) => i % 21));
  assert.equal(usesHistogramBins(twenty), false);
  assert.equal(usesHistogramBins(twentyOne), true);
  assert.equal(usesHistogramBins(categoricalProfile(Array.from({ length: 30 }, (_, i) => `c${i}`))), false);
});

test('per-value bins cover the union of keys; a key missing on one side is zero until filled', () => {
  const reference = categoricalProfile(['a', 'a', 'b', 'c']);
  const current = categoricalProfile(['a', 'd']);
  const raw = binnedShares(reference, current, false);
  assert.deepEqual(Array.from(raw.reference), [0.5, 0.25, 0.25, 0]);
  assert.deepEqual(Array.from(raw.current), [0.5, 0, 0, 0.5]);
  const filled = binnedShares(reference, current, true);
  assert.deepEqual(Array.from(filled.reference), [0.5, 0.25, 0.25, 0.0001]);
  assert.deepEqual(Array.from(filled.current), [0.5, 0.0001, 0.0001, 0.5]);
});

test('hellinger sizes its sturges bins by the distinct values of ref ∪ cur', async () => {
  const { distinctUnionSize } = await import('../../processor/drift/distinct.js');
  const size = (a: number[], b: number[]) => distinctUnionSize(numericalProfile(a), numericalProfile(b));
  assert.equal(size([1, 2, 3], [0, 2, 4]), 5);
  assert.equal(size([5, 5], [5]), 1);
  assert.equal(size([1, 2], [3, 4, 5]), 5);
  assert.equal(size([3, 4], [1, 2, 3, 4]), 4);
  assert.equal(size(Array.from({ length: 1000 }, (_, i) => i), [-1, 0, 500.5, 999, 1000]), 1003);
});
