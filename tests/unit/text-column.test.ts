import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DICTIONARY, TextColumn } from '../../processor/window/text-column.js';

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
  const order = Array.from(values.keys()).reverse();
  assert.deepEqual(column.gather(order), order.map((i) => values[i]));
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
