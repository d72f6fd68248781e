/**
 * Column and dataset drift against Evidently 0.7.21 itself
 * (tools/golden/evidently_drift.py → evidently-drift.json): the automatic test
 * choice, option priority, the dataset verdict and messy values, through the
 * same entry point the CLI and the processor use (compareFrames).
 *
 * Two documented differences, both decided by the golden generator:
 * - A column empty after cleaning makes Evidently raise for the whole report;
 *   we report that column with an error and leave it out of the dataset
 *   counts, which then equal Evidently's report over the other columns.
 * - Evidently's dataset count (legacy DatasetDriftMetric) skips cleaning a
 *   column that holds ±inf but no NaN, so it disagrees with its own per-column
 *   ValueDrift; we follow ValueDrift and the counts its verdicts imply.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf, type Column, type Frame } from '../../processor/frame.js';
import { compareFrames, type ColumnSpec } from '../../processor/drift/compare.js';
import type { DriftOptions, TestChoice } from '../../processor/drift/column-drift.js';
import { getStatTest } from '../../processor/drift/registry.js';
import type { ColumnType } from '../../processor/drift/types.js';
import { assertClose, loadGolden } from './golden.js';

interface GoldenColumn {
  name: string;
  type: ColumnType;
  reference: (number | string | null)[];
  current: (number | string | null)[];
}

/** DataDriftPreset's own option names. */
interface EvidentlyOptions {
  method?: string;
  num_method?: string;
  cat_method?: string;
  per_column_method?: Record<string, string>;
  threshold?: number;
  num_threshold?: number;
  cat_threshold?: number;
  per_column_threshold?: Record<string, number>;
  drift_share?: number;
}

type ExpectedColumn =
  | { column: string; stattest: string; score: number; threshold: number; drift_detected: boolean }
  | { column: string; error: string };

interface DriftCase {
  name: string;
  options: EvidentlyOptions;
  columns: GoldenColumn[];
  evidently_error?: string;
  evidently_dataset_legacy?: unknown;
  expected: {
    columns: ExpectedColumn[];
    number_of_columns: number;
    number_of_drifted_columns: number;
    share_of_drifted_columns: number;
    dataset_drift: boolean;
  };
}

function toColumn(values: GoldenColumn['reference'], type: ColumnType, where: string): Column {
  if (type === 'categorical') {
    return { kind: 'string', values: values.map((v) => (v === null ? null : String(v))) };
  }
  const numbers = new Float64Array(values.length);
  values.forEach((v, i) => {
    if (typeof v !== 'number') throw new Error(`${where}: row ${i} is ${JSON.stringify(v)}, expected a number`);
    numbers[i] = v;
  });
  return { kind: 'number', values: numbers };
}

function framesOf(c: DriftCase): { reference: Frame; current: Frame; specs: ColumnSpec[] } {
  const reference = frameOf(c.columns.map((col) => [col.name, toColumn(col.reference, col.type, `${c.name} / ${col.name} reference`)]));
  const current = frameOf(c.columns.map((col) => [col.name, toColumn(col.current, col.type, `${c.name} / ${col.name} current`)]));
  return { reference, current, specs: c.columns.map(({ name, type }) => ({ name, type })) };
}

/** Evidently's option names → ours (per column, per type, global). */
function driftOptionsOf(o: EvidentlyOptions): DriftOptions {
  const choice = (stattest?: string, threshold?: number): TestChoice | undefined =>
    stattest === undefined && threshold === undefined
      ? undefined
      : { ...(stattest !== undefined ? { stattest } : {}), ...(threshold !== undefined ? { threshold } : {}) };
  const perColumn: Record<string, TestChoice> = {};
  for (const name of new Set([...Object.keys(o.per_column_method ?? {}), ...Object.keys(o.per_column_threshold ?? {})])) {
    perColumn[name] = choice(o.per_column_method?.[name], o.per_column_threshold?.[name])!;
  }
  const numerical = choice(o.num_method, o.num_threshold);
  const categorical = choice(o.cat_method, o.cat_threshold);
  return {
    ...(o.method !== undefined ? { stattest: o.method } : {}),
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    perType: { ...(numerical ? { numerical } : {}), ...(categorical ? { categorical } : {}) },
    perColumn,
    ...(o.drift_share !== undefined ? { driftShare: o.drift_share } : {}),
  };
}

const golden = loadGolden<DriftCase>('evidently-drift');

describe('column and dataset drift match Evidently 0.7.21', () => {
  it('has the cases the generator promises', () => {
    assert.ok(golden.cases.length >= 60, `only ${golden.cases.length} cases`);
    assert.equal(golden.versions.evidently, '0.7.21');
  });

  for (const c of golden.cases) {
    it(c.name, () => {
      const { reference, current, specs } = framesOf(c);
      const result = compareFrames(reference, current, specs, driftOptionsOf(c.options));
      const byName = new Map(result.columns.map((r) => [r.column, r]));
      assert.equal(result.columns.length, c.columns.length, 'one result per column');

      for (const expected of c.expected.columns) {
        const label = `${c.name} / ${expected.column}`;
        const actual = byName.get(expected.column);
        assert.ok(actual, `${label}: no result`);
        if ('error' in expected) {
          assert.ok(actual.error, `${label}: Evidently failed ("${expected.error}") but we reported no error`);
          assert.equal(actual.score, null, `${label}: score of an untestable column`);
          assert.equal(actual.drift_detected, false, `${label}: drift of an untestable column`);
          continue;
        }
        assert.equal(actual.error, undefined, `${label}: unexpected error ${actual.error}`);
        assert.equal(actual.stattest, expected.stattest, `${label}: stattest`);
        const kind = getStatTest(expected.stattest).scoreKind === 'p_value' ? 'p_value' : 'statistic';
        assertClose(actual.score!, expected.score, kind, `${label}: score`);
        assert.equal(actual.threshold, expected.threshold, `${label}: threshold`);
        assert.equal(actual.drift_detected, expected.drift_detected, `${label}: drift_detected (score ${actual.score})`);
      }

      const e = c.expected;
      assert.equal(result.number_of_columns, e.number_of_columns, `${c.name}: number_of_columns`);
      assert.equal(result.number_of_drifted_columns, e.number_of_drifted_columns, `${c.name}: number_of_drifted_columns`);
      assertClose(result.share_of_drifted_columns, e.share_of_drifted_columns, 'statistic', `${c.name}: share`);
      assert.equal(result.dataset_drift, e.dataset_drift, `${c.name}: dataset_drift`);
      assert.equal(result.drift_share, c.options.drift_share ?? 0.5, `${c.name}: drift_share`);
    });
  }
});
