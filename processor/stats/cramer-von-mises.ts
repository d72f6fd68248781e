/**
 * Two-sample Cramér-von Mises test exactly as Evidently computes it in
 * legacy/calculations/stattests/cramer_von_mises_stattest.py (its own copy of
 * scipy's cramervonmises_2samp, including its numeric quirks):
 *
 *   U = n·Σ(r_i − i)² + m·Σ(s_j − j)²   (midranks r of x, s of y in the pooled sample)
 *   T = U / (m·n·N) − (4mn − 1) / (6N),   N = m + n
 *
 * p-value: "auto" = exact when max(m, n) ≤ 20, else asymptotic.
 * - exact: the permutation distribution of U by Xiao, Gordon & Yakovlev's
 *   recursion (J. Stat. Soft. 17(8), 2006), in the numpy dtype Evidently picks:
 *   np.min_scalar_type(max(lcm²·N, C(N, m))) — float16 / float32 when the
 *   binomial (a Python float in Evidently's copy) is the larger: those dtypes
 *   round the counts, and we reproduce that rounding. When the bound lcm²·N is
 *   the larger the dtype is unsigned and Evidently 0.7.21 crashes (numpy 2
 *   refuses `uint_array += int64`); there we return the exact integer-count
 *   p-value, which is what scipy 1.17's fixed cramervonmises_2samp returns.
 * - asymptotic: T standardised by its exact mean and variance (Anderson 1962),
 *   then 1 − F∞(t) with F∞ the limiting CvM distribution (Csörgő & Faraway 1996,
 *   eq. 1.2), its series truncated as Evidently does (after the first term
 *   < 1e-7); t < 0.003 → p = 1.
 */
import gammaln from '@stdlib/math-base-special-gammaln';
import { besselK } from './bessel-k.js';
import type { MergedSample } from './merged-sample.js';
import { floorDivide, toFloat16 } from './numeric.js';

export interface CramerVonMisesResult {
  readonly statistic: number;
  readonly pvalue: number;
}

/** Largest sample size for which "auto" picks the exact distribution. */
const EXACT_MAX_SIZE = 20;
const SERIES_TOLERANCE = 1e-7;

export function cramerVonMises2Samp(merged: MergedSample): CramerVonMisesResult {
  const { countsA, countsB, sizeA: nx, sizeB: ny } = merged;
  if (nx <= 1 || ny <= 1) throw new Error('cramer_von_mises needs at least two values in reference and in current');
  // Σ(rank − position)² per sample; ranks are multiples of 1/2, so these sums are exact.
  let sumX = 0;
  let sumY = 0;
  let below = 0;
  let positionX = 0;
  let positionY = 0;
  for (let g = 0; g < countsA.length; g++) {
    const tied = countsA[g]! + countsB[g]!;
    const rank = below + (tied + 1) / 2;
    for (let c = 0; c < countsA[g]!; c++) sumX += (rank - ++positionX) ** 2;
    for (let c = 0; c < countsB[g]!; c++) sumY += (rank - ++positionY) ** 2;
    below += tied;
  }
  const u = nx * sumX + ny * sumY;
  const k = nx * ny;
  const N = nx + ny;
  const statistic = u / (k * N) - (4 * k - 1) / (6 * N);
  if (Math.max(nx, ny) <= EXACT_MAX_SIZE) return { statistic, pvalue: exactPValue(u, nx, ny) };
  const et = (1 + 1 / N) / 6;
  let vt = (N + 1.0) * (4 * k * N - 3 * (nx ** 2 + ny ** 2) - 2 * k);
  vt = vt / (45 * N ** 2 * 4 * k);
  const tn = 1 / 6 + (statistic - et) / Math.sqrt(45 * vt);
  const pvalue = tn < 0.003 ? 1.0 : Math.max(0, 1.0 - cdfCvmInf(tn));
  return { statistic, pvalue };
}

