import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowOperator, type FireEvent } from '../../processor/window/window-operator.js';
import { ids, numbers, rowsFrame, type Row } from './window-fixtures.js';

// Windows of 10 ms; out-of-orderness 0, so the watermark is the largest event time seen.
const base = { size: 10, maxOutOfOrderness: 0, allowedLateness: 0, idleTimeout: 1000, labelTimeout: 20 };

function push(operator: WindowOperator, rows: readonly Row[]): void {
  operator.addRecords(0, rowsFrame(rows), { now: 0 });
}

function summary(fires: readonly FireEvent[]) {
  return fires.map((f) => ({ start: f.windowStart, revision: f.revision, reason: f.reason, target: numbers(f.frame, 'target') }));
}

test('a window without labels fires with the target missing, then re-fires when labels arrive', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 1], ['b', 2], ['z', 10]]);
  const first = operator.advanceWatermark(0);
  assert.deepEqual(summary(first.fires), [{ start: 0, revision: 1, reason: 'watermark', target: [NaN, NaN] }]);
  assert.equal(first.fires[0]!.labelledRows, 0);
  assert.equal(first.fires[0]!.labelsFinal, false);
  const joined = operator.addTargets(0, ['b', 'a'], [0, 1]);
  assert.equal(joined.joined, 2);
  const update = operator.advanceWatermark(0);
  assert.deepEqual(summary(update.fires), [{ start: 0, revision: 2, reason: 'labels', target: [1, 0] }]);
  assert.equal(update.fires[0]!.labelledRows, 2);
  assert.deepEqual(operator.advanceWatermark(0).fires, []);
});

test('a label that comes before its row waits and joins when the row arrives', () => {
  const operator = new WindowOperator(base);
  assert.equal(operator.addTargets(0, ['x'], [7]).pending, 1);
  assert.equal(operator.stats().pendingLabels, 1);
  push(operator, [['x', 2], ['y', 3], ['z', 10]]);
  assert.equal(operator.stats().pendingLabels, 0);
  const { fires } = operator.advanceWatermark(0);
  assert.deepEqual(summary(fires), [{ start: 0, revision: 1, reason: 'watermark', target: [7, NaN] }]);
});

test('at the label timeout a partly labelled window fires a final label-timeout revision; later labels are ignored', () => {
  const operator = new WindowOperator({ ...base, allowedLateness: 30 });
  push(operator, [['a', 1], ['b', 2], ['z', 10]]);
  operator.advanceWatermark(0); // W = 10: revision 1
  operator.addTargets(0, ['a'], [5]);
  push(operator, [['y', 29]]);
  const update = operator.advanceWatermark(0); // W = 29 < 10 + 20: labels not final yet
  assert.deepEqual(summary(update.fires).filter((f) => f.start === 0), [{ start: 0, revision: 2, reason: 'labels', target: [5, NaN] }]);
  assert.equal(update.fires[0]!.labelsFinal, false);
  push(operator, [['w', 30]]);
  const timeout = operator.advanceWatermark(0); // W = 30 = 10 + 20
  const window0 = timeout.fires.find((f) => f.windowStart === 0)!;
  assert.deepEqual(summary([window0]), [{ start: 0, revision: 3, reason: 'label-timeout', target: [5, NaN] }]);
  assert.equal(window0.labelsFinal, true);
  assert.equal(window0.final, false); // still open for late rows until W ≥ 10 + 30
  const late = operator.addTargets(0, ['b'], [6]);
  assert.equal(late.afterTimeout, 1);
  assert.equal(operator.stats().labelsAfterTimeout, 1);
  assert.deepEqual(operator.advanceWatermark(0).fires.filter((f) => f.windowStart === 0), []);
});

test('a fully labelled window needs no label-timeout revision', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 1], ['z', 10]]);
  operator.addTargets(0, ['a'], [3]);
  assert.deepEqual(summary(operator.advanceWatermark(0).fires), [{ start: 0, revision: 1, reason: 'watermark', target: [3] }]);
  push(operator, [['w', 30]]);
  const { fires } = operator.advanceWatermark(0); // W = 30: labels final for [0,10), purged
  assert.deepEqual(fires.filter((f) => f.windowStart === 0), []);
  assert.equal(operator.stats().openWindows, 2); // [10,20) and [30,40)
});

test('labels whose rows never come are orphaned at their bound and reported', () => {
  const operator = new WindowOperator({ ...base, allowedLateness: 5 });
  // With the row's event time (5): its window [0,10) takes rows until W = 10 + 5.
  operator.addTargets(0, ['ghost'], [1], { eventTimes: [5] });
  // Without event time, before any watermark: waits labelTimeout (20) from the first watermark.
  operator.addTargets(0, ['phantom'], [2]);
  push(operator, [['a', 14]]);
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels.rowIds, []); // W = 14; phantom expires at 34
  push(operator, [['b', 15]]);
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels, { rowIds: ['ghost'], targets: [1] });
  push(operator, [['c', 33]]);
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels.rowIds, []);
  push(operator, [['d', 34]]);
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels.rowIds, ['phantom']);
  assert.equal(operator.stats().orphanedLabels, 2);
  // A label whose row's window is already past the lateness is orphaned at once.
  operator.addTargets(0, ['gone'], [3], { eventTimes: [1] });
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels.rowIds, ['gone']);
});

test('beyond maxPendingLabels the oldest waiting label is orphaned', () => {
  const operator = new WindowOperator({ ...base, maxPendingLabels: 2 });
  operator.addTargets(0, ['p', 'q', 'r'], [1, 2, 3]);
  assert.equal(operator.stats().pendingLabels, 2);
  assert.deepEqual(operator.advanceWatermark(0).orphanedLabels.rowIds, ['p']);
});

test('a second label for a row is ignored, and a label of the wrong kind is refused', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 1]]);
  assert.equal(operator.addTargets(0, ['a', 'a'], [1, 2]).duplicates, 1);
  assert.equal(operator.addTargets(0, ['a', null], [Number.NaN, 4]).invalid, 2);
  assert.throws(() => operator.addTargets(0, ['a'], ['cat']), /target 0 is string \(cat\), but targetKind is "number"/);
  const [fire] = operator.finish().fires;
  assert.deepEqual(numbers(fire!.frame, 'target'), [1]);
  assert.deepEqual(ids(fire!.frame), ['a']);
});

test("a label is looked for in the window its event time names; without one, in every open window", () => {
  const operator = new WindowOperator({ ...base, labelTimeout: 100 });
  push(operator, [['a', 1], ['b', 12], ['c', 25]]);
  // 'a' is in [0,10): a label naming 15 looks in [10,20) only and waits as pending.
  assert.deepEqual(operator.addTargets(0, ['a'], [1], { eventTimes: [15] }), { joined: 0, pending: 1, duplicates: 0, afterTimeout: 0, invalid: 0 });
  // The right time, or none, finds it.
  assert.equal(operator.addTargets(0, ['b'], [2], { eventTimes: [12] }).joined, 1);
  assert.equal(operator.addTargets(0, ['c'], [3]).joined, 1);
  assert.equal(operator.stats().pendingLabels, 1);
});
