/**
 * Approximate (sketch) against exact drift on the same data.
 *
 *   npx tsx bench/memory/approx-error.ts [--sizes 100000,1000000] [--alphas 0.005,0.02] [--no-center] [--json out.json]
 *
 * Reference: 50k synthetic rows (bench/memory/synthetic.ts), profiled exactly.
 * Current: the same generator shifted by 0.3 std, at each size, fed in
 * batches of 50k. Per numerical column, the exact profile (every value
 * sorted) and the sketch profile (processor/drift/approx) go through the same
 * tests: KS statistic D, normed Wasserstein (Evidently's default for large
 * references) and PSI. Prints the largest absolute error over the 7 columns,
 * the window state's bytes (exact: 8 bytes a value; sketch: its buckets) and
 * the time to build each profile. Categorical columns use exact counts in both
 * modes (error 0 by construction), so they are not listed.
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import Table from 'cli-table3';
import { medianOf, NumericalSketch, sketchProfile } from '../../processor/drift/approx/index.js';
import { numericalProfile } from '../../processor/drift/profile.js';
import { getStatTest } from '../../processor/drift/registry.js';
import type { NumericalProfile } from '../../processor/drift/types.js';
import { ks2Samp } from '../../processor/stats/ks-two-sample.js';
import { NUMERICAL_FEATURES, syntheticFrame } from './synthetic.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    alphas: { type: 'string', default: '0.005,0.02' },
    'no-center': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const sizes = args.sizes!.split(',').map(Number);
const alphas = args.alphas!.split(',').map(Number);
const BATCH = 50_000;
/** Sketch value − reference median (the default), or raw values with --no-center. */
const centered = !args['no-center'];
const MB = 1024 * 1024;

const referenceFrame = syntheticFrame({ rows: 50_000, seed: 1, startTime: 0, stepMs: 1000 });
const reference = new Map(NUMERICAL_FEATURES.map((name) => [name, numericalProfile(referenceFrame.columns.get(name)!.values as Float64Array)]));
const wasserstein = getStatTest('wasserstein');
const psi = getStatTest('psi');

interface Scores { ks: number; wasserstein: number; psi: number }
const scoresOf = (ref: NumericalProfile, cur: NumericalProfile): Scores => ({
  ks: ks2Samp(ref.sorted, cur.sorted).statistic,
  wasserstein: wasserstein.compute(ref, cur).score,
  psi: psi.compute(ref, cur).score,
});

const rowsOut: Record<string, unknown>[] = [];
const table = new Table({
  head: ['rows', 'α', 'max |ΔD| (KS)', 'max |ΔW| (normed)', 'max |ΔPSI|', 'same verdicts', 'exact state MB', 'sketch state KB', 'exact profile s', 'sketch add+profile s'],
});
for (const rows of sizes) {
  const columns = NUMERICAL_FEATURES.map(() => new Float64Array(rows));
  const sketches = alphas.map(() => NUMERICAL_FEATURES.map(() => null as NumericalSketch | null));
  const sketchSeconds = alphas.map(() => 0);
  for (let start = 0, batch = 0; start < rows; start += BATCH, batch++) {
    const frame = syntheticFrame({ rows: Math.min(BATCH, rows - start), seed: 100 + batch, startTime: 0, stepMs: 1, shift: 0.3 });
    NUMERICAL_FEATURES.forEach((name, j) => {
      const values = frame.columns.get(name)!.values as Float64Array;
      columns[j]!.set(values, start);
      alphas.forEach((alpha, a) => {
        const started = performance.now();
        const sketch = (sketches[a]![j] ??= new NumericalSketch({ relativeAccuracy: alpha, center: centered ? medianOf(reference.get(name)) : 0 }));
        sketch.add(values);
        sketchSeconds[a]! += (performance.now() - started) / 1000;
      });
    });
  }
  let started = performance.now();
  const exactScores = NUMERICAL_FEATURES.map((name, j) => scoresOf(reference.get(name)!, numericalProfile(columns[j]!)));
  const exactSeconds = (performance.now() - started) / 1000;
  alphas.forEach((alpha, a) => {
    let profileSeconds = 0;
    const errors = { ks: 0, wasserstein: 0, psi: 0 };
    const worst = { ks: '', wasserstein: '', psi: '' };
    let sameVerdicts = 0;
    let bytes = 0;
    NUMERICAL_FEATURES.forEach((name, j) => {
      const sketch = sketches[a]![j]!;
      bytes += sketch.approximateBytes();
      started = performance.now();
      const profile = sketchProfile(sketch);
      profileSeconds += (performance.now() - started) / 1000;
      const approx = scoresOf(reference.get(name)!, profile);
      const exact = exactScores[j]!;
      for (const key of ['ks', 'wasserstein', 'psi'] as const) {
        const error = Math.abs(approx[key] - exact[key]);
        if (error > errors[key]) {
          errors[key] = error;
          worst[key] = `${name} (${exact[key].toPrecision(3)})`;
        }
      }
      // Evidently's default for a 50k reference: normed Wasserstein ≥ 0.1 means drift.
      if ((approx.wasserstein >= 0.1) === (exact.wasserstein >= 0.1) && (approx.psi >= 0.1) === (exact.psi >= 0.1)) sameVerdicts++;
    });
    const row = {
      rows, alpha, ks: errors.ks, wasserstein: errors.wasserstein, psi: errors.psi, worst,
      sameVerdicts: `${sameVerdicts}/${NUMERICAL_FEATURES.length}`,
      exactStateMB: (rows * 8 * NUMERICAL_FEATURES.length) / MB, sketchStateKB: bytes / 1024,
      exactProfileSeconds: exactSeconds, sketchSeconds: sketchSeconds[a]! + profileSeconds,
    };
    rowsOut.push(row);
    table.push([rows.toLocaleString(), alpha, `${row.ks.toExponential(2)} ${worst.ks}`, `${row.wasserstein.toExponential(2)} ${worst.wasserstein}`, `${row.psi.toExponential(2)} ${worst.psi}`, row.sameVerdicts,
      row.exactStateMB.toFixed(1), row.sketchStateKB.toFixed(1), exactSeconds.toFixed(3), row.sketchSeconds.toFixed(3)]);
  });
}
console.log(table.toString());
console.log('Δ = |approximate − exact| of the score, largest over the 7 numerical columns, with that column and its exact score; verdicts: normed Wasserstein and PSI at 0.1.');
if (args.json) writeFileSync(args.json, JSON.stringify(rowsOut, null, 2));
