/**
 * The scale-out pieces without Kafka: the co-partition assignment, the
 * partials wire format, and the merge rules of PartitionMerge (fire once
 * every source passed the window's end, keep the most complete share per
 * source, close at end + max(label timeout, allowed lateness), drop late
 * shares, commit no further than the oldest share still needed). Expected
 * values are written out by hand from the rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KafkaMessage, Message } from 'kafkajs';
import { coPartitionedAssignment } from '../../processor/scaleout/co-partition-assigner.js';
import {
  closedMessage, decodePartialsMessage, partialMessage, watermarkMessages, type PartialsMessage,
} from '../../processor/scaleout/partial-messages.js';
import { PartitionMerge } from '../../processor/scaleout/partition-merge.js';
import type { Frame } from '../../processor/frame.js';
import { ids, numbers, rowsFrame, type Row } from './window-fixtures.js';

const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;
const DAY = 86_400_000;
const bounds = { sourcePartitions: 2, labelTimeout: DAY, allowedLateness: 0 };

/** A share of window [0, DAY) from `source`: rows (id, time, x) with targets (NaN = unlabelled). */
function share(source: number, rows: readonly Row[], targets: readonly number[]): { offsetless: PartialsMessage; frame: Frame } {
  const base = rowsFrame(rows);
  const columns = new Map(base.columns);
  columns.set('target', { kind: 'number', values: Float64Array.from(targets) });
  const frame = { rowCount: base.rowCount, columns };
  const labelled = targets.filter((t) => !Number.isNaN(t)).length;
  const message = partialMessage({ model: 'm', windowStart: 0, windowEnd: DAY, sourcePartition: source, rows: rows.length, labelledRows: labelled, final: false }, schema, frame, 0);
  return { offsetless: decode(message, 0), frame };
}

function decode(message: Message, offset: number): PartialsMessage {
  return decodePartialsMessage({ ...message, offset: String(offset), headers: message.headers, value: message.value as Buffer } as KafkaMessage);
}

function watermark(source: number, value: number, idle = false): PartialsMessage {
  return decode(watermarkMessages({ sourcePartition: source, watermark: value, idle }, 1)[0]!, 0);
}

test('co-partitioned assignment: each partition number goes to one member for every topic', () => {
  const plan = coPartitionedAssignment(['b', 'a', 'c'], new Map([['f', [0, 1, 2, 3, 4, 5]], ['t', [0, 1, 2, 3, 4, 5]]]));
  assert.deepEqual(Object.fromEntries(plan), {
    a: { f: [0, 3], t: [0, 3] },
    b: { f: [1, 4], t: [1, 4] },
    c: { f: [2, 5], t: [2, 5] },
  });
  assert.throws(() => coPartitionedAssignment(['a'], new Map([['f', [0, 1]], ['t', [0, 1, 2]]])), /same number of partitions \(f: 2, t: 3\)/);
});

test('the partials wire format keeps the header, the rows and ±∞ watermarks', () => {
  const { offsetless } = share(1, [['r1', 10, 1.5]], [7]);
  assert.equal(offsetless.kind, 'partial');
  if (offsetless.kind !== 'partial') return;
  assert.deepEqual(offsetless.header, { model: 'm', windowStart: 0, windowEnd: DAY, sourcePartition: 1, rows: 1, labelledRows: 1, final: false });
  assert.deepEqual(watermark(3, Infinity), { kind: 'watermark', progress: { sourcePartition: 3, watermark: Infinity, idle: false } });
  assert.deepEqual(watermarkMessages({ sourcePartition: 0, watermark: -Infinity, idle: true }, 4).map((m) => m.partition), [0, 1, 2, 3]);
  assert.deepEqual(decode(closedMessage('m', 5), 9), { kind: 'closed', model: 'm', windowStart: 5 });
  assert.throws(() => decodePartialsMessage({ offset: '4', headers: {}, value: null } as unknown as KafkaMessage), /offset 4: header "driftwatch-partial-kind" is missing/);
});

