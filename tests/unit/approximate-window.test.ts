/**
 * The approximate mode of a window (window.approximate) against the exact
 * computation of the same rows: nothing changes below `aboveRows`; above it
 * the sketched features' drift moves by no more than the sketch's accuracy
 * allows, and everything else (categoricals, low-cardinality numericals,
 * prediction, target, quality metrics) is exactly the exact result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sketchProfile } from '../../processor/drift/approx/sketch-profile.js';
import { columnDrift } from '../../processor/drift/column-drift.js';
import { profileColumn } from '../../processor/drift/profile.js';
import type { Column } from '../../processor/frame.js';
import { ApproximateWindow, SKETCHED_MISSING_COLUMN } from '../../processor/window/approximate-window.js';
import { SketchedColumn } from '../../processor/window/sketched-column.js';
import { resolveWindowConfig } from '../../processor/window/config.js';
import { computeWindowMetrics } from '../../processor/window-metrics.js';
import { approximateOf, DAY, fire, metricsOf, referenceOf, rows, spec, targetsOf, windowSettings } from './approximate-window-fixtures.js';

const reference = referenceOf();
const current = rows(6000, 1, 0.5);

test('above_rows larger than the window: the fired window and its metrics are the exact ones', () => {
  const exact = fire(current, undefined);
  const approximate = fire(current, approximateOf(reference, current.rowCount));
  assert.equal(approximate.sketches, undefined);
  assert.deepEqual(metricsOf(approximate, reference), metricsOf(exact, reference));
});

test('past above_rows: numerical features are sketched, the rest of the window is exactly the exact one', () => {
  const config = approximateOf(reference, 1000);
  const exactFire = fire(current, undefined);
  const approximateFire = fire(current, config);
  assert.deepEqual([...approximateFire.sketches!.keys()], ['x', 'k']);
  assert.equal(approximateFire.frame.columns.has('x'), false, 'the sketched column buffers are gone');
  assert.equal(approximateFire.frame.rowCount, current.rowCount);
  assert.equal(approximateFire.labelledRows, exactFire.labelledRows);
  for (const name of ['event_time', 'row_id', 'c', 'prediction', 'target']) {
    assert.deepEqual(approximateFire.frame.columns.get(name), exactFire.frame.columns.get(name), name);
  }
  const exact = metricsOf(exactFire, reference);
  const approximate = metricsOf(approximateFire, reference);
  const { drift: exactDrift, ...exactRest } = exact;
  const { drift: approximateDrift, approximateRelativeAccuracy, ...approximateRest } = approximate;
  assert.equal(approximateRelativeAccuracy, config.relativeAccuracy, 'the result says it is approximate');
  assert.deepEqual(approximateRest, exactRest, 'rows, labels, prediction/target drift, regression and data quality are exact');
  const x = exact.dataQuality.columns.find((c) => c.column === 'x')!;
  assert.ok(x.missing_count > 0 && x.out_of_range_count! > 0, 'the data exercises missing and out-of-range values');
  assert.ok(exact.dataQuality.rows_with_missing > x.missing_count, 'rows_with_missing combines sketched and exact columns');
  const byColumn = (name: string, result: typeof exactDrift) => result.columns.find((c) => c.column === name)!;
  assert.deepEqual(byColumn('c', approximateDrift), byColumn('c', exactDrift));
  assert.deepEqual(byColumn('k', approximateDrift), byColumn('k', exactDrift), 'few distinct values: the sketch is exact');
  // Every value moves by at most α·|value − center|, so the normed Wasserstein distance by at most α·mean|x − center| / std.
  const xs = (current.columns.get('x')!.values as Float64Array).filter(Number.isFinite);
  const center = config.columns[0]!.center;
  const referenceX = reference.get('x')!;
  const bound = (0.005 * xs.reduce((sum, v) => sum + Math.abs(v - center), 0)) / xs.length / (referenceX.type === 'numerical' ? referenceX.std : NaN);
  const [exactX, approximateX] = [byColumn('x', exactDrift), byColumn('x', approximateDrift)];
  assert.equal(approximateX.stattest, 'wasserstein');
  assert.ok(Math.abs(approximateX.score! - exactX.score!) <= bound, `|ΔW| ${Math.abs(approximateX.score! - exactX.score!)} > ${bound}`);
  assert.equal(approximateX.drift_detected, exactX.drift_detected);
  assert.equal(approximateX.current_count, exactX.current_count);
  assert.equal(approximateDrift.number_of_drifted_columns, exactDrift.number_of_drifted_columns);
});

test('past above_rows: KS and PSI on the sketched column stay within the bench\'s error', () => {
  const approximateFire = fire(current, approximateOf(reference, 1000));
  const sketched = sketchProfile(approximateFire.sketches!.get('x')!.sketch);
  const exact = profileColumn(current.columns.get('x')!, 'numerical');
  const referenceX = reference.get('x')!;
  for (const [stattest, tolerance] of [['ks', 5e-3], ['psi', 5e-3]] as const) {
    const a = columnDrift('x', 'numerical', referenceX, sketched, { stattest });
    const b = columnDrift('x', 'numerical', referenceX, exact, { stattest });
    const delta = Math.abs((a.statistic ?? a.score!) - (b.statistic ?? b.score!));
    assert.ok(delta <= tolerance, `${stattest}: |Δ| ${delta} > ${tolerance}`);
  }
});

test('the switch is the same whatever the batches: crossing mid-batch, or with the first batch', () => {
  const config = approximateOf(reference, 1000);
  const expected = metricsOf(fire(current, config, 700), reference);
  assert.deepEqual(metricsOf(fire(current, config, 6000), reference), expected);
  assert.deepEqual(metricsOf(fire(current, config, 333), reference), expected);
});

test('duplicates after the switch are dropped before they reach a sketch, and counted', () => {
  const config = approximateOf(reference, 100);
  const window = new ApproximateWindow({ eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' }, config);
  const part = rows(500, 4);
  assert.equal(window.add(part), 500);
  assert.equal(window.isApproximate, true);
  assert.equal(window.add(part, [0, 1, 2]), 0);
  assert.equal(window.duplicates, 3);
  assert.equal(window.rowCount, 500);
  const x = window.sketches!.get('x')!;
  assert.equal(x.missing + x.present, 500);
  assert.equal(x.sketch.count + x.sketch.dropped, 500);
  assert.equal(window.label('r3', 7), 'joined');
  assert.equal(window.labelledCount, 1);
});

test('serialize → deserialize keeps the window: same frame, same sketches, same metrics', () => {
  const config = approximateOf(reference, 1000);
  const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;
  const window = new ApproximateWindow(schema, config);
  window.add(current);
  const targets = targetsOf(current);
  targets.ids.forEach((id, i) => window.label(id, targets.values[i]!));
  window.add(current, [1, 2]);
  const { accumulator, sketches } = window.serialize();
  assert.notEqual(sketches, null);
  const copy = ApproximateWindow.deserialize(accumulator, sketches, config);
  assert.equal(copy.rowCount, window.rowCount);
  assert.equal(copy.duplicates, 2);
  assert.equal(copy.labelledCount, window.labelledCount);
  assert.equal(SketchedColumn.encode(copy.sketches!), sketches);
  const fired = (w: ApproximateWindow) => computeWindowMetrics({ windowStart: 0, windowEnd: DAY, revision: 1, frame: w.toFrame(), sketches: w.sketches }, reference, spec);
  assert.deepEqual(fired(copy), fired(window));
  assert.deepEqual(copy.toFrame().columns.get(SKETCHED_MISSING_COLUMN), window.toFrame().columns.get(SKETCHED_MISSING_COLUMN));
});

test('the sketched columns\' encoding keeps −0, ±inf and NaN exactly and refuses what it did not write', () => {
  const column = new SketchedColumn({ name: 'NaN', center: -0, referenceMin: NaN, referenceMax: NaN }, 0.01);
  column.add(Float64Array.from([-0, 0, Infinity, NaN, 3]));
  const text = SketchedColumn.encode(new Map([['NaN', column]]));
  const back = SketchedColumn.decode(text).get('NaN')!;
  assert.ok(Object.is(back.sketch.min, -0));
  assert.ok(Object.is(back.spec.center, -0));
  assert.ok(Number.isNaN(back.spec.referenceMin));
  assert.deepEqual([back.missing, back.present, back.outOfRange], [1, 4, 4]);
  assert.equal(SketchedColumn.encode(new Map([['NaN', back]])), text);
  assert.throws(() => SketchedColumn.decode('{"format":"x","version":1}'), /expected format driftwatch\.sketched-columns v1/);
  const tampered = JSON.parse(text) as { columns: { present: number }[] };
  tampered.columns[0]!.present = 9;
  assert.throws(() => SketchedColumn.decode(JSON.stringify(tampered)), /1 missing \+ 9 present values, but the sketch saw 5/);
});

test('a non-final fire hands out copies: later rows do not change an earlier revision\'s sketches', () => {
  const config = approximateOf(reference, 10);
  const window = new ApproximateWindow({ eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' }, config);
  window.add(rows(50, 5));
  const snapshot = window.snapshotSketches()!;
  window.add(rows(80, 5), Int32Array.from({ length: 30 }, (_, i) => 50 + i));
  assert.equal(snapshot.get('x')!.sketch.count + snapshot.get('x')!.sketch.dropped, 50);
  assert.equal(window.sketches!.get('x')!.sketch.count + window.sketches!.get('x')!.sketch.dropped, 80);
});

test('the approximate settings are checked with one clear message each', () => {
  const approximate = approximateOf(reference, 10);
  const check = (patch: object) => () => resolveWindowConfig({ ...windowSettings, approximate: { ...approximate, ...patch } });
  assert.throws(check({ aboveRows: 0 }), /approximate\.aboveRows must be a whole number of rows ≥ 1, got 0/);
  assert.throws(check({ aboveRows: 2.5 }), /approximate\.aboveRows must be a whole number of rows ≥ 1, got 2\.5/);
  assert.throws(check({ relativeAccuracy: 1 }), /approximate\.relativeAccuracy must be in \(0, 1\), got 1/);
  assert.throws(check({ columns: [{ ...approximate.columns[0]!, name: 'event_time' }] }), /approximate column "event_time" is the event time, row id or target column/);
  assert.throws(check({ columns: [approximate.columns[0]!, approximate.columns[0]!] }), /approximate column "x" is listed twice/);
  assert.throws(check({ columns: [{ ...approximate.columns[0]!, center: Infinity }] }), /approximate column "x" needs a finite center, got Infinity/);
});

test('a sketched column that is text, or missing from a batch, is a clear error', () => {
  const config = approximateOf(reference, 1);
  const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;
  const textual = new Map<string, Column>(rows(3, 6).columns);
  textual.set('x', { kind: 'string', values: ['1', '2', '3'] });
  assert.throws(() => new ApproximateWindow(schema, config).add({ rowCount: 3, columns: textual }), /column "x" is text; the approximate mode sketches numerical columns only/);
  const without = new Map<string, Column>(rows(3, 6).columns);
  without.delete('k');
  assert.throws(() => new ApproximateWindow(schema, config).add({ rowCount: 3, columns: without }), /column "k" is missing from this batch; the approximate mode sketches it/);
});
