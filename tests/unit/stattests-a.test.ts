/**
 * Properties of the part A stat tests and their maths that do not need a
 * golden file: closed forms, brute-force enumeration of small permutation
 * distributions, invariances, and input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { besselK } from '../../processor/stats/bessel-k.js';
import { ks2Samp } from '../../processor/stats/ks-two-sample.js';
import { kolmogorovNSf } from '../../processor/stats/kolmogorov-n.js';
import { mannWhitneyExactSf } from '../../processor/stats/mann-whitney-exact.js';
import { smirnovSf } from '../../processor/stats/smirnov.js';
import { floorDivide, roundHalfEven, toFloat16 } from '../../processor/stats/numeric.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';
import { getStatTest } from '../../processor/drift/registry.js';

const close = (actual: number, expected: number, rel: number, label: string): void =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${label}: ${actual} vs ${expected}`);

/** Every way to choose which k of n pooled positions belong to the first sample. */
function* combinations(n: number, k: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) { yield chosen; return; }
  for (let i = start; i <= n - (k - chosen.length); i++) yield* combinations(n, k, i + 1, [...chosen, i]);
}

test('K_1/2 matches its closed form √(π/2x)·e^−x', () => {
  for (const x of [0.003, 0.1, 1, 7.5, 60]) {
    close(besselK(0.5, x), Math.sqrt(Math.PI / (2 * x)) * Math.exp(-x), 1e-13, `x=${x}`);
  }
});

test('KS exact p-values equal brute-force enumeration of all arrangements', () => {
  for (const [n1, n2] of [[4, 6], [5, 5], [3, 7]] as const) {
    const pooled = Array.from({ length: n1 + n2 }, (_, i) => i);
    const statistic = (pick: number[]): number => {
      const a = Float64Array.from(pick);
      const b = Float64Array.from(pooled.filter((v) => !pick.includes(v)));
      return ks2Samp(a, b).statistic;
    };
    const all = [...combinations(n1 + n2, n1)].map((c) => statistic(c));
    for (const observed of [[0, 1, 2, 3, 4, 5, 6].slice(0, n1), [0, 2, 4, 6, 8, 9, 1].slice(0, n1)]) {
      const d = statistic(observed);
      const expected = all.filter((s) => s >= d - 1e-12).length / all.length;
      const a = Float64Array.from(observed).sort();
      const b = Float64Array.from(pooled.filter((v) => !observed.includes(v)));
      close(ks2Samp(a, b).pvalue, expected, 1e-12, `${n1} vs ${n2}, D=${d}`);
    }
  }
});

test('Mann-Whitney exact tail equals enumeration of all arrangements', () => {
  const n1 = 4;
  const n2 = 6;
  const us = [...combinations(n1 + n2, n1)].map((c) => c.reduce((s, r) => s + r + 1, 0) - (n1 * (n1 + 1)) / 2);
  for (let k = 0; k <= n1 * n2; k++) {
    const expected = us.filter((u) => u >= k).length / us.length;
    close(mannWhitneyExactSf(k, n1, n2), expected, 1e-12, `P(U ≥ ${k})`);
  }
});

test('Cramér-von Mises exact p-value (integer counts) equals enumeration', () => {
  const n1 = 4;
  const n2 = 5;
  const uOf = (pick: number[]): number => {
    const rest = Array.from({ length: n1 + n2 }, (_, i) => i).filter((v) => !pick.includes(v));
    const sx = pick.reduce((s, r, i) => s + (r + 1 - (i + 1)) ** 2, 0);
    const sy = rest.reduce((s, r, i) => s + (r + 1 - (i + 1)) ** 2, 0);
    return n1 * sx + n2 * sy;
  };
  const all = [...combinations(n1 + n2, n1)].map(uOf);
  const cvm = getStatTest('cramer_von_mises');
  const observed = [0, 1, 3, 7];
  const current = Array.from({ length: n1 + n2 }, (_, i) => i).filter((v) => !observed.includes(v));
  const expected = all.filter((u) => u >= uOf(observed)).length / all.length;
  const result = cvm.compute(numericalProfile(observed), numericalProfile(current));
  close(result.score, expected, 1e-12, 'p');
});

