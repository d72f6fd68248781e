import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowOperator, type FireEvent } from '../../processor/window/window-operator.js';
import { ids, numbers, rowsFrame, type Row } from './window-fixtures.js';

// Windows of 10 ms: [0, 10), [10, 20) … With out-of-orderness 0 the watermark is the largest event time seen.
const base = { size: 10, maxOutOfOrderness: 0, allowedLateness: 5, idleTimeout: 1000, labelTimeout: 0 };

function push(operator: WindowOperator, rows: readonly Row[], partition = 0, now = 0) {
  return operator.addRecords(partition, rowsFrame(rows), { now });
}

function summary(fires: readonly FireEvent[]) {
  return fires.map((f) => ({ start: f.windowStart, revision: f.revision, reason: f.reason, rows: ids(f.frame) }));
}

test('a window fires once the watermark reaches its end; a row at the end belongs to the next window', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 0], ['b', 9], ['c', 10]]);
  const { watermark, fires } = operator.advanceWatermark(0);
  assert.equal(watermark, 10);
  assert.deepEqual(summary(fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['a', 'b'] }]);
  assert.equal(fires[0]!.windowEnd, 10);
  assert.deepEqual(numbers(fires[0]!.frame, 'target'), [NaN, NaN]);
  assert.deepEqual(numbers(fires[0]!.frame, 'x'), [0, 9]);
});

test('rows out of order within the max out-of-orderness land in their window', () => {
  const operator = new WindowOperator({ ...base, maxOutOfOrderness: 5 });
  push(operator, [['a', 12], ['b', 8]]);
  assert.deepEqual(operator.advanceWatermark(0).fires, []); // W = 12 − 5 = 7 < 10
  const result = push(operator, [['c', 9], ['d', 16]]);
  assert.equal(result.late.rowCount, 0);
  const { watermark, fires } = operator.advanceWatermark(0); // W = 16 − 5 = 11
  assert.equal(watermark, 11);
  assert.deepEqual(summary(fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['b', 'c'] }]);
});

test('a late row inside the allowed lateness re-fires its window as revision 2 with the row in', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 1], ['b', 14]]);
  assert.deepEqual(summary(operator.advanceWatermark(0).fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['a'] }]);
  // W = 14 < windowEnd 10 + lateness 5 = 15: still accepted.
  const result = push(operator, [['c', 3]]);
  assert.equal(result.accepted, 1);
  assert.equal(result.late.rowCount, 0);
  assert.deepEqual(summary(operator.advanceWatermark(0).fires), [{ start: 0, revision: 2, reason: 'late-rows', rows: ['a', 'c'] }]);
});

test('a late row beyond the allowed lateness goes to the late output, counted, not into the window', () => {
  const operator = new WindowOperator({ ...base, allowedLateness: 5, labelTimeout: 5 });
  push(operator, [['a', 1], ['b', 15]]);
  const first = operator.advanceWatermark(0); // W = 15 = 10 + 5: window [0,10) fires and is purged
  assert.deepEqual(summary(first.fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['a'] }]);
  assert.equal(first.fires[0]!.final, true);
  const result = push(operator, [['c', 3], ['d', 16]]);
  assert.equal(result.late.rowCount, 1);
  assert.deepEqual(ids(result.late), ['c']);
  assert.deepEqual(Array.from(result.lateRows), [0]);
  assert.equal(result.accepted, 1);
  assert.equal(operator.stats().lateRows, 1);
  assert.deepEqual(operator.advanceWatermark(0).fires, []);
});

test('a window empty when the watermark passed fires first when a late row creates it', () => {
  const operator = new WindowOperator({ ...base, allowedLateness: 10 });
  push(operator, [['a', 1], ['b', 25]]);
  assert.deepEqual(summary(operator.advanceWatermark(0).fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['a'] }]);
  push(operator, [['c', 12]]); // [10,20): 25 < 20 + 10, accepted
  assert.deepEqual(summary(operator.advanceWatermark(0).fires), [{ start: 10, revision: 1, reason: 'late-rows', rows: ['c'] }]);
});

