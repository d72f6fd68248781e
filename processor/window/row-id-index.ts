/**
 * The row ids of one window, compact: every id's UTF-16 code units in one
 * growing byte buffer (one byte per unit while every unit is below 256 — the
 * usual case: uuids, numbers, hex — two bytes otherwise; lower-case uuids
 * packed in 16 bytes, packed-uuid.ts), a start offset per id, and an
 * open-addressing hash table (linear probing, load ≤ ¾) from id to its
 * position, i.e. its insertion order until the window reorders its rows.
 *
 * Why not a Map<string, number> and an array of strings: for a million uuids
 * those cost ≈ 100 MB of V8 heap (a 56-byte string object each, the array,
 * the Map's entries) and as much again in garbage-collector headroom; here
 * they are ≈ 32 MB of array buffers outside the heap, with no per-row object.
 *
 * Ids compare by UTF-16 code units (`compare`), exactly as JavaScript's `<`
 * on strings does, so the window's canonical row order does not change.
 *
 * Written code units, starts and packed flags are never overwritten once a
 * `snapshot()` — the buffers as they are — may be reading them: growing and
 * widening move to new buffers, and so does `permute` after a snapshot. So a
 * snapshot keeps reading the ids at their old positions for as long as a
 * fired frame needs them, while the index goes on. Before any snapshot (a
 * window's first fire) `permute` moves ids where they are when they all have
 * one length (uuids, fixed-width keys): no second copy of the ids.
 */

import type { Permutation } from './canonical-order.js';
import { equalsPacked, isPackableUuid, packedUnitAt, packUuid, PACKED_UUID_BYTES, PACKED_UUID_UNITS, unpackUuid } from './packed-uuid.js';

const EMPTY = -1;
const INITIAL_IDS = 1024;

export class RowIdIndex {
  /** Code units of every id, back to back: one byte each until `wide`. */
  private units: Uint8Array | Uint16Array = new Uint8Array(INITIAL_IDS * 16);
  private wide = false;
  private unitsUsed = 0;
  /** starts[i] … starts[i + 1] are id i's code units. */
  private starts = new Uint32Array(INITIAL_IDS + 1);
  /** 1 where the id is a uuid packed in 16 bytes. */
  private packed = new Uint8Array(INITIAL_IDS);
  private hashes = new Uint32Array(INITIAL_IDS);
  private count = 0;
  /** Whether a snapshot may be reading units, starts and packed (hashes and slots are never handed out). */
  private shared = false;
  private slots = new Int32Array(INITIAL_IDS * 2).fill(EMPTY);
  // Probing compares the stored 32-bit hash before the code units, so a ¾ load stays cheap.

  get size(): number { return this.count; }

