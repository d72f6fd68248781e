/**
 * Approximate windows merge to what one instance fed every row holds, exactly
 * (DESIGN core idea 2): two approximate shares, an approximate with an exact
 * one, two exact ones whose rows together pass above_rows — in either order,
 * and through the partials topic's wire format and PartitionMerge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaMessage, Message } from 'kafkajs';
import type { Frame } from '../../processor/frame.js';
import { decodePartialsMessage, partialMessage, watermarkMessages, type PartialsMessage } from '../../processor/scaleout/partial-messages.js';
import { PartitionMerge } from '../../processor/scaleout/partition-merge.js';
import { ApproximateWindow, type ApproximateConfig } from '../../processor/window/approximate-window.js';
import { SketchedColumn } from '../../processor/window/sketched-column.js';
import { computeWindowMetrics } from '../../processor/window-metrics.js';
import type { WindowMetrics } from '../../processor/results.js';
import { approximateOf, DAY, fire, metricsOf, pickRows, referenceOf, rows, spec, targetsOf } from './approximate-window-fixtures.js';

const reference = referenceOf();
const all = rows(4000, 2, 0.3);
const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;

function windowOf(frame: Frame, config: ApproximateConfig): ApproximateWindow {
  const window = new ApproximateWindow(schema, config);
  for (let start = 0; start < frame.rowCount; start += 500) {
    const end = Math.min(frame.rowCount, start + 500);
    window.add(frame, Int32Array.from({ length: end - start }, (_, i) => start + i));
  }
  const targets = targetsOf(frame);
  targets.ids.forEach((id, i) => window.label(id, targets.values[i]!));
  return window;
}

function metrics(window: ApproximateWindow): WindowMetrics {
  return computeWindowMetrics({ windowStart: 0, windowEnd: DAY, revision: 1, frame: window.toFrame(), sketches: window.sketches }, reference, spec);
}

function merged(a: ApproximateWindow, b: ApproximateWindow, config: ApproximateConfig): ApproximateWindow {
  const into = new ApproximateWindow(schema, config);
  into.merge(a);
  into.merge(b);
  return into;
}

/** The rows in two shares: those `keepInFirst` picks, and the others. */
function split(keepInFirst: (i: number) => boolean): [Frame, Frame] {
  return [pickRows(all, keepInFirst), pickRows(all, (i) => !keepInFirst(i))];
}

function assertSameWindow(actual: ApproximateWindow, expected: ApproximateWindow, what: string): void {
  assert.equal(actual.isApproximate, expected.isApproximate, `${what}: approximate`);
  assert.equal(SketchedColumn.encode(actual.sketches!), SketchedColumn.encode(expected.sketches!), `${what}: sketches`);
  assert.equal(actual.duplicates, expected.duplicates, `${what}: duplicates`);
  assert.deepEqual(metrics(actual), metrics(expected), `${what}: metrics`);
}

for (const [name, aboveRows, keepInFirst] of [
  ['two approximate shares', 1000, (i: number) => i % 2 === 0],
  ['an approximate and an exact share', 1000, (i: number) => i % 10 === 0],
  ['two exact shares whose rows together pass above_rows', 3000, (i: number) => i % 2 === 0],
] as const) {
  test(`merging ${name} equals one window fed every row, in either order`, () => {
    const config = approximateOf(reference, aboveRows);
    const single = windowOf(all, config);
    assert.equal(single.isApproximate, true);
    const [first, second] = split(keepInFirst);
    const a = () => windowOf(first, config);
    const b = () => windowOf(second, config);
    assertSameWindow(merged(a(), b(), config), single, 'a then b');
    assertSameWindow(merged(b(), a(), config), single, 'b then a');
    const receiving = a();
    receiving.merge(b());
    assertSameWindow(receiving, single, 'b into a');
    const other = b();
    other.merge(a());
    assertSameWindow(other, single, 'a into b');
  });
}

test('merging leaves the other window unchanged', () => {
  const config = approximateOf(reference, 1000);
  const [first, second] = split((i) => i % 10 === 0);
  const exact = windowOf(first, config);
  const before = exact.serialize();
  const approximate = windowOf(second, config);
  approximate.merge(exact);
  assert.deepEqual(exact.serialize(), before);
  const sketchesBefore = SketchedColumn.encode(approximate.sketches!);
  const receiving = windowOf(first, config);
  receiving.merge(approximate);
  assert.equal(SketchedColumn.encode(approximate.sketches!), sketchesBefore);
});

test('an empty share merges into an approximate window as nothing (the merge step folds shares one by one)', () => {
  const config = approximateOf(reference, 1000);
  const [, second] = split((i) => i % 10 === 0);
  const approximate = windowOf(second, config);
  assert.ok(approximate.isApproximate);
  const before = approximate.serialize();
  approximate.merge(new ApproximateWindow(schema, config));
  assert.deepEqual(approximate.serialize(), before);
});

function decode(message: Message, offset: number): PartialsMessage {
  return decodePartialsMessage({ ...message, offset: String(offset), headers: message.headers, value: message.value as Buffer } as KafkaMessage);
}

test('scale-out: two instances\' approximate shares through the partials topic merge to the single instance\'s metrics', () => {
  for (const keepInFirst of [(i: number) => i % 2 === 0, (i: number) => i % 10 === 0]) {
    const config = approximateOf(reference, 1000);
    const single = fire(all, config);
    const shares = split(keepInFirst).map((frame, partition) => fire(frame, config, 700, partition));
    assert.equal(shares[0]!.sketches !== undefined, shares[0]!.frame.rowCount > 1000, 'a share at most above_rows stays exact');
    const merge = new PartitionMerge({ sourcePartitions: 2, labelTimeout: DAY, allowedLateness: 0 }, config);
    let offset = 0;
    shares.forEach((share, source) => {
      const header = { model: 'm', windowStart: 0, windowEnd: DAY, sourcePartition: source, rows: share.frame.rowCount, labelledRows: share.labelledRows, final: true };
      merge.observe(offset++, decode(partialMessage(header, schema, share.frame, share.duplicates, share.sketches), 0));
    });
    for (const source of [0, 1]) merge.observe(offset++, decode(watermarkMessages({ sourcePartition: source, watermark: Infinity, idle: false }, 1)[0]!, 0));
    const [out] = merge.due().fires;
    assert.ok(out?.sketches, 'the merged window is approximate');
    assert.deepEqual(computeWindowMetrics(out, reference, spec), metricsOf(single, reference));
    assert.equal(SketchedColumn.encode(out.sketches), SketchedColumn.encode(single.sketches!));
  }
});

test('scale-out: exact shares stay exact without the setting, and carry no sketches header', () => {
  const shares = split((i) => i % 2 === 0).map((frame, partition) => fire(frame, undefined, 700, partition));
  const message = partialMessage({ model: 'm', windowStart: 0, windowEnd: DAY, sourcePartition: 0, rows: 1, labelledRows: 0, final: true }, schema, shares[0]!.frame, 0);
  assert.equal(Object.keys(message.headers ?? {}).some((h) => h.includes('sketch')), false);
  const decoded = decode(message, 0);
  assert.equal(decoded.kind === 'partial' && decoded.sketches, null);
});
