import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { WindowAccumulator } from '../../processor/window/accumulator.js';
import type { Column, Frame } from '../../processor/frame.js';
import { ids, numbers, rowsFrame } from './window-fixtures.js';

const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;

test('toFrame orders rows by event time, then row id', () => {
  const accumulator = new WindowAccumulator(schema);
  accumulator.add(rowsFrame([['b', 5, 1], ['a', 5, 2], ['c', 1, 3]]));
  const frame = accumulator.toFrame();
  assert.deepEqual(ids(frame), ['c', 'a', 'b']);
  assert.deepEqual(numbers(frame, 'x'), [3, 2, 1]);
  assert.deepEqual(numbers(frame, 'event_time'), [1, 5, 5]);
  assert.deepEqual(numbers(frame, 'target'), [NaN, NaN, NaN]);
  assert.deepEqual([...frame.columns.keys()], ['event_time', 'row_id', 'x', 'target']);
});

test('a repeated row id is kept once, the first copy wins, and it is counted', () => {
  const accumulator = new WindowAccumulator(schema);
  assert.equal(accumulator.add(rowsFrame([['a', 1, 10]])), 1);
  // 'a' again (different x) and 'b' twice in one batch.
  assert.equal(accumulator.add(rowsFrame([['a', 1, 99], ['b', 2, 20], ['b', 2, 21]])), 1);
  assert.equal(accumulator.rowCount, 2);
  assert.equal(accumulator.duplicates, 2);
  assert.deepEqual(numbers(accumulator.toFrame(), 'x'), [10, 20]);
});

test('only the selected rows are added', () => {
  const accumulator = new WindowAccumulator(schema);
  accumulator.add(rowsFrame([['a', 1], ['b', 2], ['c', 3]]), [0, 2]);
  assert.deepEqual(ids(accumulator.toFrame()), ['a', 'c']);
  assert.throws(() => accumulator.add(rowsFrame([['d', 1], ['e', 2]]), [1, 0]), /selection must be increasing/);
});

test('labels join by row id; the first label wins; a target column in the frame counts as labels', () => {
  const accumulator = new WindowAccumulator(schema);
  accumulator.add(rowsFrame([['a', 1], ['b', 2]]));
  assert.equal(accumulator.label('a', 3), 'joined');
  assert.equal(accumulator.label('a', 4), 'duplicate');
  assert.equal(accumulator.label('zz', 1), 'unknown');
  const withTarget = rowsFrame([['c', 3]]);
  (withTarget.columns as Map<string, Column>).set('target', { kind: 'number', values: Float64Array.of(8) });
  accumulator.add(withTarget);
  assert.equal(accumulator.labelledCount, 2);
  assert.deepEqual(numbers(accumulator.toFrame(), 'target'), [3, NaN, 8]);
});

test('a batch with different columns is refused with the column named', () => {
  const accumulator = new WindowAccumulator(schema);
  accumulator.add(rowsFrame([['a', 1]]));
  const missing: Frame = { rowCount: 1, columns: new Map([...rowsFrame([['b', 2]]).columns].filter(([n]) => n !== 'x')) };
  assert.throws(() => accumulator.add(missing), /column "x" is missing from this batch/);
  const retyped = rowsFrame([['b', 2]]);
  (retyped.columns as Map<string, Column>).set('x', { kind: 'string', values: ['2'] });
  assert.throws(() => accumulator.add(retyped), /column "x" is string in this batch but number/);
  const extra = rowsFrame([['b', 2]]);
  (extra.columns as Map<string, Column>).set('y', { kind: 'number', values: Float64Array.of(1) });
  assert.throws(() => accumulator.add(extra), /"y" not in the window/);
  assert.throws(() => new WindowAccumulator(schema).add(rowsFrame([[null, 1]])), /row 0: column "row_id" is missing/);
});

/** A row as the test knows it: id, event time (few distinct values, so ties are common), x, label. */
interface TestRow { id: string; time: number; x: number; label: number }

function randomInt(rng: RandomGenerator, from: number, to: number): number {
  return unsafeUniformIntDistribution(from, to, rng);
}

function shuffled<T>(items: readonly T[], rng: RandomGenerator): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, 0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Feeds rows in random batch sizes; labels travel as a target column on a random subset. */
function feed(accumulator: WindowAccumulator, rows: readonly TestRow[], rng: RandomGenerator): void {
  for (let at = 0; at < rows.length;) {
    const batch = rows.slice(at, at + randomInt(rng, 1, 17));
    at += batch.length;
    const frame = rowsFrame(batch.map((r) => [r.id, r.time, r.x]));
    const labelled = batch.map((r) => (randomInt(rng, 0, 2) === 0 ? r.label : NaN));
    (frame.columns as Map<string, Column>).set('target', { kind: 'number', values: Float64Array.from(labelled) });
    accumulator.add(frame);
  }
}