test('empty windows do not fire', () => {
  const operator = new WindowOperator(base);
  push(operator, [['a', 1], ['b', 35], ['c', 40]]);
  const { fires } = operator.advanceWatermark(0);
  assert.deepEqual(fires.map((f) => f.windowStart), [0, 30]);
});

test('the watermark is the minimum over partitions until the slow one goes idle', () => {
  const operator = new WindowOperator({ ...base, idleTimeout: 100 });
  push(operator, [['a', 5], ['b', 25]], 0, 0);
  push(operator, [['c', 3]], 1, 0);
  const held = operator.advanceWatermark(50);
  assert.equal(held.watermark, 3);
  assert.deepEqual(held.fires, []);
  push(operator, [['d', 26]], 0, 150);
  const released = operator.advanceWatermark(150); // partition 1 quiet for 150 > 100 ms
  assert.equal(released.watermark, 26);
  // [0,10) is complete (10 ≤ 26) with rows from both partitions; [20,30) is not (30 > 26).
  assert.deepEqual(summary(released.fires), [{ start: 0, revision: 1, reason: 'watermark', rows: ['c', 'a'] }]);
});

test('repeated row ids are counted once per window', () => {
  const operator = new WindowOperator(base);
  assert.equal(push(operator, [['a', 1], ['a', 1]]).duplicates, 1);
  assert.equal(push(operator, [['a', 1], ['b', 20]]).duplicates, 1);
  const [fire] = operator.advanceWatermark(0).fires;
  assert.deepEqual(ids(fire!.frame), ['a']);
  assert.equal(fire!.duplicates, 2);
  assert.equal(operator.stats().duplicateRows, 2);
});

test('rows without event time or row id come back as invalid', () => {
  const operator = new WindowOperator(base);
  const result = push(operator, [['a', Number.NaN], [null, 3], ['b', 4]]);
  assert.equal(result.invalid.rowCount, 2);
  assert.deepEqual(Array.from(result.invalidRows), [0, 1]);
  assert.equal(result.accepted, 1);
  assert.throws(() => operator.addRecords(0, { rowCount: 0, columns: new Map() }, { now: 0 }), /column "event_time" not found/);
});

test('safeCommitOffsets holds each partition at the lowest offset of an unpurged window', () => {
  const operator = new WindowOperator(base); // purge at W ≥ end + 5
  operator.addRecords(0, rowsFrame([['a', 1], ['b', 2], ['c', 12]]), { now: 0, offsets: [100, 101, 102] });
  operator.addRecords(1, rowsFrame([['d', 3], ['e', 13]]), { now: 0, offsets: [7, 8] });
  operator.addTargets(0, ['e'], [1], { offsets: [50] });
  const expectCommits = (records: [number, number][], targets: [number, number][]) => {
    const commits = operator.safeCommitOffsets();
    assert.deepEqual([...commits.records].sort(), records);
    assert.deepEqual([...commits.targets].sort(), targets);
  };
  expectCommits([[0, 100], [1, 7]], [[0, 50]]);
  operator.advanceWatermark(0); // W = 12: [0,10) fired, not purged
  expectCommits([[0, 100], [1, 7]], [[0, 50]]);
  operator.addRecords(0, rowsFrame([['f', 20]]), { now: 0, offsets: [103] });
  operator.addRecords(1, rowsFrame([['g', 21]]), { now: 0, offsets: [9] });
  operator.advanceWatermark(0); // W = 20: [0,10) purged; [10,20) fired, holds 102 / 8 and the label
  expectCommits([[0, 102], [1, 8]], [[0, 50]]);
  operator.finish();
  expectCommits([[0, 104], [1, 10]], [[0, 51]]);
  // A late row is handed back to the caller, so it does not hold its offset.
  operator.addRecords(0, rowsFrame([['h', 30]]), { now: 0, offsets: [104] });
  expectCommits([[0, 105], [1, 10]], [[0, 51]]);
});
