/**
 * A window's canonical row order — by event time, then row id (UTF-16 code
 * units, not locale) — so that it finalizes identically whatever the arrival
 * or merge order.
 *
 * The accumulator puts its own rows in this order before it fires and then
 * hands out views of its buffers instead of copies. A buffer an earlier
 * frame may still be viewing is rebuilt in a new buffer, so that frame keeps
 * seeing its rows as they were; one no frame was handed (at a window's first
 * fire every buffer, after growth the new ones, and always the target and
 * the row id hashes, which frames never view) is permuted
 * where it is, cycle by cycle. New buffers there would leave the old ones —
 * ≈ 120 MB at 1M rows — as garbage V8 frees only at some later collection,
 * in the middle of the fire's peak.
 */
import type { RowIdIndex } from './row-id-index.js';

/**
 * Positions [0, n) sorted by (times[position], id), or null — without
 * allocating — when they already are: the usual case, rows arriving in
 * event-time order, and every fire after the first that added nothing out
 * of order.
 */
export function canonicalOrder(times: Float64Array, ids: RowIdIndex, n: number): Permutation | null {
  const compare = (a: number, b: number): number => {
    const dt = times[a]! - times[b]!;
    if (dt !== 0) return dt;
    return ids.compare(a, b);
  };
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compare(i - 1, i) < 0;
  if (sorted) return null;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return new Permutation(sortPositions(order, compare));
}

const INSERTION_RUN = 32;

/**
 * `positions` sorted by `compare` (in it or in the one scratch array: the
 * result is returned). Not TypedArray#sort: with a comparator V8 first copies
 * into two heap arrays of n elements, ≈ 16 MB more peak at 1M rows; this
 * merge sort needs 4 MB. Runs already in order, as batches arriving whole
 * are, are copied without comparing.
 */
function sortPositions(positions: Uint32Array, compare: (a: number, b: number) => number): Uint32Array {
  const n = positions.length;
  for (let lo = 0; lo < n; lo += INSERTION_RUN) {
    for (let i = lo + 1, hi = Math.min(lo + INSERTION_RUN, n); i < hi; i++) {
      const value = positions[i]!;
      let j = i - 1;
      for (; j >= lo && compare(positions[j]!, value) > 0; j--) positions[j + 1] = positions[j]!;
      positions[j + 1] = value;
    }
  }
  let from = positions;
  let to: Uint32Array = new Uint32Array(n);
  for (let width = INSERTION_RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      if (mid === hi || compare(from[mid - 1]!, from[mid]!) < 0) {
        to.set(from.subarray(lo, hi), lo);
        continue;
      }
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) to[k++] = compare(from[i]!, from[j]!) < 0 ? from[i++]! : from[j++]!;
      while (i < mid) to[k++] = from[i++]!;
      while (j < hi) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}

/** "Row order[i] goes to row i", checked to be a permutation, applied to every column of a window. */
export class Permutation {
  /** Marks rows already moved while `apply` walks the cycles; one for every column of a fire. */
  private readonly moved: Uint8Array;

  constructor(readonly order: ArrayLike<number>) {
    const n = order.length;
    this.moved = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const from = order[i]!;
      if (!(from >= 0 && from < n) || this.moved[from]) throw new Error(`not a permutation of ${n} positions: ${from} at ${i}`);
      this.moved[from] = 1;
    }
  }

  get length(): number { return this.order.length; }

  /**
   * Puts record order[i] at record i in `data` itself, records being `width`
   * consecutive entries (a fixed-length row id is one record of code units).
   * Only one record is held aside at a time: no second buffer.
   */
  apply(data: { [index: number]: unknown }, width = 1): void {
    const { order, moved } = this;
    const held = new Array<unknown>(width);
    moved.fill(0);
    for (let start = 0; start < order.length; start++) {
      if (moved[start]) continue;
      moved[start] = 1;
      let from = order[start]!;
      if (from === start) continue;
      for (let w = 0; w < width; w++) held[w] = data[start * width + w];
      let to = start;
      while (from !== start) {
        for (let w = 0; w < width; w++) data[to * width + w] = data[from * width + w];
        moved[from] = 1;
        to = from;
        from = order[to]!;
      }
      for (let w = 0; w < width; w++) data[to * width + w] = held[w];
    }
  }

  /** data[order[i]] at i, in a new buffer of the same capacity (the free room zeroed), for a buffer a frame may be viewing. */
  permuted(data: Float64Array): Float64Array {
    const { order } = this;
    const out = new Float64Array(data.length);
    for (let i = 0; i < order.length; i++) out[i] = data[order[i]!]!;
    return out;
  }
}
