/**
 * Fired frames are views of the accumulator's own buffers, put in canonical
 * order where they are (processor/window/canonical-order.ts). These tests
 * hold the accumulator to what a copy would give: every frame equal to the
 * window's rows at its fire, in (event time, row id) order, however many
 * rows, labels, merges and reorders come after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';
import { WindowAccumulator, type AccumulatorSchema } from '../../processor/window/accumulator.js';
import type { Column, Frame } from '../../processor/frame.js';
import { rowsFrame } from './window-fixtures.js';

const numberSchema: AccumulatorSchema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' };
const textSchema: AccumulatorSchema = { ...numberSchema, targetKind: 'string' };

interface ModelRow { id: string; time: number; x: number; c: string | null; label: number | string | null }

/** A frame as plain values, for deep comparison. */
interface Snapshot { ids: (string | null)[]; time: number[]; x: number[]; c: (string | null)[]; target: (number | string | null)[] }

function randomInt(rng: RandomGenerator, from: number, to: number): number {
  return unsafeUniformIntDistribution(from, to, rng);
}

function frameOf(rows: readonly ModelRow[], withTarget: boolean, targetKind: 'number' | 'string'): Frame {
  const columns = new Map<string, Column>([
    ['event_time', { kind: 'timestamp', values: Float64Array.from(rows, (r) => r.time) }],
    ['row_id', { kind: 'string', values: rows.map((r) => r.id) }],
    ['x', { kind: 'number', values: Float64Array.from(rows, (r) => r.x) }],
    ['c', { kind: 'string', values: rows.map((r) => r.c) }],
  ]);
  if (withTarget) {
    columns.set('target', targetKind === 'number'
      ? { kind: 'number', values: Float64Array.from(rows, (r) => (r.label === null ? NaN : (r.label as number))) }
      : { kind: 'string', values: rows.map((r) => r.label as string | null) });
  }
  return { rowCount: rows.length, columns };
}

function snapshotOf(frame: Frame): Snapshot {
  // A window that never had a row has no columns but the target.
  const values = (name: string) => Array.from((frame.columns.get(name)?.values ?? []) as ArrayLike<number | string | null>);
  return {
    ids: values('row_id') as (string | null)[],
    time: values('event_time') as number[],
    x: values('x') as number[],
    c: values('c') as (string | null)[],
    target: values('target').map((v) => (typeof v === 'number' && Number.isNaN(v) ? null : v)),
  };
}

