import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RowIdIndex } from '../../processor/window/row-id-index.js';
import { Permutation } from '../../processor/window/canonical-order.js';

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
  index.permute(new Permutation(order));
  assert.deepEqual(index.ids(), [...distinct].sort());
});

test('permute moves ids and lookups to their new positions; snapshots taken before keep the old ones', () => {
  const index = new RowIdIndex();
  const offered = [...new Set(ids(20_000, 3, 10_000))];
  for (const id of offered) index.add(id);
  const before = index.snapshot();
  const sorted = [...offered].sort();
  index.permute(new Permutation(Uint32Array.from(offered.keys()).sort((a, b) => index.compare(a, b))));
  assert.deepEqual(index.ids(), sorted);
  sorted.forEach((id, position) => assert.equal(index.get(id), position));
  // Adds after a permute go on at the end, through growth, and are found.
  const later = [...new Set(['after-1', 'after-2', ...ids(5000, 99).map((id) => `later-${id}`)])];
  for (const id of later) assert.equal(index.add(id), index.size - 1);
  later.forEach((id, k) => assert.equal(index.get(id), sorted.length + k));
  assert.equal(index.add(sorted[5]!), -1);
  assert.deepEqual(before.ids(), offered);
  assert.equal(before.idAt(7), offered[7]);
  assert.throws(() => before.idAt(offered.length), RangeError);
  assert.throws(() => index.permute(new Permutation([0, 1])), /permutation/);
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

test('lower-case uuids are packed and read, found, compared and permuted like any id, mixed with near-uuids', () => {
  let state = 12345;
  const hex = (digits: number) => Array.from({ length: digits }, () => '0123456789abcdef'[(state = (Math.imul(state, 1664525) + 1013904223) >>> 0) >>> 28]).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const uuids = Array.from({ length: 3000 }, uuid);
  // Not packable: upper case, a dash moved, one digit short or long, a 'g'; and ids sharing a uuid's prefix.
  const near = uuids.slice(0, 200).flatMap((u) => [u.toUpperCase(), `${u.slice(0, 7)}-${u.slice(7, 8)}${u.slice(9)}`, u.slice(0, 35), `${u}0`, `${u.slice(0, 35)}g`, u.slice(0, 20), `${u.slice(0, 8)}`]);
  const distinct = [...new Set([...uuids, ...near, 'a', '', 'ÿ', '\uffff', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'])];
  const index = new RowIdIndex();
  for (const id of distinct) index.add(id);
  const [lower, upper] = [uuids, uuids.map((u) => u.toUpperCase())].map((some) => {
    const alone = new RowIdIndex();
    for (const id of some) alone.add(id);
    return alone.byteLength;
  });
  assert.ok(lower! < upper!, `packed uuids take less room than their text (${lower} vs ${upper} bytes)`);
  distinct.forEach((id, position) => {
    assert.equal(index.get(id), position);
    assert.equal(index.idAt(position), id);
    assert.equal(index.add(id), -1);
  });
  for (const absent of [uuid(), uuid().toUpperCase(), `${uuids[0]!.slice(0, 35)}x`]) assert.equal(index.has(absent), false);
  for (let k = 0; k < 30_000; k++) {
    const a = (k * 7919) % distinct.length;
    const b = (k * 104_729 + 13) % distinct.length;
    const expected = distinct[a]! < distinct[b]! ? -1 : distinct[a]! > distinct[b]! ? 1 : 0;
    assert.equal(Math.sign(index.compare(a, b)), expected, `${JSON.stringify(distinct[a])} vs ${JSON.stringify(distinct[b])}`);
  }
  const before = index.snapshot();
  index.permute(new Permutation(Uint32Array.from(distinct.keys()).sort((a, b) => index.compare(a, b))));
  const sorted = [...distinct].sort();
  assert.deepEqual(index.ids(), sorted);
  sorted.forEach((id, position) => assert.equal(index.get(id), position));
  assert.deepEqual(before.ids(), distinct);
});
