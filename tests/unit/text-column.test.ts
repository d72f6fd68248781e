import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DICTIONARY, TextColumn } from '../../processor/window/text-column.js';
import { Permutation } from '../../processor/window/canonical-order.js';

/** Appends `values` in batches as the accumulator does (reserve, then append the selected rows). */
function fill(values: (string | null)[], batch: number): TextColumn {
  const column = new TextColumn('c');
  for (let base = 0; base < values.length; base += batch) {
    const part = values.slice(base, base + batch);
    column.reserve(base + part.length, base);
    column.append(part, Int32Array.from(part.keys()), base);
  }
  return column;
}

test('categorical values round-trip through codes, nulls included', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => (i % 17 === 0 ? null : `airport-${(i * 7) % 230}`));
  const column = fill(values, 999);
  assert.equal(column.coded, true);
  assert.deepEqual(column.values(values.length), values);
});

test('reorder permutes the rows, coded or plain, and appends go on after them', () => {
  for (const [distinct, coded] of [[230, true], [MAX_DICTIONARY * 2, false]] as const) {
    const values = Array.from({ length: MAX_DICTIONARY * 3 }, (_, i) => (i % 13 === 0 ? null : `v${(i * 7) % distinct}`));
    const column = fill(values, 1000);
    assert.equal(column.coded, coded);
    const order = Array.from(values.keys(), (i) => (i * 7919) % values.length);
    const before = column.values(values.length);
    column.reorder(new Permutation(order));
    assert.deepEqual(column.values(values.length), order.map((i) => values[i]));
    assert.deepEqual(before, values);
    column.reserve(values.length + 2, values.length);
    column.append(['new', null], [0, 1], values.length);
    assert.deepEqual(column.values(values.length + 2).slice(-3), [values[order.at(-1)!], 'new', null]);
  }
});

test('past the dictionary limit the column turns plain, mid-batch, and loses nothing', () => {
  const values = Array.from({ length: MAX_DICTIONARY * 3 }, (_, i) => (i % 11 === 0 ? null : `free text ${i}`));
  const column = fill(values, 1500);
  assert.equal(column.coded, false);
  assert.deepEqual(column.values(values.length), values);
  for (const i of [0, 1, MAX_DICTIONARY - 1, MAX_DICTIONARY + 1, values.length - 1]) assert.equal(column.at(i), values[i]);
});

test('a selection of rows goes to consecutive positions', () => {
  const column = new TextColumn('c');
  column.reserve(3, 0);
  column.append(['a', 'b', null, 'c', 'a'], [1, 2, 4], 0);
  assert.deepEqual(column.values(3), ['b', null, 'a']);
});

test('turning plain right after a fire leaves the strings handed to that fire alone, through appends and reorders', () => {
  const values = Array.from({ length: MAX_DICTIONARY }, (_, i) => `v${i}`);
  const column = fill(values, 1000);
  const fired = column.values(values.length);
  const copy = [...fired];
  column.reserve(values.length + 2, values.length);
  column.append(['past the dictionary', 'and more'], [0, 1], values.length);
  assert.equal(column.coded, false);
  const n = values.length + 2;
  column.reorder(new Permutation(Array.from({ length: n }, (_, i) => n - 1 - i)));
  assert.deepEqual(fired, copy);
  assert.deepEqual(column.values(n), [...values, 'past the dictionary', 'and more'].reverse());
});

test('a fire gets the codes, strings built only when read, and later appends and reorders leave them alone', () => {
  const values = Array.from({ length: 5000 }, (_, i) => (i % 9 === 0 ? null : `airport-${(i * 7) % 230}`));
  const column = fill(values, 700);
  const fired = column.column(values.length);
  assert.equal(column.column(values.length), fired, 'a later fire of the same rows shares the column');
  const codes = fired.coded!.codes.slice();
  column.reserve(values.length + 1, values.length);
  column.append(['new airport'], [0], values.length);
  const n = values.length + 1;
  column.reorder(new Permutation(Array.from({ length: n }, (_, i) => n - 1 - i)));
  assert.deepEqual(fired.coded!.codes, codes);
  assert.deepEqual(fired.values, values);
  assert.deepEqual(column.values(n), [...values, 'new airport'].reverse());
  assert.notEqual(column.column(n), fired);
});
