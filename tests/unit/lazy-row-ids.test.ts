import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowAccumulator } from '../../processor/window/accumulator.js';
import { LazyRowIdColumns, rowIdRange } from '../../processor/window/lazy-row-ids.js';
import { rowsFrame } from './window-fixtures.js';

const schema = { eventTimeColumn: 'event_time', rowIdColumn: 'row_id', targetColumn: 'target', targetKind: 'number' } as const;

/** 500 rows in scrambled arrival order, so the canonical order is a real permutation. */
function scrambled(): WindowAccumulator {
  const accumulator = new WindowAccumulator(schema);
  const rows: [string, number, number][] = Array.from({ length: 500 }, (_, i) => [`id-${(i * 7919) % 500}`, (i * 31) % 97, i]);
  accumulator.add(rowsFrame(rows));
  return accumulator;
}

test('slices of the lazy row id column equal the built column, in canonical order, for toFrame and takeFrame', () => {
  for (const take of [false, true]) {
    const accumulator = scrambled();
    const frame = take ? accumulator.takeFrame() : accumulator.toFrame();
    assert.ok(frame.columns instanceof LazyRowIdColumns);
    const slices = [rowIdRange(frame.columns, 'row_id', 0, 123), rowIdRange(frame.columns, 'row_id', 123, 500)].flat();
    const built = frame.columns.get('row_id')!.values as string[];
    assert.equal(built.length, 500);
    assert.deepEqual(slices, built);
    // Canonical: event time ascending, then row id.
    const times = frame.columns.get('event_time')!.values as Float64Array;
    for (let i = 1; i < 500; i++) assert.ok(times[i - 1]! < times[i]! || (times[i - 1] === times[i] && built[i - 1]! < built[i]!), `row ${i}`);
    assert.deepEqual(rowIdRange(frame.columns, 'row_id', 10, 20), built.slice(10, 20));
  }
});

test('iterating or copying the columns builds the row ids; rows added after toFrame do not show', () => {
  const accumulator = scrambled();
  const frame = accumulator.toFrame();
  accumulator.add(rowsFrame([['late', 0, 1]]));
  const copy = new Map(frame.columns);
  assert.equal((copy.get('row_id')!.values as string[]).length, 500);
  assert.ok(!(copy.get('row_id')!.values as string[]).includes('late'));
  assert.deepEqual([...frame.columns.keys()], [...copy.keys()]);
});
