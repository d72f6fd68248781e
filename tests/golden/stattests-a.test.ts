/**
 * Part A numerical stat tests against Evidently 0.7.21 / scipy 1.17
 * (tests/golden/stattests-a.json, written by tools/golden/stattests_a.py).
 * Each case runs the test on profiles built from the raw input (NaN/±inf
 * dropped by numericalProfile) and compares score, statistic and verdict.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGolden, assertClose, closeEnough } from './golden.js';
import { numericalProfile } from '../../processor/drift/profile.js';
import { getStatTest } from '../../processor/drift/registry.js';
import { isDrift } from '../../processor/drift/types.js';

interface StatCase {
  test: string;
  name: string;
  reference: number[];
  current: number[];
  default_threshold: number;
  score?: number;
  statistic?: number;
  drift?: boolean;
  error?: string;
  scipy_score?: number;
  scipy_statistic?: number;
}

const golden = loadGolden<StatCase>('stattests-a');

/** Worst relative error per test, printed at the end for the record. */
const worst = new Map<string, number>();
function record(testName: string, actual: number, expected: number): void {
  if (!Number.isFinite(expected) || expected === 0) return;
  const rel = Math.abs(actual - expected) / Math.abs(expected);
  worst.set(testName, Math.max(worst.get(testName) ?? 0, rel));
}

for (const c of golden.cases) {
  test(`${c.test}: ${c.name}`, () => {
    const statTest = getStatTest(c.test);
    assert.equal(statTest.defaultThreshold, c.default_threshold, 'default threshold');
    const reference = numericalProfile(c.reference);
    const current = numericalProfile(c.current);
    const label = `${c.test} "${c.name}"`;
    if (c.error !== undefined && c.scipy_score === undefined) {
      assert.throws(() => statTest.compute(reference, current), Error, `${label}: Evidently raised ${c.error}`);
      return;
    }
    const result = statTest.compute(reference, current);
    const expectedScore = c.scipy_score ?? c.score!;
    const scoreKind = statTest.scoreKind === 'p_value' ? 'p_value' : 'statistic';
    assertClose(result.score, expectedScore, scoreKind, `${label} score`);
    record(c.test, result.score, expectedScore);
    const expectedStatistic = c.scipy_statistic ?? c.statistic;
    if (expectedStatistic !== undefined) {
      assert.ok(result.statistic !== undefined, `${label}: statistic missing`);
      assertClose(result.statistic, expectedStatistic, 'statistic', `${label} statistic`);
    }
    if (c.drift !== undefined && closeEnough(result.score, c.default_threshold, 'statistic') === false) {
      assert.equal(isDrift(statTest.driftRule, result.score, c.default_threshold), c.drift, `${label} drift verdict`);
    }
  });
}

test('golden file covers every part A test with enough cases', () => {
  const counts = new Map<string, number>();
  for (const c of golden.cases) counts.set(c.test, (counts.get(c.test) ?? 0) + 1);
  for (const name of ['ks', 'wasserstein', 'ed', 'anderson', 'cramer_von_mises', 'mannw', 't_test']) {
    assert.ok((counts.get(name) ?? 0) >= 15, `${name}: ${counts.get(name) ?? 0} cases`);
  }
  assert.ok(golden.cases.length >= 110);
  const report = [...worst.entries()].map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ');
  console.log(`worst relative score error: ${report}`);
});
