/**
 * The row ids of one window, compact: every id's UTF-16 code units in one
 * growing byte buffer (one byte per unit while every unit is below 256 — the
 * usual case: uuids, numbers, hex — two bytes otherwise), a start offset per
 * id, and an open-addressing hash table (linear probing, load ≤ ¾) from id to
 * its position, i.e. its insertion order.
 *
 * Why not a Map<string, number> and an array of strings: for a million uuids
 * those cost ≈ 100 MB of V8 heap (a 56-byte string object each, the array,
 * the Map's entries) and as much again in garbage-collector headroom; here
 * they are ≈ 52 MB of array buffers outside the heap, with no per-row object.
 *
 * Ids compare by UTF-16 code units (`compare`), exactly as JavaScript's `<`
 * on strings does, so the window's canonical row order does not change.
 */

const EMPTY = -1;
const INITIAL_IDS = 1024;

export class RowIdIndex {
  /** Code units of every id, back to back: one byte each until `wide`. */
  private units: Uint8Array | Uint16Array = new Uint8Array(INITIAL_IDS * 16);
  private wide = false;
  private unitsUsed = 0;
  /** starts[i] … starts[i + 1] are id i's code units. */
  private starts = new Uint32Array(INITIAL_IDS + 1);
  private hashes = new Uint32Array(INITIAL_IDS);
  private count = 0;
  private slots = new Int32Array(INITIAL_IDS * 2).fill(EMPTY);
  // Probing compares the stored 32-bit hash before the code units, so a ¾ load stays cheap.

  get size(): number { return this.count; }

  /** The position of `id`, or -1. */
  get(id: string): number {
    const hash = hashOf(id);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const position = this.slots[slot]!;
      if (position === EMPTY) return -1;
      if (this.hashes[position] === hash && this.equals(position, id)) return position;
    }
  }

  has(id: string): boolean {
    return this.get(id) !== -1;
  }

  /** Adds `id` at the next position and returns it; -1 (and nothing added) if it is already here. */
  add(id: string): number {
    const hash = hashOf(id);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const position = this.slots[slot]!;
      if (position === EMPTY) break;
      if (this.hashes[position] === hash && this.equals(position, id)) return -1;
    }
    const position = this.count;
    this.append(id, hash);
    this.slots[slot] = position;
    if (this.count * 4 > this.slots.length * 3) this.rehash(this.slots.length * 2);
    return position;
  }

  /** The id at `position` as a string. */
  idAt(position: number): string {
    const start = this.starts[position]!;
    const end = this.starts[position + 1]!;
    let text = '';
    // Chunks keep the argument list short; ids are seldom longer than one chunk.
    for (let from = start; from < end; from += 4096) {
      text += String.fromCharCode.apply(null, this.units.subarray(from, Math.min(end, from + 4096)) as unknown as number[]);
    }
    return text;
  }

  /** Every id, in `order` (positions) or in position order. */
  ids(order?: ArrayLike<number>): string[] {
    const n = order ? order.length : this.count;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.idAt(order ? order[i]! : i);
    return out;
  }

  /** Sign of (id at a) − (id at b), by UTF-16 code units as `<` on strings. */
  compare(a: number, b: number): number {
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
    return this.units.byteLength + this.starts.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  private equals(position: number, id: string): boolean {
    const start = this.starts[position]!;
    if (this.starts[position + 1]! - start !== id.length) return false;
    const units = this.units;
    for (let k = 0; k < id.length; k++) if (units[start + k] !== id.charCodeAt(k)) return false;
    return true;
  }

  private append(id: string, hash: number): void {
    if (this.count >= this.hashes.length) {
      const capacity = this.hashes.length * 2;
      this.hashes = grown(this.hashes, capacity, this.count);
      this.starts = grown(this.starts, capacity + 1, this.count + 1);
    }
    let wideNeeded = false;
    for (let k = 0; k < id.length && !this.wide; k++) if (id.charCodeAt(k) > 0xff) wideNeeded = true;
    if (wideNeeded) this.widen();
    const end = this.unitsUsed + id.length;
    if (end > this.units.length) {
      // 1.5×, not 2×: this is the index's largest buffer, and its slack is paid for in RSS.
      let capacity = Math.ceil(this.units.length * 1.5);
      while (capacity < end) capacity = Math.ceil(capacity * 1.5);
      this.units = grown(this.units, capacity, this.unitsUsed);
    }
    const units = this.units;
    for (let k = 0; k < id.length; k++) units[this.unitsUsed + k] = id.charCodeAt(k);
    this.unitsUsed = end;
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
