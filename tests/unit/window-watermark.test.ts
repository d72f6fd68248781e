import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PartitionWatermarks } from '../../processor/window/watermark.js';

const config = { maxOutOfOrderness: 5, idleTimeout: 100 };

test('the watermark is the minimum over partitions of max event time minus out-of-orderness', () => {
  const watermarks = new PartitionWatermarks(config);
  assert.equal(watermarks.advance(0), -Infinity);
  watermarks.observe(0, 50, 0);
  watermarks.observe(1, 30, 0);
  assert.equal(watermarks.advance(0), 25); // min(50 − 5, 30 − 5)
  watermarks.observe(1, 60, 10);
  assert.equal(watermarks.advance(10), 45); // min(45, 55)
  watermarks.observe(1, 40, 11); // out of order: the max stays 60
  assert.equal(watermarks.partitionWatermark(1), 55);
});

test('a partition idle for longer than the timeout stops holding the watermark back', () => {
  const watermarks = new PartitionWatermarks(config);
  watermarks.observe(0, 50, 0);
  watermarks.observe(1, 60, 10);
  watermarks.observe(0, 80, 105);
  // Partition 1 was last active at 10: at 110 it has been quiet exactly 100 ms, not longer.
  assert.equal(watermarks.advance(110), 55);
  assert.equal(watermarks.isIdle(1, 110), false);
  assert.equal(watermarks.advance(111), 75);
  assert.equal(watermarks.isIdle(1, 111), true);
});

test('the watermark never goes backwards when an idle partition wakes up behind', () => {
  const watermarks = new PartitionWatermarks(config);
  watermarks.observe(0, 80, 0);
  watermarks.observe(1, 60, 0);
  watermarks.observe(0, 80, 150);
  assert.equal(watermarks.advance(150), 75);
  watermarks.observe(1, 20, 160);
  assert.equal(watermarks.advance(160), 75);
  assert.equal(watermarks.current(), 75);
});

test('when every partition is idle the watermark holds', () => {
  const watermarks = new PartitionWatermarks(config);
  watermarks.observe(0, 80, 0);
  assert.equal(watermarks.advance(0), 75);
  assert.equal(watermarks.advance(10_000), 75);
});

test('an assigned partition without rows holds the watermark at minus infinity until idle', () => {
  const watermarks = new PartitionWatermarks(config);
  watermarks.register(2, 0);
  watermarks.observe(0, 50, 0);
  assert.equal(watermarks.advance(50), -Infinity);
  watermarks.observe(0, 50, 101);
  assert.equal(watermarks.advance(101), 45);
});

test('a revoked partition no longer counts, and finish jumps to +infinity', () => {
  const watermarks = new PartitionWatermarks(config);
  watermarks.observe(0, 50, 0);
  watermarks.observe(1, 10, 0);
  assert.equal(watermarks.advance(0), 5);
  watermarks.remove(1);
  assert.equal(watermarks.advance(0), 45);
  assert.equal(watermarks.finish(), Infinity);
});
