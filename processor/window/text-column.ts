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

export const MAX_DICTIONARY = 4096;

export class TextColumn {
  readonly kind = 'string';
  readonly rowIds = false;
  private codes: Uint16Array | null = new Uint16Array(0);
  private readonly dictionary: string[] = [];
  private readonly lookup = new Map<string, number>();
  /** Set when the column outgrew the dictionary. */
  private plain: (string | null)[] | null = null;

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
      this.plain = this.values(base + k);
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

  /** The first `n` rows, in row order. */
  values(n: number): (string | null)[] {
    if (this.plain) return this.plain.slice(0, n);
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) out[i] = this.at(i);
    return out;
  }

  /** The rows at `order`, in that order. */
  gather(order: ArrayLike<number>): (string | null)[] {
    const out = new Array<string | null>(order.length);
    for (let i = 0; i < order.length; i++) out[i] = this.at(order[i]!);
    return out;
  }

  /** Drops the rows (the accumulator handed them over). */
  release(): void {
    if (this.codes) this.codes = new Uint16Array(0);
    else this.plain = [];
  }
}
