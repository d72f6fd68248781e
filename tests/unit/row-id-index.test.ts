import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowIdIndex } from '../../processor/window/row-id-index.js';

/** Deterministic ids: uuids, short numbers, empty, and (from `wideFrom` on) some with code units ≥ 256 and lone surrogates. */
function ids(count: number, seed: number, wideFrom = Infinity): string[] {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = next() % 5;
    if (kind === 0) out.push(String(next() % 5000));
    else if (kind === 1) out.push(`${next().toString(16)}-${next().toString(16)}-${next().toString(16)}`);
    else if (kind === 2 && i >= wideFrom) out.push(`é✓${next() % 300}\ud800x${'ü'.repeat(next() % 3)}`);
    else if (kind === 3 && next() % 50 === 0) out.push('');
    else out.push(`row-${next() % 20000}`);
  }
  return out;
}

test('positions, duplicates and lookups agree with a Map, through growth, rehashing and widening', () => {
  const index = new RowIdIndex();
  const reference = new Map<string, number>();
  const offered = ids(60_000, 7, 30_000);
  for (const id of offered) {
    const position = index.add(id);
    if (reference.has(id)) assert.equal(position, -1, `duplicate ${JSON.stringify(id)} added again`);
    else {
      assert.equal(position, reference.size);
      reference.set(id, position);
    }
  }
  assert.equal(index.size, reference.size);
  for (const [id, position] of reference) {
    assert.equal(index.get(id), position);
    assert.equal(index.idAt(position), id);
  }
  for (const absent of ['row-20000', 'zzz', 'é✓', 'row-1 ']) assert.equal(index.has(absent), reference.has(absent));
  assert.deepEqual(index.ids(), [...reference.keys()]);
});

test('compare orders like < on strings (UTF-16 code units), including prefixes and wide characters', () => {
  const index = new RowIdIndex();
  const distinct = [...new Set([...ids(3000, 11, 1000), 'a', 'ab', 'abc', 'b', '', 'Z', '\uffff', '\ud800', '😀', 'é'])];
  for (const id of distinct) index.add(id);
  const sign = (x: number) => Math.sign(x);
  for (let k = 0; k < 20_000; k++) {
    const a = (k * 7919) % distinct.length;
    const b = (k * 104_729 + 13) % distinct.length;
    const expected = distinct[a]! < distinct[b]! ? -1 : distinct[a]! > distinct[b]! ? 1 : 0;
    assert.equal(sign(index.compare(a, b)), expected, `${JSON.stringify(distinct[a])} vs ${JSON.stringify(distinct[b])}`);
  }
  const order = Uint32Array.from(distinct.keys()).sort((a, b) => index.compare(a, b));
  assert.deepEqual(index.ids(order), [...distinct].sort());
});

test('a very long id survives the round trip', () => {
  const index = new RowIdIndex();
  const long = 'x'.repeat(10_000) + 'ℓ' + 'y'.repeat(5000);
  index.add('short');
  assert.equal(index.add(long), 1);
  assert.equal(index.idAt(1), long);
  assert.equal(index.get(long), 1);
  assert.equal(index.idAt(0), 'short');
});