test('kstwo: closed forms at the ends of the support and the Kolmogorov limit', () => {
  assert.equal(kolmogorovNSf(10, 0.04), 1);
  assert.equal(kolmogorovNSf(10, 1), 0);
  close(kolmogorovNSf(10, 0.95), 2 * 0.05 ** 10, 1e-12, 'x ≥ 1 − 1/n');
  // n!/nⁿ·(2nx − 1)ⁿ for 1/(2n) < x ≤ 1/n (Ruben & Gambino).
  close(1 - kolmogorovNSf(3, 0.3), (6 / 27) * (2 * 0.9 - 1) ** 3, 1e-12, 'x ≤ 1/n');
  const limit = (z: number): number => {
    let s = 0;
    for (let k = 1; k < 100; k++) s += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * z * z);
    return s;
  };
  for (const n of [400, 20000]) {
    for (const z of [0.6, 1, 1.5]) {
      const p = kolmogorovNSf(n, z / Math.sqrt(n));
      assert.ok(Math.abs(p - limit(z)) < 1 / Math.sqrt(n), `n=${n} z=${z}: ${p} vs ${limit(z)}`);
    }
  }
});

test('smirnov: n = 1 and the x ≥ 1 − 1/n closed form', () => {
  assert.equal(smirnovSf(1, 0.3), 0.3);
  close(smirnovSf(5, 0.9), 0.1 ** 5, 1e-12, '(1−x)^n');
  assert.equal(smirnovSf(50, 0), 1);
});

test('numpy rounding helpers', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5].map(roundHalfEven), [0, 2, 2, -0, -2]);
  assert.equal(floorDivide(7, 2), 3);
  assert.equal(floorDivide(-7, 2), -4);
  assert.equal(toFloat16(2049), 2048);
  assert.equal(toFloat16(2051), 2052);
  assert.equal(toFloat16(12870), 12872);
});

test('wasserstein: a shift by c moves W1 by exactly c (normed by the reference std)', () => {
  const reference = [1, 2, 3, 4, 6, 9];
  const shifted = reference.map((v) => v + 0.5);
  const profile = numericalProfile(reference);
  const result = getStatTest('wasserstein').compute(profile, numericalProfile(shifted));
  close(result.score, 0.5 / profile.std, 1e-14, 'normed W1');
});

test('energy distance is symmetric and zero for identical samples', () => {
  const ed = getStatTest('ed');
  const a = numericalProfile([0.1, 0.5, 0.9, 2]);
  const b = numericalProfile([0.3, 0.4, 3]);
  assert.equal(ed.compute(a, a).score, 0);
  close(ed.compute(a, b).score, ed.compute(b, a).score, 1e-15, 'symmetry');
});

test('every part A test is numerical-only and rejects categorical profiles clearly', () => {
  const names = ['ks', 'wasserstein', 'ed', 'anderson', 'cramer_von_mises', 'mannw', 't_test'];
  const cat = categoricalProfile(['a', 'b']);
  const num = numericalProfile([1, 2, 3]);
  for (const name of names) {
    const t = getStatTest(name);
    assert.deepEqual(t.columnTypes, ['numerical']);
    assert.throws(() => t.compute(cat, num), new RegExp(`"${name}" needs numerical`));
  }
});

test('drift rules and titles follow Evidently', () => {
  const expected: Record<string, [string, string]> = {
    ks: ['p_lte', 'K-S p_value'],
    wasserstein: ['d_gte', 'Wasserstein distance (normed)'],
    ed: ['d_gt', 'Energy-distance'],
    anderson: ['p_lt', 'Anderson-Darling'],
    cramer_von_mises: ['p_lte', 'Cramer-von Mises'],
    mannw: ['p_lt', 'Mann-Whitney U-rank test'],
    t_test: ['p_lt', 't_test'],
  };
  for (const [name, [rule, title]] of Object.entries(expected)) {
    assert.equal(getStatTest(name).driftRule, rule, name);
    assert.equal(getStatTest(name).title, title, name);
  }
});
