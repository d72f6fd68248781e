/**
 * The approximate mode's summaries against what they summarise, computed here
 * by plain sorting and counting: exact while few distinct values, every order
 * statistic within the relative accuracy α once sketched, merge-order
 * independent, exact category counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CategoryCounts, noCollapseBinLimit, NumericalSketch, sketchProfile, WindowSketch } from '../../processor/drift/approx/index.js';
import { driftAgainstProfiles, profileReference } from '../../processor/drift/compare.js';
import type { Column, Frame } from '../../processor/frame.js';
import { seededRandom as random } from '../seeded-random.js';

function normals(n: number, seed: number, mean: number, std: number): Float64Array {
  const next = random(seed);
  return Float64Array.from({ length: n }, () => mean + std * Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next()));
}

const plainSort = (values: ArrayLike<number>): number[] => Array.from(values).filter(Number.isFinite).sort((a, b) => a - b);

test('few distinct values: the profile is the exact one (sorted sample, distinct values, counts, min, max)', () => {
  const next = random(1);
  const values = Float64Array.from({ length: 5000 }, () => Math.floor(next() * 24));
  values[7] = NaN;
  values[9] = Infinity;
  const sketch = new NumericalSketch();
  sketch.add(values);
  assert.equal(sketch.isExact, true);
  const profile = sketchProfile(sketch);
  const expected = plainSort(values);
  assert.deepEqual(Array.from(profile.sorted), expected);
  assert.equal(profile.count, 4998);
  assert.equal(profile.dropped, 2);
  assert.deepEqual(Array.from(profile.distinct), [...new Set(expected)]);
  assert.deepEqual(Array.from(profile.distinctCounts), [...new Set(expected)].map((v) => expected.filter((x) => x === v).length));
  assert.equal(profile.min, 0);
  assert.equal(profile.max, 23);
});

test('sketched: every order statistic is within α·|value| of the true one; count, min, max exact', () => {
  const values = normals(20_000, 2, 8, 25);
  const alpha = 0.005;
  const sketch = new NumericalSketch({ relativeAccuracy: alpha, maxExactValues: 100 });
  sketch.add(values);
  assert.equal(sketch.isExact, false);
  const profile = sketchProfile(sketch);
  const exact = plainSort(values);
  assert.equal(profile.count, exact.length);
  assert.equal(profile.min, exact[0]);
  assert.equal(profile.max, exact[exact.length - 1]);
  let worst = 0;
  for (let k = 0; k < exact.length; k++) {
    worst = Math.max(worst, Math.abs(profile.sorted[k]! - exact[k]!) / Math.abs(exact[k]!));
  }
  assert.ok(worst <= alpha * (1 + 1e-9), `worst relative error ${worst}`);
  assert.ok(profile.distinct.length < 2000, `${profile.distinct.length} buckets`);
});

test('sketched: Wasserstein-1 to the exact sample is at most α·mean|x| (equal sizes: mean |a_k − b_k|)', () => {
  const values = normals(10_000, 3, -40, 10);
  const alpha = 0.01;
  const sketch = new NumericalSketch({ relativeAccuracy: alpha, maxExactValues: 0 });
  sketch.add(values);
  const approx = sketchProfile(sketch).sorted;
  const exact = plainSort(values);
  let w = 0;
  let meanAbs = 0;
  for (let k = 0; k < exact.length; k++) {
    w += Math.abs(approx[k]! - exact[k]!);
    meanAbs += Math.abs(exact[k]!);
  }
  assert.ok(w / exact.length <= (alpha * meanAbs) / exact.length, `W1 ${w / exact.length}`);
  assert.ok(w > 0, 'a sketch of continuous values is not exact');
});

test('merging parts in any order gives the same state as one sketch of all rows', () => {
  const parts = [normals(3000, 4, 0, 1), normals(2000, 5, 3, 2), Float64Array.from({ length: 50 }, (_, i) => i % 5)];
  const whole = new NumericalSketch({ maxExactValues: 200 });
  for (const part of parts) whole.add(part);
  const expected = whole.weightedValues();
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]]) {
    const merged = new NumericalSketch({ maxExactValues: 200 });
    for (const i of order) {
      const piece = new NumericalSketch({ maxExactValues: 200 });
      piece.add(parts[i]!);
      merged.merge(piece);
    }
    const got = merged.weightedValues();
    assert.deepEqual(Array.from(got.values), Array.from(expected.values), `order ${order}`);
    assert.deepEqual(Array.from(got.counts), Array.from(expected.counts), `order ${order}`);
    assert.equal(merged.count, 5050);
  }
  assert.throws(() => whole.merge(new NumericalSketch({ relativeAccuracy: 0.02 })), /different settings/);
});

test('above maxRows the profile is a quantile grid: maxRows values at ranks (i + ½)·n/maxRows', () => {
  const values = normals(8000, 6, 100, 15);
  const sketch = new NumericalSketch({ relativeAccuracy: 0.005, maxExactValues: 0 });
  sketch.add(values);
  const profile = sketchProfile(sketch, 1000);
  assert.equal(profile.count, 1000);
  const exact = plainSort(values);
  for (let i = 0; i < 1000; i++) {
    const truth = exact[Math.floor(((i + 0.5) * 8000) / 1000)]!;
    assert.ok(Math.abs(profile.sorted[i]! - truth) <= 0.005 * truth * (1 + 1e-9), `grid point ${i}: ${profile.sorted[i]} vs ${truth}`);
  }
  assert.equal(profile.min, exact[0]);
  assert.equal(profile.max, exact[7999]);
});

test('category counts are exact; null is dropped; merge adds counts', () => {
  const a = new CategoryCounts();
  a.add(['ATL', 'ORD', null, 'ATL']);
  const b = new CategoryCounts();
  b.add(['SFO', 'ATL', undefined]);
  a.merge(b);
  const profile = a.toProfile();
  assert.deepEqual(profile.categories, ['ATL', 'ORD', 'SFO']);
  assert.deepEqual(Array.from(profile.categoryCounts), [3, 1, 1]);
  assert.equal(profile.count, 5);
  assert.equal(profile.dropped, 2);
});

test('a window of few-valued columns gives exactly the exact engine\'s drift', () => {
  const next = random(7);
  const frameOf = (n: number, shift: number): Frame => new Map<string, Column>([
    ['hour', { kind: 'number', values: Float64Array.from({ length: n }, () => Math.floor(next() * 24 * (1 - shift) + shift * 10)) }],
    ['airport', { kind: 'string', values: Array.from({ length: n }, () => `A${Math.floor(next() * (20 + shift * 10))}`) }],
  ]) as unknown as Frame;
  const wrap = (n: number, shift: number): Frame => ({ rowCount: n, columns: frameOf(n, shift) as unknown as Map<string, Column> });
  const specs = [{ name: 'hour', type: 'numerical' as const }, { name: 'airport', type: 'categorical' as const }];
  const reference = profileReference(wrap(3000, 0), specs);
  const batches = [wrap(1500, 0.3), wrap(2500, 0.3)];
  const sketch = new WindowSketch(specs);
  for (const batch of batches) sketch.add(batch);
  const whole: Frame = {
    rowCount: 4000,
    columns: new Map<string, Column>([
      ['hour', { kind: 'number', values: Float64Array.from([...(batches[0]!.columns.get('hour')!.values as Float64Array), ...(batches[1]!.columns.get('hour')!.values as Float64Array)]) }],
      ['airport', { kind: 'string', values: [...(batches[0]!.columns.get('airport')!.values as string[]), ...(batches[1]!.columns.get('airport')!.values as string[])] }],
    ]),
  };
  assert.deepEqual(sketch.drift(reference), driftAgainstProfiles(reference, whole, specs));
});

test('centred: the error is relative to the distance from the center, not to the value', () => {
  const next = random(8);
  const values = Float64Array.from({ length: 5000 }, () => 1000 + next());
  const alpha = 0.005;
  const center = 1000.5;
  const sketch = new NumericalSketch({ relativeAccuracy: alpha, maxExactValues: 0, center });
  sketch.add(values);
  const approx = sketchProfile(sketch).sorted;
  const exact = plainSort(values);
  for (let k = 0; k < exact.length; k++) {
    assert.ok(Math.abs(approx[k]! - exact[k]!) <= alpha * Math.abs(exact[k]! - center) * (1 + 1e-9) + 1e-12, `rank ${k}: ${approx[k]} vs ${exact[k]}`);
  }
  assert.throws(() => sketch.merge(new NumericalSketch({ relativeAccuracy: alpha, maxExactValues: 0 })), /different settings/);
});

test('toParts → fromParts gives the same sketch in both regimes; parts do not depend on order', () => {
  const values = normals(5000, 11, 0, 1e6);
  values[3] = NaN;
  values[4] = 1e-300;
  for (const options of [{}, { maxExactValues: 50 }, { maxExactValues: 50, binLimit: noCollapseBinLimit(0.005) }]) {
    const forward = new NumericalSketch(options);
    forward.add(values);
    const backward = new NumericalSketch(options);
    backward.add(Float64Array.from(values).reverse());
    assert.deepEqual(backward.toParts(), forward.toParts());
    const copy = NumericalSketch.fromParts(forward.toParts());
    assert.deepEqual(copy.toParts(), forward.toParts());
    assert.deepEqual(sketchProfile(copy), sketchProfile(forward));
  }
  const parts = new NumericalSketch({ maxExactValues: 10 }).toParts();
  assert.throws(() => NumericalSketch.fromParts({ ...parts, exact: null, positive: [[3, 2]], count: 5 }), /buckets hold 2 values but count is 5/);
});

test('the default never collapses: values over 600 orders of magnitude keep their count whatever the order (the library\'s collapse inflates it)', () => {
  for (const relativeAccuracy of [0.005, 0.02]) assert.equal(new NumericalSketch({ relativeAccuracy }).binLimit, noCollapseBinLimit(relativeAccuracy));
  const values = Float64Array.from({ length: 3000 }, (_, i) => Math.exp((((i * 7919) % 3000) / 3000) * 1400 - 700));
  const sorted = Float64Array.from(values).sort();
  const sketchOf = (input: Float64Array) => {
    const sketch = new NumericalSketch({ maxExactValues: 0 });
    sketch.add(input);
    return sketch.toParts();
  };
  const parts = sketchOf(sorted);
  assert.equal(parts.positive.reduce((sum, [, count]) => sum + count, 0), 3000);
  assert.deepEqual(sketchOf(values), parts);
  assert.deepEqual(sketchOf(Float64Array.from(sorted).reverse()), parts);
});
