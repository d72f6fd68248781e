/**
 * psi, jensenshannon, kl_div, chisquare, z, hellinger, TVD and the binning
 * helper against Evidently 0.7.21's own stattest functions, scipy and numpy
 * (tools/golden/stattests_b.py writes stattests-b.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, loadGolden, type Tolerance } from './golden.js';
import { binnedShares, sturgesEdges } from '../../processor/drift/binning.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';
import { getStatTest } from '../../processor/drift/registry.js';
import { isDrift, type ColumnProfile, type ColumnType } from '../../processor/drift/types.js';

interface DatasetCase { kind: 'dataset'; id: string; type: ColumnType; reference: unknown[]; current: unknown[] }
interface StatTestCase {
  kind: 'stattest'; test: string; dataset: string; score: number; statistic?: number; drift: boolean; exact_order: boolean;
  /** TVD only: Evidently's key (summation) order was the sorted one. */
  set_order_sorted?: boolean;
}
interface BinnedCase { kind: 'binned'; dataset: string; zero_fill: boolean; reference: number[]; current: number[] }
interface EdgesCase { kind: 'edges'; values_min: number; values_max: number; size: number; integer: boolean; edges: number[] }
interface SturgesCase { kind: 'sturges'; ptp: number; breakpoints: [number, number][] }
type Case = DatasetCase | StatTestCase | BinnedCase | EdgesCase | SturgesCase;

const golden = loadGolden<Case>('stattests-b');
const ofKind = <K extends Case['kind']>(kind: K) => golden.cases.filter((c): c is Extract<Case, { kind: K }> => c.kind === kind);

function profile(type: ColumnType, values: unknown[]): ColumnProfile {
  return type === 'numerical'
    ? numericalProfile(values.map((v) => (v === null ? NaN : (v as number))))
    : categoricalProfile(values as (string | number | null)[]);
}

const profiles = new Map<string, { type: ColumnType; reference: ColumnProfile; current: ColumnProfile }>();
for (const d of ofKind('dataset')) {
  profiles.set(d.id, { type: d.type, reference: profile(d.type, d.reference), current: profile(d.type, d.current) });
}
function dataset(id: string) {
  const found = profiles.get(id);
  if (!found) throw new Error(`stattests-b.json: no dataset "${id}"`);
  return found;
}

/** Largest error seen per test, relative for distances, absolute for p-values. */
const worst = new Map<string, number>();
function record(name: string, actual: number, expected: number, kind: Tolerance): void {
  if (!Number.isFinite(expected)) return;
  const diff = Math.abs(actual - expected);
  const error = kind === 'statistic' && expected !== 0 ? diff / Math.abs(expected) : diff;
  worst.set(name, Math.max(worst.get(name) ?? 0, error));
}

test('stattests-b.json has at least 110 stat-test cases over all 7 tests', () => {
  const cases = ofKind('stattest');
  assert.ok(cases.length >= 110, `only ${cases.length} cases`);
  for (const name of ['psi', 'jensenshannon', 'kl_div', 'chisquare', 'z', 'hellinger', 'TVD']) {
    assert.ok(cases.some((c) => c.test === name), `no case for ${name}`);
  }
});

for (const name of ['psi', 'jensenshannon', 'kl_div', 'chisquare', 'z', 'hellinger', 'TVD']) {
  test(`${name} matches Evidently on every golden case`, () => {
    const stat = getStatTest(name);
    const scoreTolerance: Tolerance = stat.scoreKind === 'p_value' ? 'p_value' : 'statistic';
    for (const c of ofKind('stattest').filter((x) => x.test === name)) {
      const { reference, current } = dataset(c.dataset);
      const label = `${name} on ${c.dataset}`;
      const result = stat.compute(reference, current);
      if (c.exact_order && c.set_order_sorted === false) {
        // Same permutations, but Evidently summed the TVD in Python set order: a
        // float tie may round the other way, moving p by a multiple of 1/1000.
        const ties = Math.round(Math.abs(result.score - c.score) * 1000);
        assert.ok(ties <= 2, `${label} score ${result.score} vs ${c.score} (summation-order ties)`);
        record(`${name} (set order)`, result.score, c.score, scoreTolerance);
      } else if (c.exact_order) {
        assertClose(result.score, c.score, scoreTolerance, `${label} score`);
        record(name, result.score, c.score, scoreTolerance);
        assert.equal(isDrift(stat.driftRule, result.score, stat.defaultThreshold), c.drift, `${label} drift verdict`);
      } else {
        // Row order Evidently saw is not in a profile: the permutation p-value agrees in distribution only.
        assert.ok(Math.abs(result.score - c.score) <= 0.05, `${label} score ${result.score} vs ${c.score} (order-dependent)`);
      }
      if (c.statistic !== undefined) {
        assert.ok(result.statistic !== undefined, `${label}: no statistic returned`);
        assertClose(result.statistic, c.statistic, 'statistic', `${label} statistic`);
        record(`${name} statistic`, result.statistic, c.statistic, 'statistic');
      }
    }
  });
}

test('binnedShares matches Evidently get_binned_data, with and without zero fill', () => {
  for (const c of ofKind('binned')) {
    const { reference, current } = dataset(c.dataset);
    const shares = binnedShares(reference, current, c.zero_fill);
    const label = `get_binned_data on ${c.dataset} (zero fill ${c.zero_fill})`;
    assert.equal(shares.reference.length, c.reference.length, `${label}: bin count`);
    c.reference.forEach((p, i) => assertClose(shares.reference[i]!, p, 'statistic', `${label} reference bin ${i}`));
    c.current.forEach((p, i) => assertClose(shares.current[i]!, p, 'statistic', `${label} current bin ${i}`));
  }
});

test('sturgesEdges equals np.histogram_bin_edges(a, "sturges") bit for bit', () => {
  for (const c of ofKind('edges')) {
    const edges = sturgesEdges(c.values_min, c.values_max, c.size, c.integer);
    assert.deepEqual(Array.from(edges), c.edges, `edges of ${c.size} values in [${c.values_min}, ${c.values_max}] (integer ${c.integer})`);
  }
});

test('the sturges bin count changes at the same sample sizes as numpy (log2 parity)', () => {
  for (const c of ofKind('sturges')) {
    const breakpoints: [number, number][] = [];
    let previous = -1;
    const last = c.breakpoints.length > 0 ? 1 << 17 : 0;
    for (let size = 1; size < last; size++) {
      const count = sturgesEdges(0, c.ptp, size).length - 1;
      if (count !== previous) breakpoints.push([size, count]);
      previous = count;
    }
    assert.deepEqual(breakpoints, c.breakpoints, `sturges bin counts for range ${c.ptp}`);
  }
});

test('worst errors per test (diagnostic only)', (t) => {
  const lines = [...worst.entries()].map(([name, error]) => `${name}: ${error.toExponential(2)}`);
  t.diagnostic(`stattests-b worst errors — ${lines.join('; ')}`);
});