/** CDF of the limiting Cramér-von Mises distribution (Evidently/scipy _cdf_cvm_inf). */
export function cdfCvmInf(x: number): number {
  let total = 0;
  for (let k = 0; ; k++) {
    const u = Math.exp(gammaln(k + 0.5) - gammaln(k + 1)) / (Math.PI ** 1.5 * Math.sqrt(x));
    const y = 4 * k + 1;
    const q = (y * y) / (16 * x);
    const term = u * Math.sqrt(y) * Math.exp(-q) * besselK(0.25, q);
    total += term;
    if (!(Math.abs(term) >= SERIES_TOLERANCE)) return total;
  }
}

type Rounding = (x: number) => number;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function binomialAsFloat(n: number, k: number): number {
  // math.factorial(m+n) / (m!·n!) in Python: exact integers, one correct rounding at the end.
  let result = 1n;
  for (let i = 1n; i <= BigInt(k); i++) result = (result * (BigInt(n - k) + i)) / i;
  return Number(result);
}

/** numpy.min_scalar_type of a non-negative value, as a rounding of that dtype. */
function dtypeRounding(maxValue: number, isFloat: boolean): { round: Rounding; kind: 'uint' | 'float16' | 'float32' } {
  if (!isFloat) return { round: (x) => x, kind: 'uint' };
  if (maxValue <= 65504) return { round: toFloat16, kind: 'float16' };
  return { round: Math.fround, kind: 'float32' };
}

/** A (value, count) table in numpy's column order, with its permutation sorted by value. */
interface Column { values: Float64Array; freqs: Float64Array; order: Uint32Array }

function exactPValue(s: number, m: number, n: number): number {
  const lcm = (m / gcd(m, n)) * n;
  const a = lcm / m;
  const b = lcm / n;
  const mn = m * n;
  const zeta = floorDivide(lcm ** 2 * (m + n) * (6 * s - mn * (4 * mn - 1)), 6 * mn ** 2);
  const zetaBound = lcm ** 2 * (m + n);
  const combinations = binomialAsFloat(m + n, m);
  // Python's max keeps the first argument on ties: the int bound wins ties.
  const floatWins = combinations > zetaBound;
  const dtype = dtypeRounding(Math.max(zetaBound, combinations), floatWins);
  const round = dtype.round;
  const empty = (): Column => ({ values: new Float64Array(0), freqs: new Float64Array(0), order: new Uint32Array(0) });
  let gs: Column[] = [{ values: Float64Array.of(0), freqs: Float64Array.of(1), order: Uint32Array.of(0) }];
  for (let v = 1; v <= m; v++) gs.push(empty());
  for (let u = 0; u <= n; u++) {
    const next: Column[] = [];
    let tmp = empty();
    gs.forEach((g, v) => {
      tmp = mergeColumns(tmp, g, round);
      // values (float dtype) += int64 shift: numpy adds in float64 and rounds once to the dtype.
      // Rounding is monotonic, so the sorted permutation stays valid (ties may appear).
      const shift = (a * v - b * u) ** 2;
      for (let i = 0; i < tmp.values.length; i++) tmp.values[i] = round(tmp.values[i]! + shift);
      next.push(tmp);
    });
    gs = next;
  }
  const last = gs[m]!;
  const selected: number[] = [];
  last.values.forEach((value, i) => { if (value >= zeta) selected.push(last.freqs[i]!); });
  if (dtype.kind === 'uint') return selected.reduce((x, y) => x + y, 0) / combinations;
  if (dtype.kind === 'float16') {
    // numpy sums float16 in a float32 accumulator (exact for these integer counts), then rounds.
    const total = toFloat16(selected.reduce((x, y) => x + y, 0));
    return toFloat16(Math.fround(total / toFloat16(combinations)));
  }
  return Math.fround(pairwiseSumFloat32(selected, 0, selected.length) / Math.fround(combinations));
}

/**
 * np.intersect1d + concatenate as Evidently merges two (value, freq) columns:
 * common values (ascending, first occurrences as np.unique keeps them) with
 * summed counts, then the rest of `left`, then the rest of `right`, each in
 * its own order. Linear in the column sizes thanks to the sorted permutations.
 */
