import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWindowSize, tumblingWindow, tumblingWindowStart } from '../../processor/window/assigner.js';

test('windows are [start, start + size) aligned to the epoch', () => {
  assert.equal(tumblingWindowStart(0, 10), 0);
  assert.equal(tumblingWindowStart(9, 10), 0);
  assert.equal(tumblingWindowStart(15, 10), 10);
  assert.deepEqual(tumblingWindow(15, 10), { start: 10, end: 20 });
});

test('an event exactly at a window end belongs to the next window', () => {
  assert.equal(tumblingWindowStart(10, 10), 10);
  assert.equal(tumblingWindowStart(20, 10), 20);
});

test('negative times round towards minus infinity', () => {
  assert.equal(tumblingWindowStart(-1, 10), -10);
  assert.equal(tumblingWindowStart(-10, 10), -10);
  assert.equal(tumblingWindowStart(-11, 10), -20);
  assert.deepEqual(tumblingWindow(-1, 10), { start: -10, end: 0 });
});

test('hourly windows on real epoch milliseconds are exact', () => {
  const hour = 3_600_000;
  // 472222 · 3.6e6 = 1 699 999 200 000, a whole hour since the epoch.
  const start = 1_699_999_200_000;
  assert.equal(tumblingWindowStart(start, hour), start);
  assert.equal(tumblingWindowStart(start + hour - 1, hour), start);
  assert.equal(tumblingWindowStart(start + hour, hour), start + hour);
  assert.equal(tumblingWindowStart(start - 1, hour), start - hour);
});

test('a window size must be positive and finite', () => {
  assert.throws(() => checkWindowSize(0), /window size must be a positive number/);
  assert.throws(() => checkWindowSize(-5), /got -5/);
  assert.throws(() => checkWindowSize(Number.NaN), /got NaN/);
  assert.equal(checkWindowSize(60_000), 60_000);
});
