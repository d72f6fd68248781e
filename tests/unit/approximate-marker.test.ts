/**
 * A window's result says whether it was approximate: computeWindowMetrics
 * sets `approximateRelativeAccuracy` to the sketches' α when the fired window
 * carries sketches (past `above_rows`, however it got there: rows arriving,
 * or shares merging) and leaves it out when every number is exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../processor/frame.js';
import { ApproximateWindow } from '../../processor/window/approximate-window.js';
import { computeWindowMetrics } from '../../processor/window-metrics.js';
import { approximateOf, DAY, fire, metricsOf, pickRows, referenceOf, rows, spec } from './approximate-window-fixtures.js';

const reference = referenceOf();
const current = rows(3000, 5, 0.2);

test('a window at or below above_rows is exact: no marker, even with the approximate mode on', () => {
  for (const config of [undefined, approximateOf(reference, current.rowCount, 0.01)]) {
    const metrics = metricsOf(fire(current, config), reference);
    assert.equal('approximateRelativeAccuracy' in metrics, false, config ? 'above_rows = the window\'s rows' : 'no approximate mode');
  }
});

test('a window past above_rows carries the sketches\' relative accuracy', () => {
  for (const relativeAccuracy of [0.01, 0.002]) {
    const metrics = metricsOf(fire(current, approximateOf(reference, current.rowCount - 1, relativeAccuracy)), reference);
    assert.equal(metrics.approximateRelativeAccuracy, relativeAccuracy);
  }
});

test('an approximate window with no numerical feature to sketch is exact', () => {
  const config = { ...approximateOf(reference, 100), columns: [] };
  const event = fire(current, config);
  assert.equal(event.sketches?.size, 0, 'the window switched, with nothing to sketch');
  assert.equal('approximateRelativeAccuracy' in metricsOf(event, reference), false);
});

test('two exact shares whose rows together pass above_rows merge into an approximate window', () => {
  const config = approximateOf(reference, 2000, 0.01);
  const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;
  const share = (frame: Frame) => {
    const window = new ApproximateWindow(schema, config);
    window.add(frame);
    return window;
  };
  const metricsOfWindow = (window: ApproximateWindow) =>
    computeWindowMetrics({ windowStart: 0, windowEnd: DAY, revision: 1, frame: window.toFrame(), sketches: window.sketches }, reference, spec);
  const [even, odd] = [share(pickRows(current, (i) => i % 2 === 0)), share(pickRows(current, (i) => i % 2 === 1))];
  assert.equal('approximateRelativeAccuracy' in metricsOfWindow(even), false);
  const merged = new ApproximateWindow(schema, config);
  merged.merge(even);
  merged.merge(odd);
  assert.equal(metricsOfWindow(merged).approximateRelativeAccuracy, 0.01);
});