function mergeColumns(left: Column, right: Column, round: Rounding): Column {
  if (left.values.length === 0) {
    return { values: right.values.slice(), freqs: right.freqs.slice(), order: right.order.slice() };
  }
  const usedLeft = new Uint8Array(left.values.length);
  const usedRight = new Uint8Array(right.values.length);
  const commonValues: number[] = [];
  const commonFreqs: number[] = [];
  let i = 0;
  let j = 0;
  while (i < left.order.length && j < right.order.length) {
    const lv = left.values[left.order[i]!]!;
    const rv = right.values[right.order[j]!]!;
    if (lv < rv) { i = skipGroup(left, i, lv).end; continue; }
    if (rv < lv) { j = skipGroup(right, j, rv).end; continue; }
    const lg = skipGroup(left, i, lv);
    const rg = skipGroup(right, j, rv);
    usedLeft[lg.first] = 1;
    usedRight[rg.first] = 1;
    commonValues.push(lv);
    commonFreqs.push(round(left.freqs[lg.first]! + right.freqs[rg.first]!));
    i = lg.end;
    j = rg.end;
  }
  const common = commonValues.length;
  const size = left.values.length + right.values.length - common;
  const values = new Float64Array(size);
  const freqs = new Float64Array(size);
  values.set(commonValues);
  freqs.set(commonFreqs);
  const leftPosition = new Int32Array(left.values.length);
  const rightPosition = new Int32Array(right.values.length);
  let k = common;
  for (let l = 0; l < left.values.length; l++) {
    if (!usedLeft[l]) { leftPosition[l] = k; values[k] = left.values[l]!; freqs[k++] = left.freqs[l]!; }
  }
  for (let r = 0; r < right.values.length; r++) {
    if (!usedRight[r]) { rightPosition[r] = k; values[k] = right.values[r]!; freqs[k++] = right.freqs[r]!; }
  }
  // Sorted permutation of the result: merge the three streams, each already in value order.
  const streams = [
    Uint32Array.from({ length: common }, (_, c) => c),
    positionsInOrder(left.order, usedLeft, leftPosition),
    positionsInOrder(right.order, usedRight, rightPosition),
  ];
  const order = new Uint32Array(size);
  const cursor = [0, 0, 0];
  for (let o = 0; o < size; o++) {
    let best = -1;
    for (let st = 0; st < 3; st++) {
      if (cursor[st]! >= streams[st]!.length) continue;
      if (best < 0 || values[streams[st]![cursor[st]!]!]! < values[streams[best]![cursor[best]!]!]!) best = st;
    }
    order[o] = streams[best]![cursor[best]!++]!;
  }
  return { values, freqs, order };
}

/** The run of equal values starting at sorted position `start`, and its smallest original index. */
function skipGroup(column: Column, start: number, value: number): { end: number; first: number } {
  let end = start;
  let first = column.order[start]!;
  while (end < column.order.length && column.values[column.order[end]!] === value) {
    first = Math.min(first, column.order[end]!);
    end++;
  }
  return { end, first };
}

function positionsInOrder(order: Uint32Array, used: Uint8Array, position: Int32Array): Uint32Array {
  const out: number[] = [];
  for (const index of order) if (!used[index]) out.push(position[index]!);
  return Uint32Array.from(out);
}

/** numpy's pairwise summation (8 accumulators, blocks of 128) in float32. */
function pairwiseSumFloat32(a: readonly number[], start: number, length: number): number {
  const f = Math.fround;
  if (length < 8) {
    let res = 0;
    for (let i = 0; i < length; i++) res = f(res + a[start + i]!);
    return res;
  }
  if (length <= 128) {
    const r = a.slice(start, start + 8);
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] = f(r[j]! + a[start + i + j]!);
    }
    let res = f(f(f(r[0]! + r[1]!) + f(r[2]! + r[3]!)) + f(f(r[4]! + r[5]!) + f(r[6]! + r[7]!)));
    for (; i < length; i++) res = f(res + a[start + i]!);
    return res;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return f(pairwiseSumFloat32(a, start, half) + pairwiseSumFloat32(a, start + half, length - half));
}
