/**
 * One numerical feature column of a window in the approximate mode
 * (approximate-window.ts): its values in a NumericalSketch for drift, and the
 * column's data-quality counts taken exactly as the values arrive, so the
 * quality metrics of an approximate window equal the exact ones:
 *
 * - missing: NaN (the sketch's `dropped` also counts ±inf, which data quality
 *   treats as a value, out of range — so it cannot serve here);
 * - present: every other value; out of range: present values outside the
 *   reference [min, max], with the same comparison as processor/quality.
 *
 * Every count adds up under merge, and the sketch merges by adding bucket
 * counts, so merged columns do not depend on merge order.
 */
import { NumericalSketch, type NumericalSketchParts } from '../drift/approx/numerical-sketch.js';

export interface SketchedColumnSpec {
  readonly name: string;
  /** The sketch's center, normally the reference median (NumericalSketchOptions.center). */
  readonly center: number;
  /** The reference's [min, max] (NaN for an empty reference: every value is then out of range). */
  readonly referenceMin: number;
  readonly referenceMax: number;
}

/** The exact data-quality counts of a sketched column. */
export interface SketchedQualityCounts {
  readonly missing: number;
  readonly present: number;
  readonly outOfRange: number;
}

interface SketchedColumnParts extends SketchedQualityCounts {
  readonly spec: SketchedColumnSpec;
  readonly sketch: NumericalSketchParts;
}

export class SketchedColumn implements SketchedQualityCounts {
  readonly sketch: NumericalSketch;
  private counts = { missing: 0, present: 0, outOfRange: 0 };

  constructor(readonly spec: SketchedColumnSpec, relativeAccuracy: number, sketch?: NumericalSketch) {
    this.sketch = sketch ?? new NumericalSketch({ relativeAccuracy, center: spec.center });
  }

  get missing(): number { return this.counts.missing; }
  get present(): number { return this.counts.present; }
  get outOfRange(): number { return this.counts.outOfRange; }

  /** The values at `rows` (all of them when omitted). */
  add(values: Float64Array, rows?: ArrayLike<number>): void {
    const n = rows ? rows.length : values.length;
    const picked = rows ? new Float64Array(n) : values;
    const { referenceMin, referenceMax } = this.spec;
    for (let k = 0; k < n; k++) {
      const v = rows ? values[rows[k]!]! : values[k]!;
      if (rows) picked[k] = v;
      if (Number.isNaN(v)) {
        this.counts.missing++;
        continue;
      }
      this.counts.present++;
      if (!(v >= referenceMin && v <= referenceMax)) this.counts.outOfRange++;
    }
    this.sketch.add(picked);
  }

  /** Folds `other` in; `other` is unchanged. */
  merge(other: SketchedColumn): void {
    const a = this.spec;
    const b = other.spec;
    if (a.name !== b.name || !Object.is(a.center, b.center) || !Object.is(a.referenceMin, b.referenceMin) || !Object.is(a.referenceMax, b.referenceMax)) {
      throw new Error(`sketched column "${a.name}": cannot merge with one built against another reference (${JSON.stringify(encodable(b))})`);
    }
    this.sketch.merge(other.sketch);
    this.counts.missing += other.missing;
    this.counts.present += other.present;
    this.counts.outOfRange += other.outOfRange;
  }

  clone(): SketchedColumn {
    const column = new SketchedColumn(this.spec, this.sketch.relativeAccuracy, this.sketch.clone());
    column.counts = { ...this.counts };
    return column;
  }

  private toParts(): SketchedColumnParts {
    return { spec: this.spec, ...this.counts, sketch: this.sketch.toParts() };
  }

  private static fromParts(parts: SketchedColumnParts): SketchedColumn {
    const column = new SketchedColumn(parts.spec, parts.sketch.relativeAccuracy, NumericalSketch.fromParts(parts.sketch));
    column.counts = { missing: parts.missing, present: parts.present, outOfRange: parts.outOfRange };
    // NaN is missing, ±inf present; the sketch drops both.
    if (column.missing + column.present !== column.sketch.count + column.sketch.dropped) {
      throw new Error(`sketched column "${parts.spec.name}": ${column.missing} missing + ${column.present} present values, but the sketch saw ${column.sketch.count + column.sketch.dropped}`);
    }
    return column;
  }

  /**
   * The columns as text for the partials topic: JSON, columns by name, with
   * −0, ±Infinity and NaN written as strings so they survive exactly.
   */
  static encode(columns: ReadonlyMap<string, SketchedColumn>): string {
    const ordered = [...columns.values()].sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
    return JSON.stringify({ format: FORMAT, version: VERSION, columns: ordered.map((c) => c.toParts()) }, (_key, value: unknown) => encodable(value));
  }

  /** Throws naming what is wrong when `text` is not what `encode` wrote. */
  static decode(text: string): Map<string, SketchedColumn> {
    let raw: { format?: unknown; version?: unknown; columns?: unknown };
    try {
      raw = JSON.parse(text, (key, value: unknown) => (key !== 'name' && typeof value === 'string' && value in SPECIAL ? SPECIAL[value] : value)) as typeof raw;
    } catch (error) {
      throw new Error(`sketched columns: not JSON (${(error as Error).message})`);
    }
    if (raw.format !== FORMAT || raw.version !== VERSION) {
      throw new Error(`sketched columns: expected format ${FORMAT} v${VERSION}, got ${String(raw.format)} v${String(raw.version)}`);
    }
    if (!Array.isArray(raw.columns)) throw new Error('sketched columns: "columns" is not a list');
    const columns = new Map<string, SketchedColumn>();
    for (const parts of raw.columns as SketchedColumnParts[]) {
      if (typeof parts?.spec?.name !== 'string' || typeof parts.sketch !== 'object' || parts.sketch === null) {
        throw new Error('sketched columns: a column lacks its spec or sketch');
      }
      columns.set(parts.spec.name, SketchedColumn.fromParts(parts));
    }
    return columns;
  }
}

const FORMAT = 'driftwatch.sketched-columns';
const VERSION = 1;
const SPECIAL: Readonly<Record<string, number>> = { '-0': -0, Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

function encodable(value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (Object.is(value, -0)) return '-0';
  return Number.isFinite(value) ? value : String(value);
}