  /** The position of `id`, or -1. */
  get(id: string): number {
    const hash = hashOf(id);
    const pack = isPackableUuid(id);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const position = this.slots[slot]!;
      if (position === EMPTY) return -1;
      if (this.hashes[position] === hash && this.equals(position, id, pack)) return position;
    }
  }

  has(id: string): boolean {
    return this.get(id) !== -1;
  }

  /** Adds `id` at the next position and returns it; -1 (and nothing added) if it is already here. */
  add(id: string): number {
    const hash = hashOf(id);
    const pack = isPackableUuid(id);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const position = this.slots[slot]!;
      if (position === EMPTY) break;
      if (this.hashes[position] === hash && this.equals(position, id, pack)) return -1;
    }
    const position = this.count;
    this.append(id, hash, pack);
    this.slots[slot] = position;
    if (this.count * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    return position;
  }

  /** The id at `position` as a string. */
  idAt(position: number): string {
    return idIn(this.units, this.starts, this.packed, position);
  }

  /** Every id, in position order. */
  ids(): string[] {
    return idsIn(this.units, this.starts, this.packed, this.count);
  }

  /** The ids at their current positions, unaffected by later adds and permutes (no copy). */
  snapshot(): RowIdSnapshot {
    this.shared = true;
    return new RowIdSnapshot(this.units, this.starts, this.packed, this.count);
  }

  /**
   * Moves the id at position order[i] to position i, for every i. Where a
   * snapshot may be reading the ids, into new buffers (same capacities as
   * before: a permute must not change when the next growth comes); the hash
   * table is renumbered where it is.
   */
  permute(permutation: Permutation): void {
    const n = this.count;
    if (permutation.length !== n) throw new Error(`row id index: a permutation of ${n} positions expected, got ${permutation.length}`);
    const { order } = permutation;
    const newPosition = new Int32Array(n);
    for (let i = 0; i < n; i++) newPosition[order[i]!] = i;
    const slots = this.slots;
    for (let slot = 0; slot < slots.length; slot++) if (slots[slot] !== EMPTY) slots[slot] = newPosition[slots[slot]!]!;
    permutation.apply(this.hashes);
    const width = this.shared ? 0 : this.commonLength();
    if (width > 0) {
      // Every id `width` units long: starts stay as they are.
      permutation.apply(this.units, width);
      permutation.apply(this.packed);
      return;
    }
    const { units: oldUnits, starts: oldStarts, packed: oldPacked } = this;
    const units = new (oldUnits.constructor as new (length: number) => Uint8Array | Uint16Array)(oldUnits.length);
    const starts = new Uint32Array(oldStarts.length);
    const packed = new Uint8Array(oldPacked.length);
    let end = 0;
    for (let i = 0; i < n; i++) {
      const from = order[i]!;
      packed[i] = oldPacked[from]!;
      for (let k = oldStarts[from]!, stop = oldStarts[from + 1]!; k < stop; k++) units[end++] = oldUnits[k]!;
      starts[i + 1] = end;
    }
    this.units = units;
    this.starts = starts;
    this.packed = packed;
    this.shared = false;
  }

  /** The length in code units every id has, or 0 when they differ. */
  private commonLength(): number {
    const width = this.starts[1]! - this.starts[0]!;
    for (let i = 2; i <= this.count; i++) if (this.starts[i] !== i * width) return 0;
    return width;
  }

  /** Sign of (id at a) − (id at b), by UTF-16 code units as `<` on strings. */
  compare(a: number, b: number): number {
    // Two packed uuids compare byte by byte like two plain ids (packed-uuid.ts); only a mix needs decoding.
    if (this.packed[a] !== this.packed[b]) return this.compareMixed(a, b);
    const units = this.units;
    let i = this.starts[a]!;
    let j = this.starts[b]!;
    const endA = this.starts[a + 1]!;
    const endB = this.starts[b + 1]!;
    for (; i < endA && j < endB; i++, j++) {
      const d = units[i]! - units[j]!;
      if (d !== 0) return d;
    }
    return (endA - i) - (endB - j);
  }

  /** Bytes held (for the operator's state gauges and the memory bench). */
  get byteLength(): number {
    return this.units.byteLength + this.starts.byteLength + this.packed.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  /** `compare` of a packed uuid and a plain id, a code unit at a time. */
  private compareMixed(a: number, b: number): number {
    const lengthA = this.lengthAt(a);
    const lengthB = this.lengthAt(b);
    for (let k = 0; k < lengthA && k < lengthB; k++) {
      const d = this.unitAt(a, k) - this.unitAt(b, k);
      if (d !== 0) return d;
    }
    return lengthA - lengthB;
  }

  private lengthAt(position: number): number {
    return this.packed[position] ? PACKED_UUID_UNITS : this.starts[position + 1]! - this.starts[position]!;
  }

  private unitAt(position: number, k: number): number {
    const start = this.starts[position]!;
    return this.packed[position] ? packedUnitAt(this.units, start, k) : this.units[start + k]!;
  }

  private equals(position: number, id: string, pack: boolean): boolean {
    // Whether an id is packed depends on the id alone: a packed one and a plain one always differ.
    if ((this.packed[position] === 1) !== pack) return false;
    const start = this.starts[position]!;
    if (pack) return equalsPacked(this.units, start, id);
    if (this.starts[position + 1]! - start !== id.length) return false;
    const units = this.units;
    for (let k = 0; k < id.length; k++) if (units[start + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  private append(id: string, hash: number, pack: boolean): void {
    if (this.count >= this.hashes.length) {
      const capacity = this.hashes.length * 2;
      this.hashes = grown(this.hashes, capacity, this.count);
      this.packed = grown(this.packed, capacity, this.count);
      this.starts = grown(this.starts, capacity + 1, this.count + 1);
    }
    let wideNeeded = false;
    for (let k = 0; k < id.length && !this.wide && !pack; k++) if (id.charCodeAt(k) > 0xff) wideNeeded = true;
    if (wideNeeded) this.widen();
    const end = this.unitsUsed + (pack ? PACKED_UUID_BYTES : id.length);
    if (end > this.units.length) {
      // 1.5×, not 2×: this is the index's largest buffer, and its slack is paid for in RSS.
      let capacity = Math.ceil(this.units.length * 1.5);
      while (capacity < end) capacity = Math.ceil(capacity * 1.5);
      this.units = grown(this.units, capacity, this.unitsUsed);
    }
    const units = this.units;
    if (pack) packUuid(id, units, this.unitsUsed);
    else for (let k = 0; k < id.length; k++) units[this.unitsUsed + k] = id.charCodeAt(k);
    this.unitsUsed = end;
    this.packed[this.count] = pack ? 1 : 0;
    this.hashes[this.count] = hash;
    this.count++;
    this.starts[this.count] = end;
  }

  /** The first id with a code unit ≥ 256: two bytes a unit from now on. */
  private widen(): void {
    const units = new Uint16Array(this.units.length);
    units.set(this.units.subarray(0, this.unitsUsed));
    this.units = units;
    this.wide = true;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    for (let position = 0; position < this.count; position++) {
      let slot = this.hashes[position]! & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = position;
    }
    this.slots = slots;
  }
}

/** The ids of an index at one moment (RowIdIndex.snapshot). */
export class RowIdSnapshot {
  constructor(
    private readonly units: Uint8Array | Uint16Array,
    private readonly starts: Uint32Array,
    private readonly packed: Uint8Array,
    readonly size: number,
  ) {}

  idAt(position: number): string {
    if (position >= this.size) throw new RangeError(`row id snapshot: position ${position} of ${this.size}`);
    return idIn(this.units, this.starts, this.packed, position);
  }

  ids(): string[] {
    return idsIn(this.units, this.starts, this.packed, this.size);
  }
}

function idIn(units: Uint8Array | Uint16Array, starts: Uint32Array, packed: Uint8Array, position: number): string {
  const start = starts[position]!;
  if (packed[position]) return unpackUuid(units, start);
  const end = starts[position + 1]!;
  let text = '';
  // Chunks keep the argument list short; ids are seldom longer than one chunk.
  for (let from = start; from < end; from += 4096) {
    text += String.fromCharCode.apply(null, units.subarray(from, Math.min(end, from + 4096)) as unknown as number[]);
  }
  return text;
}

function idsIn(units: Uint8Array | Uint16Array, starts: Uint32Array, packed: Uint8Array, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = idIn(units, starts, packed, i);
  return out;
}

/** FNV-1a over the UTF-16 code units, then a final avalanche (murmur3's fmix32) for the low bits linear probing uses. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let k = 0; k < id.length; k++) {
    hash ^= id.charCodeAt(k);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(data: T, capacity: number, used: number): T {
  const next = new (data.constructor as new (length: number) => T)(capacity);
  next.set(data.subarray(0, used) as never);
  return next;
}