/** What a fire must show: the distinct rows (first copy wins), by event time then row id as `<` orders strings. */
function expectedOf(rows: ReadonlyMap<string, ModelRow>): Snapshot {
  const sorted = [...rows.values()].sort((p, q) => p.time - q.time || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
  return { ids: sorted.map((r) => r.id), time: sorted.map((r) => r.time), x: sorted.map((r) => r.x), c: sorted.map((r) => r.c), target: sorted.map((r) => r.label) };
}

/**
 * Random arrival orders, duplicates, labels (in frames and by id), merges and
 * fires, against a model of the rows; every earlier frame is checked again at
 * the end. `categories` past the dictionary limit turns the text column plain.
 */
function runTrial(rng: RandomGenerator, targetKind: 'number' | 'string', categories: number, trial: number): void {
  const schema = targetKind === 'number' ? numberSchema : textSchema;
  const accumulator = new WindowAccumulator(schema);
  const model = new Map<string, ModelRow>();
  const fired: { frame: Frame; expected: Snapshot }[] = [];
  const labelOf = (i: number): number | string => (targetKind === 'number' ? 1000 + i : `label-${i}`);
  let next = 0;
  const freshRow = (): ModelRow => {
    const i = next++;
    const c = randomInt(rng, 0, 6) === 0 ? null : `cat-${randomInt(rng, 0, categories - 1)}`;
    // Few distinct times, so ties broken by row id are common; ids of varied length and case.
    return { id: `${['r', 'R', 'row-', ''][randomInt(rng, 0, 3)]}${randomInt(rng, 0, 1e6)}-${i}`, time: randomInt(rng, -20, 20), x: i + 0.5, c, label: null };
  };
  const steps = randomInt(rng, 5, 25);
  for (let step = 0; step < steps; step++) {
    const action = randomInt(rng, 0, 9);
    if (action <= 3) {
      // A batch, some rows new, some redelivered (possibly with other content: the first copy must win).
      const batch: ModelRow[] = [];
      for (let k = randomInt(rng, 1, 40); k > 0; k--) {
        const known = [...model.values()];
        if (known.length > 0 && randomInt(rng, 0, 4) === 0) batch.push({ ...known[randomInt(rng, 0, known.length - 1)]!, x: -1, label: null });
        else batch.push(freshRow());
      }
      const withTarget = randomInt(rng, 0, 1) === 0;
      if (withTarget) for (const row of batch) if (randomInt(rng, 0, 2) === 0) row.label = labelOf(next++);
      accumulator.add(frameOf(batch, withTarget, targetKind));
      for (const row of batch) if (!model.has(row.id)) model.set(row.id, { ...row, label: withTarget ? row.label : null });
    } else if (action <= 5) {
      // Labels by row id, some for rows not there, some repeated.
      for (let k = randomInt(rng, 1, 15); k > 0; k--) {
        const known = [...model.values()];
        if (known.length === 0 || randomInt(rng, 0, 5) === 0) {
          assert.equal(accumulator.label(`absent-${k}`, labelOf(next++)), 'unknown');
          continue;
        }
        const row = model.get(known[randomInt(rng, 0, known.length - 1)]!.id)!;
        const value = labelOf(next++);
        assert.equal(accumulator.label(row.id, value), row.label === null ? 'joined' : 'duplicate', `trial ${trial} step ${step}`);
        if (row.label === null) row.label = value;
      }
    } else if (action <= 6) {
      // Another accumulator's rows merged in (it may have fired, so its rows are reordered too).
      const other = new WindowAccumulator(schema);
      const rows = Array.from({ length: randomInt(rng, 1, 30) }, freshRow);
      other.add(frameOf(rows, false, targetKind));
      if (randomInt(rng, 0, 1) === 0) other.toFrame();
      for (const row of rows) if (randomInt(rng, 0, 1) === 0) other.label(row.id, (row.label = labelOf(next++)));
      accumulator.merge(other);
      for (const row of rows) model.set(row.id, { ...row });
    } else {
      const frame = accumulator.toFrame();
      const expected = expectedOf(model);
      assert.deepEqual(snapshotOf(frame), expected, `trial ${trial} step ${step}: fire`);
      assert.equal(accumulator.labelledCount, expected.target.filter((t) => t !== null).length);
      fired.push({ frame, expected });
    }
  }
  // A serialized copy, taken after all the reordering, holds the same window.
  const copy = WindowAccumulator.deserialize(accumulator.serialize());
  assert.deepEqual(snapshotOf(copy.toFrame()), expectedOf(model), `trial ${trial}: round trip`);
  const last = accumulator.takeFrame();
  assert.deepEqual(snapshotOf(last), expectedOf(model), `trial ${trial}: last fire`);
  for (const [k, { frame, expected }] of fired.entries()) assert.deepEqual(snapshotOf(frame), expected, `trial ${trial}: fire ${k} changed after it fired`);
}

test('every fire equals a copy of the rows at that time, and keeps its values as rows, labels and later fires come (seeded property)', () => {
  const rng = xoroshiro128plus(20261127);
  for (let trial = 0; trial < 60; trial++) runTrial(rng, 'number', 20, trial);
  for (let trial = 0; trial < 20; trial++) runTrial(rng, 'string', 20, trial);
  // Past the dictionary limit: text kept as plain strings.
  for (let trial = 0; trial < 3; trial++) runTrial(rng, 'number', 100_000, trial);
});

test('a revision frame keeps its rows and labels after rows out of order and more labels arrive and the window is reordered', () => {
  const accumulator = new WindowAccumulator(numberSchema);
  accumulator.add(rowsFrame([['b', 20, 2], ['a', 10, 1], ['c', 30, 3]]));
  accumulator.label('a', 100);
  const revision = accumulator.toFrame();
  accumulator.add(rowsFrame([['d', 5, 4], ['e', 25, 5]]));
  assert.equal(accumulator.label('c', 300), 'joined');
  assert.equal(accumulator.label('d', 400), 'joined');
  const second = accumulator.toFrame();
  assert.deepEqual(snapshotIdsX(revision), { ids: ['a', 'b', 'c'], x: [1, 2, 3], target: [100, NaN, NaN] });
  assert.deepEqual(snapshotIdsX(second), { ids: ['d', 'a', 'b', 'e', 'c'], x: [4, 1, 2, 5, 3], target: [400, 100, NaN, NaN, 300] });
  // Labels still join by row id after the reorder, at the rows' new positions.
  assert.equal(accumulator.label('b', 200), 'joined');
  assert.equal(accumulator.label('e', 500), 'joined');
  assert.equal(accumulator.label('a', 999), 'duplicate');
  assert.deepEqual(snapshotIdsX(accumulator.takeFrame()), { ids: ['d', 'a', 'b', 'e', 'c'], x: [4, 1, 2, 5, 3], target: [400, 100, 200, 500, 300] });
  assert.deepEqual(snapshotIdsX(second).target, [400, 100, NaN, NaN, 300]);
});

test('rows already in order are handed out as views: no copy of the columns, only of the target', () => {
  const accumulator = new WindowAccumulator(numberSchema);
  accumulator.add(rowsFrame([['a', 1], ['b', 2], ['c', 3]]));
  const first = accumulator.toFrame();
  const second = accumulator.toFrame();
  const x = (frame: Frame) => frame.columns.get('x')!.values as Float64Array;
  const target = (frame: Frame) => frame.columns.get('target')!.values as Float64Array;
  assert.equal(x(first).buffer, x(second).buffer);
  assert.notEqual(target(first).buffer, target(second).buffer);
  accumulator.label('b', 7);
  assert.deepEqual(Array.from(target(first)), [NaN, NaN, NaN]);
});

test('a first fire reorders in place; later rows, labels and fires (with and without growth) leave every frame as it was, equal to a window fed in order', () => {
  let state = 7;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  let made = 0;
  const hex = (digits: number) => Array.from({ length: digits }, () => '0123456789abcdef'[next() >>> 28]).join('');
  // Uuids all have one length (the index permutes them where they are); the other ids vary in length.
  const idStyles = {
    uuid: () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    varied: () => `r${next() % 10 ** (1 + (next() % 6))}-${(made++).toString(16)}`,
  };
  for (const [style, newId] of Object.entries(idStyles)) {
    for (const targetKind of ['number', 'string'] as const) {
      const schema = targetKind === 'number' ? numberSchema : textSchema;
      const accumulator = new WindowAccumulator(schema);
      const model = new Map<string, ModelRow>();
      const labelOf = (i: number) => (targetKind === 'number' ? i : `label-${i}`);
      const fired: { frame: Frame; expected: Snapshot }[] = [];
      // Batches in descending time, so every fire has rows to reorder; 300 + 200 rows fit the first
      // capacity (the second fire must copy the buffers the first handed out), the 900 after make it grow.
      for (const [batch, size] of [300, 200, 900].entries()) {
        const rows = Array.from({ length: size }, (_, k): ModelRow => ({
          id: newId(), time: 1000 - 100 * batch - (next() % 50), x: model.size + k, c: k % 9 === 0 ? null : `cat-${next() % 5}`,
          label: k % 4 === 0 ? labelOf(model.size + k) : null,
        }));
        accumulator.add(frameOf(rows, true, targetKind));
        for (const row of rows) model.set(row.id, row);
        for (const row of [...model.values()].filter((r) => r.label === null).slice(0, 30)) {
          row.label = labelOf(-model.size - fired.length);
          assert.equal(accumulator.label(row.id, row.label), 'joined');
        }
        const frame = batch < 2 ? accumulator.toFrame() : accumulator.takeFrame();
        const expected = expectedOf(model);
        // An oracle that never reorders: the same rows and labels, fed already in canonical order.
        const inOrder = new WindowAccumulator(schema);
        inOrder.add(frameOf([...model.values()].sort((p, q) => p.time - q.time || (p.id < q.id ? -1 : 1)), true, targetKind));
        assert.deepEqual(snapshotOf(frame), snapshotOf(inOrder.toFrame()), `${style} ${targetKind}: fire ${batch}`);
        assert.deepEqual(snapshotOf(frame), expected);
        fired.push({ frame, expected });
      }
      for (const [k, { frame, expected }] of fired.entries()) assert.deepEqual(snapshotOf(frame), expected, `${style} ${targetKind}: fire ${k} changed after it fired`);
    }
  }
});

function snapshotIdsX(frame: Frame): { ids: string[]; x: number[]; target: number[] } {
  return {
    ids: frame.columns.get('row_id')!.values as string[],
    x: Array.from(frame.columns.get('x')!.values as Float64Array),
    target: Array.from(frame.columns.get('target')!.values as Float64Array),
  };
}