test('merging two accumulators equals one accumulator fed every row in another order (seeded property)', () => {
  const rng = xoroshiro128plus(20240607);
  for (let trial = 0; trial < 40; trial++) {
    const distinct: TestRow[] = [];
    const count = randomInt(rng, 1, 120);
    for (let i = 0; i < count; i++) {
      distinct.push({ id: `r${randomInt(rng, 0, 1e6)}-${i}`, time: randomInt(rng, -5, 5), x: i, label: 100 + i });
    }
    // Redeliveries: every row lands in A or B, some in both, some twice in the same one.
    const partA: TestRow[] = [];
    const partB: TestRow[] = [];
    for (const row of distinct) {
      const where = randomInt(rng, 0, 3);
      if (where !== 1) partA.push(row);
      if (where !== 0) partB.push(row);
      if (randomInt(rng, 0, 9) === 0) partA.push(row);
    }
    const a = new WindowAccumulator(schema);
    const b = new WindowAccumulator(schema);
    feed(a, shuffled(partA, rng), rng);
    feed(b, shuffled(partB, rng), rng);
    const merged = new WindowAccumulator(schema);
    if (randomInt(rng, 0, 1) === 0) { merged.merge(a); merged.merge(b); } else { merged.merge(b); merged.merge(a); }
    // Labels go only in the single feed, all of them, so the merged one must equal it where labelled.
    const single = new WindowAccumulator(schema);
    single.add(rowsFrame(shuffled([...partB, ...partA], rng).map((r) => [r.id, r.time, r.x])));

    // Expected from the definition: distinct rows sorted by (time, id).
    const expected = [...distinct].sort((p, q) => p.time - q.time || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
    for (const accumulator of [merged, single]) {
      const frame = accumulator.toFrame();
      assert.deepEqual(ids(frame), expected.map((r) => r.id), `trial ${trial}`);
      assert.deepEqual(numbers(frame, 'x'), expected.map((r) => r.x));
      assert.equal(accumulator.duplicates, partA.length + partB.length - distinct.length);
    }
    // Every label in the merge is the row's own label; labels given in A or B survive the merge.
    const targets = numbers(merged.toFrame(), 'target');
    targets.forEach((t, i) => { if (!Number.isNaN(t)) assert.equal(t, expected[i]!.label); });
    assert.equal(merged.labelledCount, targets.filter((t) => !Number.isNaN(t)).length);
    assert.ok(merged.labelledCount >= Math.max(a.labelledCount, b.labelledCount));
  }
});

test('merge keeps a label that only the other copy of a row has', () => {
  const a = new WindowAccumulator(schema);
  const b = new WindowAccumulator(schema);
  a.add(rowsFrame([['r', 1]]));
  b.add(rowsFrame([['r', 1]]));
  b.label('r', 5);
  a.merge(b);
  assert.deepEqual(numbers(a.toFrame(), 'target'), [5]);
  assert.equal(a.labelledCount, 1);
  assert.equal(a.duplicates, 1);
});

test('merging windows with different columns is refused', () => {
  const a = new WindowAccumulator(schema);
  a.add(rowsFrame([['r', 1]]));
  const b = new WindowAccumulator(schema);
  b.add({ rowCount: 1, columns: new Map([...rowsFrame([['s', 1]]).columns].filter(([n]) => n !== 'x')) });
  assert.throws(() => a.merge(b), /different columns/);
  assert.throws(() => a.merge(new WindowAccumulator({ ...schema, targetKind: 'string' })), /different schemas/);
});

test('serialize / deserialize round trip keeps rows, NaN, nulls, labels and counts', () => {
  const accumulator = new WindowAccumulator(schema);
  const frame = rowsFrame([['b', 2, Number.NaN], ['a', 1, -0.5], ['b', 2, 7]]);
  (frame.columns as Map<string, Column>).set('city', { kind: 'string', values: ['Oslo', null, 'Rome'] });
  accumulator.add(frame);
  accumulator.label('b', 1.25);
  const restored = WindowAccumulator.deserialize(accumulator.serialize());
  assert.equal(restored.rowCount, 2);
  assert.equal(restored.duplicates, 1);
  assert.equal(restored.labelledCount, 1);
  const back = restored.toFrame();
  assert.deepEqual(ids(back), ['a', 'b']);
  assert.deepEqual(numbers(back, 'x'), [-0.5, NaN]);
  assert.deepEqual(back.columns.get('city')!.values, [null, 'Oslo']);
  assert.deepEqual(numbers(back, 'target'), [NaN, 1.25]);
  assert.equal(back.columns.get('event_time')!.kind, 'timestamp');
  // The restored accumulator still knows its row ids.
  const again = rowsFrame([['a', 1]]);
  (again.columns as Map<string, Column>).set('city', { kind: 'string', values: ['Oslo'] });
  assert.equal(restored.add(again), 0);
  assert.throws(() => WindowAccumulator.deserialize('{"format":"other"}'), /expected format/);
});

test('text targets round trip and are null where unlabelled', () => {
  const accumulator = new WindowAccumulator({ ...schema, targetKind: 'string' });
  accumulator.add(rowsFrame([['a', 1], ['b', 2]]));
  accumulator.label('b', 'cat');
  assert.throws(() => accumulator.label('a', 3), /is a number; target "target" is text/);
  const back = WindowAccumulator.deserialize(accumulator.serialize()).toFrame();
  assert.deepEqual(back.columns.get('target')!.values, [null, 'cat']);
});
