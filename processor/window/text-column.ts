/**
 * One text column of a window's accumulator.
 *
 * While the column has few distinct values (categories: airports, carriers)
 * each row holds a 16-bit code into a dictionary of the distinct strings:
 * 2 bytes a row outside the V8 heap, instead of an 8-byte pointer in a
 * growing JavaScript array (and, before interning, a fresh string object per
 * value as a decoder makes them). Past MAX_DICTIONARY distinct values (free
 * text) the column turns into a plain array of strings, once, for good.
 *
 * Code 0 is a missing value (null); code k ≥ 1 is dictionary[k − 1].
 */

import { codedStringColumn, decodeText, type StringColumn } from '../frame.js';
import type { Permutation } from './canonical-order.js';

export const MAX_DICTIONARY = 4096;

export class TextColumn {
  readonly kind = 'string';
  readonly rowIds = false;
  private codes: Uint16Array | null = new Uint16Array(0);
  private readonly dictionary: string[] = [];
  private readonly lookup = new Map<string, number>();
  /** Set when the column outgrew the dictionary. */
  private plain: (string | null)[] | null = null;
  /**
   * The strings `values` built last, while something still holds them: the
   * next fire of the same rows (a last revision after one that waited for
   * labels) shares them instead of building a second million-entry array.
   */
  private lastValues: WeakRef<(string | null)[]> | null = null;
  /** Likewise the coded column `column` handed out last: its strings, if ever built, are shared too. */
  private lastColumn: WeakRef<StringColumn> | null = null;
  /**
   * Whether a frame was handed a view of `codes`: from then on its rows are
   * never written where they are (a reorder moves to a new buffer), as
   * float-column.ts does for numbers.
   */
  private handedOut = false;

  constructor(readonly name: string) {}

  /** Whether rows are still stored as codes (for tests and the memory bench). */
  get coded(): boolean {
    return this.codes !== null;
  }

  /** Room for `capacity` rows; the first `used` are kept. */
  reserve(capacity: number, used: number): void {
    if (!this.codes || this.codes.length >= capacity) return;
    const codes = new Uint16Array(capacity);
    codes.set(this.codes.subarray(0, used));
    this.codes = codes;
    this.handedOut = false;
  }

  /** Writes source[rows[k]] at row base + k (room reserved beforehand). */
  append(source: ArrayLike<string | null>, rows: ArrayLike<number>, base: number): void {
    let k = 0;
    const codes = this.codes;
    if (codes) {
      for (; k < rows.length; k++) {
        const value = source[rows[k]!] ?? null;
        if (value === null) {
          codes[base + k] = 0;
          continue;
        }
        let code = this.lookup.get(value);
        if (code === undefined) {
          if (this.dictionary.length >= MAX_DICTIONARY) break;
          this.dictionary.push(value);
          code = this.dictionary.length;
          this.lookup.set(value, code);
        }
        codes[base + k] = code;
      }
      if (k === rows.length) return;
      // Not `values`: it may give an array a frame holds, and appends and reorders write into `plain`.
      this.plain = this.decoded(base + k);
      this.codes = null;
      this.lookup.clear();
    }
    const plain = this.plain!;
    for (; k < rows.length; k++) plain[base + k] = source[rows[k]!] ?? null;
  }

  at(row: number): string | null {
    if (this.plain) return this.plain[row] ?? null;
    const code = this.codes![row]!;
    return code === 0 ? null : this.dictionary[code - 1]!;
  }

  /**
   * The first `n` rows as a frame column: while coded, a view of the codes
   * with the strings built only if someone reads `values` (the metrics count
   * codes, frame.ts), else the strings as `values` gives them.
   */
  column(n: number): StringColumn {
    if (!this.codes) return { kind: 'string', values: this.values(n) };
    // As in `values`: equal length means equal rows until a reorder forgets it.
    const last = this.lastColumn?.deref();
    if (last && last.coded!.codes.length === n) return last;
    this.handedOut = true;
    const column = codedStringColumn({ codes: this.codes.subarray(0, n), dictionary: this.dictionary });
    this.lastColumn = new WeakRef(column);
    return column;
  }

  /** The first `n` rows, in row order. */
  values(n: number): (string | null)[] {
    // Rows below the size change only by `reorder`, which forgets lastValues: equal length means equal rows.
    const last = this.lastValues?.deref();
    if (last && last.length === n) return last;
    const out = this.plain ? this.plain.slice(0, n) : this.decoded(n);
    this.lastValues = new WeakRef(out);
    return out;
  }

  /** The first `n` rows of a coded column, as a new array. */
  private decoded(n: number): (string | null)[] {
    return decodeText({ codes: this.codes!.subarray(0, n), dictionary: this.dictionary });
  }

  /**
   * Puts row order[i] at row i for the first order.length rows: where they
   * are, unless a frame was handed a view of the codes (no frame ever sees
   * `plain`: `values` copies it).
   */
  reorder(permutation: Permutation): void {
    this.lastValues = null;
    this.lastColumn = null;
    if (this.plain || !this.handedOut) {
      permutation.apply(this.plain ?? this.codes!);
      return;
    }
    const { codes } = this;
    const moved = new Uint16Array(codes!.length);
    const { order } = permutation;
    for (let i = 0; i < order.length; i++) moved[i] = codes![order[i]!]!;
    this.codes = moved;
    this.handedOut = false;
  }
}
