/**
 * Quality metrics against tests/golden/quality.json (tools/golden/quality.py):
 * regression and classification from Evidently 0.7.21 (cross-checked with
 * scikit-learn 1.9), data quality from pandas. Numbers to 1e-9 relative.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, loadGolden } from './golden.js';
import { classificationQuality, dataQuality, parseNumber, regressionQuality } from '../../processor/quality/index.js';
import type { ClassLabel } from '../../processor/quality/index.js';
import { frameOf, type Column } from '../../processor/frame.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';
import type { ColumnProfile, ColumnType } from '../../processor/drift/types.js';

interface RegressionCase {
  kind: 'regression';
  name: string;
  input: { target: number[]; prediction: number[] };
  expected: Record<string, number>;
}

interface ClassificationCase {
  kind: 'classification';
  name: string;
  input: {
    target: (ClassLabel | null)[];
    predicted_labels?: (ClassLabel | null)[];
    positive_probability?: number[];
    probabilities?: number[];
    classes?: ClassLabel[];
    positive_label?: ClassLabel;
    negative_label?: ClassLabel;
    threshold?: number;
  };
  expected: Record<string, unknown> & { labels: string[]; confusion_matrix: number[][] };
}

interface DataQualityCase {
  kind: 'data_quality';
  name: string;
  input: {
    columns: { name: string; type: ColumnType; kind: 'number' | 'string'; current: unknown[]; reference: unknown[] }[];
  };
  expected: Record<string, unknown> & { columns: Record<string, unknown>[] };
}

interface NumberParsingCase {
  kind: 'number_parsing';
  name: string;
  input: { texts: string[] };
  expected: { values: number[] };
}

type QualityCase = RegressionCase | ClassificationCase | DataQualityCase | NumberParsingCase;

const golden = loadGolden<QualityCase>('quality');

/** Numbers to the statistic tolerance (NaN matches NaN), everything else exactly. */
function assertSame(actual: unknown, expected: unknown, label: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') assertClose(actual, expected, 'statistic', label);
  else assert.deepEqual(actual, expected, label);
}

test('golden file has at least 40 cases of every kind', () => {
  assert.ok(golden.cases.length >= 40, `only ${golden.cases.length} cases`);
  for (const kind of ['regression', 'classification', 'data_quality']) {
    assert.ok(golden.cases.some((c) => c.kind === kind), `no ${kind} case`);
  }
});

for (const c of golden.cases.filter((c): c is RegressionCase => c.kind === 'regression')) {
  test(`regression: ${c.name}`, () => {
    const result = regressionQuality(c.input.target, c.input.prediction);
    for (const [key, expected] of Object.entries(c.expected)) {
      assertSame(result[key as keyof typeof result], expected, `${c.name}.${key}`);
    }
  });
}

for (const c of golden.cases.filter((c): c is ClassificationCase => c.kind === 'classification')) {
  test(`classification: ${c.name}`, () => {
    const { input } = c;
    const result = classificationQuality({
      target: input.target,
      predictedLabels: input.predicted_labels,
      positiveProbability: input.positive_probability,
      probabilities: input.probabilities,
      classes: input.classes,
      positiveLabel: input.positive_label,
      negativeLabel: input.negative_label,
      threshold: input.threshold,
    });
    for (const [key, expected] of Object.entries(c.expected)) {
      assertSame(result[key as keyof typeof result], expected, `${c.name}.${key}`);
    }
  });
}

function frameColumn(kind: 'number' | 'string', values: unknown[]): Column {
  if (kind === 'number') return { kind: 'number', values: Float64Array.from(values as number[]) };
  return { kind: 'string', values: values as (string | null)[] };
}

for (const c of golden.cases.filter((c): c is DataQualityCase => c.kind === 'data_quality')) {
  test(`data quality: ${c.name}`, () => {
    const columns = c.input.columns;
    const frame = frameOf(columns.map((col) => [col.name, frameColumn(col.kind, col.current)]));
    const profiles = new Map<string, ColumnProfile>(
      columns.map((col) => [
        col.name,
        col.type === 'numerical'
          ? numericalProfile(col.reference as number[])
          : categoricalProfile(col.reference as (string | null)[]),
      ]),
    );
    const result = dataQuality(frame, columns.map(({ name, type }) => ({ name, type })), profiles);
    const { columns: expectedColumns, ...dataset } = c.expected;
    for (const [key, expected] of Object.entries(dataset)) {
      assertSame(result[key as keyof typeof result], expected, `${c.name}.${key}`);
    }
    assert.equal(result.columns.length, expectedColumns.length);
    expectedColumns.forEach((expectedColumn, i) => {
      for (const [key, expected] of Object.entries(expectedColumn)) {
        const actual = result.columns[i]![key as keyof (typeof result.columns)[number]];
        assertSame(actual, expected, `${c.name}.${String(expectedColumn.column)}.${key}`);
      }
    });
  });
}

for (const c of golden.cases.filter((c): c is NumberParsingCase => c.kind === 'number_parsing')) {
  test(`type violations: text parses as ${c.name}`, () => {
    c.input.texts.forEach((text, i) => assertSame(parseNumber(text), c.expected.values[i], JSON.stringify(text)));
  });
}

// Inputs no reference library accepts: the contract is one clear message, not a wrong number.
test('classification input errors name the field, label or row', () => {
  assert.throws(() => classificationQuality({ target: [1, 0] }), /exactly one of predictedLabels/);
  assert.throws(() => classificationQuality({ target: [1, 0], predictedLabels: [1] }), /predictedLabels has 1 values, expected 2/);
  assert.throws(
    () => classificationQuality({ target: ['a', 'b'], predictedLabels: ['a', 'b'] }),
    /positive label "1" is not one of the labels a, b/,
  );
  assert.throws(
    () => classificationQuality({ target: [1, 0], positiveProbability: [0.5, 1.2] }),
    /probability 1.2 of class "1" in row 1 is outside \[0, 1\]/,
  );
  assert.throws(
    () => classificationQuality({ target: ['a', 'q'], probabilities: [0.2, 0.3, 0.5, 0.1, 0.1, 0.8], classes: ['a', 'b', 'c'] }),
    /target label "q" in row 1 is not one of the classes a, b, c/,
  );
  assert.throws(() => classificationQuality({ target: [1], positiveProbability: [0.4], threshold: 2 }), /threshold 2/);
});

test('regression rejects columns of different lengths', () => {
  assert.throws(() => regressionQuality([1, 2], [1]), /target has 2 rows but prediction has 1/);
});

test('no usable rows is an empty result, not a throw', () => {
  const empty = classificationQuality({ target: [null, 1], positiveProbability: [0.3, NaN] });
  assert.equal(empty.count, 0);
  assert.ok(Number.isNaN(empty.accuracy) && Number.isNaN(empty.precision) && Number.isNaN(empty.f1));
  assert.equal(empty.roc_auc, null);
  assert.equal(empty.log_loss, null);
  assert.deepEqual(empty.confusion_matrix, [[0, 0], [0, 0]]);
});