test('a window fires once every source passed its end, merging the shares in (event time, row id) order', () => {
  const merge = new PartitionMerge(bounds);
  merge.observe(0, share(0, [['b', 20, 2], ['d', 40, 4]], [NaN, NaN]).offsetless);
  merge.observe(1, share(1, [['a', 20, 1], ['c', 30, 3]], [NaN, 5]).offsetless);
  merge.observe(2, watermark(0, DAY));
  assert.deepEqual(merge.due().fires, [], 'source 1 has not passed the end');
  merge.observe(3, watermark(1, DAY - 1));
  assert.deepEqual(merge.due().fires, []);
  merge.observe(4, watermark(1, DAY));
  const { fires, closed } = merge.due();
  assert.equal(fires.length, 1);
  assert.deepEqual(closed, []);
  const [fire] = fires;
  assert.deepEqual(ids(fire!.frame), ['a', 'b', 'c', 'd']);
  assert.deepEqual(numbers(fire!.frame, 'x'), [1, 2, 3, 4]);
  assert.deepEqual(numbers(fire!.frame, 'target'), [NaN, NaN, 5, NaN]);
  assert.equal(fire!.revision, 1);
  assert.equal(fire!.labelledRows, 1);
  assert.equal(fire!.final, false);
  assert.deepEqual(merge.due().fires, [], 'nothing changed: no re-fire');
  assert.equal(merge.heldOffset(), 0, 'both shares are still needed');
});

test('per source the most complete share wins; a repeated or poorer one changes nothing', () => {
  const merge = new PartitionMerge(bounds);
  merge.observe(0, share(0, [['a', 1], ['b', 2]], [NaN, NaN]).offsetless);
  merge.observe(1, watermark(0, DAY));
  merge.observe(2, watermark(1, DAY));
  assert.equal(merge.due().fires.length, 1);
  merge.observe(3, share(0, [['a', 1], ['b', 2]], [NaN, NaN]).offsetless); // re-derived after a restart: same content
  merge.observe(4, share(0, [['a', 1]], [8]).offsetless); // fewer rows (more labels): poorer
  assert.deepEqual(merge.due().fires, []);
  merge.observe(5, share(0, [['a', 1], ['b', 2]], [8, NaN]).offsetless); // a label joined
  const [fire] = merge.due().fires;
  assert.equal(fire!.revision, 2);
  assert.equal(fire!.rowsGrew, false);
  assert.deepEqual(numbers(fire!.frame, 'target'), [8, NaN]);
  assert.equal(merge.counters.supersededPartials, 3);
  assert.equal(merge.heldOffset(), 5, 'only the kept share is needed');
});

test('an idle source does not hold the window; one never heard of does', () => {
  const merge = new PartitionMerge(bounds);
  merge.observe(0, share(0, [['a', 1]], [NaN]).offsetless);
  merge.observe(1, watermark(0, DAY));
  assert.deepEqual(merge.due().fires, [], 'source 1 never reported');
  merge.observe(2, watermark(1, 5, true));
  assert.equal(merge.due().fires.length, 1);
  assert.equal(merge.watermark, DAY);
  merge.observe(3, watermark(0, 10));
  assert.equal(merge.watermark, DAY, 'a source re-reading after a restart does not pull the watermark back');
});

test('closes at end + max(label timeout, allowed lateness); later shares are late; the commit moves past', () => {
  const merge = new PartitionMerge({ ...bounds, allowedLateness: 2 * DAY });
  merge.observe(0, share(0, [['a', 1]], [NaN]).offsetless);
  merge.observe(1, watermark(0, 3 * DAY - 1));
  merge.observe(2, watermark(1, 3 * DAY - 1));
  const first = merge.due();
  assert.equal(first.fires.length, 1);
  assert.equal(first.fires[0]!.labelsFinal, true);
  assert.deepEqual(first.closed, []);
  merge.observe(3, watermark(0, 3 * DAY));
  merge.observe(4, watermark(1, 3 * DAY));
  const second = merge.due();
  assert.deepEqual(second.fires, [], 'closed without a change: no re-fire');
  assert.deepEqual(second.closed, [{ model: 'm', windowStart: 0 }]);
  assert.equal(merge.heldOffset(), 5);
  merge.observe(5, share(1, [['z', 2]], [NaN]).offsetless);
  assert.equal(merge.counters.latePartials, 1);
  assert.equal(merge.openWindows, 0);
});

test('a closed marker read back drops the window: a restored merge does not fire it again', () => {
  const merge = new PartitionMerge(bounds);
  merge.observe(0, share(0, [['a', 1]], [NaN]).offsetless);
  merge.observe(1, watermark(0, DAY));
  merge.observe(2, watermark(1, DAY));
  merge.observe(3, decode(closedMessage('m', 0), 3));
  assert.deepEqual(merge.due(), { fires: [], closed: [] });
  merge.observe(4, share(1, [['b', 1]], [NaN]).offsetless);
  assert.equal(merge.counters.latePartials, 1);
  merge.observe(5, watermark(0, Infinity));
  merge.observe(6, watermark(1, Infinity));
  assert.equal(merge.finished(), true);
});
