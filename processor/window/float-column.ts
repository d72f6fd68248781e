/**
 * One numerical or timestamp column of a window's accumulator: a
 * Float64Array that grows by doubling, handed to fired frames as a view, not
 * a copy.
 *
 * A frame must keep its values however long it is kept, so the buffer's rows
 * are never overwritten once a frame may be viewing them: `view` marks the
 * buffer handed out, and a reorder then moves to a new buffer. Until then —
 * a window's first fire, or the first after growing — it reorders where it
 * is, which leaves no old buffer behind as garbage (canonical-order.ts).
 */
import type { Permutation } from './canonical-order.js';

export class FloatColumn {
  readonly rowIds = false;
  data: Float64Array = new Float64Array(0);
  /** Whether a frame was handed a view of `data`. */
  private handedOut = false;

  constructor(readonly name: string, readonly kind: 'number' | 'timestamp') {}

  /** Room for `capacity` rows; the first `used` are kept. */
  reserve(capacity: number, used: number): void {
    if (this.data.length >= capacity) return;
    this.data = grow(this.data, capacity, used);
    this.handedOut = false;
  }

  /**
   * Copies source[rows[k]] to row base + k. `rows` is strictly increasing
   * (the accumulator checks or builds it so), so first-to-last spanning
   * n − 1 means a contiguous run: one memcpy.
   */
  append(source: Float64Array, rows: Int32Array, base: number): void {
    const n = rows.length;
    if (rows[n - 1]! - rows[0]! === n - 1) this.data.set(source.subarray(rows[0]!, rows[0]! + n), base);
    else for (let k = 0; k < n; k++) this.data[base + k] = source[rows[k]!]!;
  }

  /** The first `n` rows, for a frame: from now on they stay as they are in this buffer. */
  view(n: number): Float64Array {
    this.handedOut = true;
    return this.data.subarray(0, n);
  }

  reorder(permutation: Permutation): void {
    if (!this.handedOut) {
      permutation.apply(this.data);
      return;
    }
    this.data = permutation.permuted(this.data);
    this.handedOut = false;
  }
}

/** A buffer of `capacity` with data's first `used` values, the rest `fill` (0 if not given). */
export function grow(data: Float64Array, capacity: number, used: number, fill?: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(data.subarray(0, used));
  if (fill !== undefined) next.fill(fill, used);
  return next;
}
