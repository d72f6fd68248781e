/**
 * The ONNX model runner against scikit-learn: tests/golden/model-predictions.json
 * holds 200 rows of data/flights/X_test.parquet with scikit-learn's own
 * predictions (data/scripts/train_models.py), and the committed models must
 * reproduce them through onnxruntime-node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { frameOf, type Column, type Frame } from '../../processor/frame.js';
import { loadOnnxModel } from '../../processor/model/onnx-runner.js';
import { loadGoldenRaw } from '../golden/golden.js';

interface GoldenCase {
  features: Record<string, (number | string)[]>;
  regressor: { model: string; prediction: number[] };
  classifier: { model: string; classes: string[]; positive_label: string; probabilities: number[][]; labels: string[] };
  matrix_regressor: { onnx_base64: string; input_columns: string[]; prediction: number[] };
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const golden = loadGoldenRaw<GoldenCase>('model-predictions').cases[0]!;
const NUMERICAL = ['hour', 'weekday', 'month', 'distance'];

function goldenFrame(extra: [string, Column][] = []): Frame {
  const columns: [string, Column][] = Object.entries(golden.features).map(([name, values]) =>
    NUMERICAL.includes(name)
      ? [name, { kind: 'number', values: Float64Array.from(values as number[]) }]
      : [name, { kind: 'string', values: values as string[] }],
  );
  return frameOf([...columns, ...extra]);
}

function assertRelativelyClose(actual: number, expected: number, relative: number, absolute: number, label: string): void {
  const diff = Math.abs(actual - expected);
  assert.ok(diff <= absolute || diff <= relative * Math.abs(expected), `${label}: got ${actual}, expected ${expected} (diff ${diff})`);
}

test('golden file has 200 rows of every feature', () => {
  for (const values of Object.values(golden.features)) assert.equal(values.length, 200);
});

test('regressor predictions equal scikit-learn (float32 model: 1e-4 relative)', async () => {
  // Small batches so the rows cross several inference runs.
  const model = await loadOnnxModel(join(root, golden.regressor.model), { batchSize: 64 });
  try {
    assert.equal(model.task, 'regression');
    assert.equal(model.name, 'delay_regressor');
    assert.deepEqual(model.inputColumns, ['hour', 'weekday', 'month', 'distance', 'origin', 'destination']);
    assert.equal(model.layout.input.kind, 'per-column');
    const frame = goldenFrame([['delay', { kind: 'number', values: new Float64Array(200) }]]);
    const output = await model.predict(frame);
    assert.equal(output.prediction.length, 200);
    assert.equal(output.labels, undefined);
    golden.regressor.prediction.forEach((expected, i) =>
      assertRelativelyClose(output.prediction[i]!, expected, 1e-4, 1e-4, `row ${i}`),
    );
  } finally {
    await model.close();
  }
});

test('classifier labels equal scikit-learn, probabilities to 1e-5', async () => {
  const model = await loadOnnxModel(join(root, golden.classifier.model), { batchSize: 50 });
  try {
    assert.equal(model.task, 'classification');
    const output = await model.predict(goldenFrame());
    assert.deepEqual(output.classes, golden.classifier.classes);
    assert.deepEqual(output.labels, golden.classifier.labels);
    const positive = golden.classifier.classes.indexOf(golden.classifier.positive_label);
    const width = golden.classifier.classes.length;
    golden.classifier.probabilities.forEach((row, i) => {
      row.forEach((expected, j) =>
        assertRelativelyClose(output.probabilities![i * width + j]!, expected, 0, 1e-5, `row ${i} class ${j}`),
      );
      assertRelativelyClose(output.prediction[i]!, row[positive]!, 0, 1e-5, `row ${i} positive probability`);
    });
    // Both labels occur, so the label mapping is really exercised.
    assert.equal(new Set(output.labels).size, 2);
  } finally {
    await model.close();
  }
});

test('one [rows, columns] double input, columns named by the caller, equals scikit-learn', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-onnx-'));
  const path = join(dir, 'matrix.onnx');
  writeFileSync(path, Buffer.from(golden.matrix_regressor.onnx_base64, 'base64'));
  try {
    const model = await loadOnnxModel(path, { inputColumns: golden.matrix_regressor.input_columns, batchSize: 7 });
    assert.equal(model.layout.input.kind, 'matrix');
    assert.equal(model.task, 'regression');
    const output = await model.predict(goldenFrame());
    golden.matrix_regressor.prediction.forEach((expected, i) =>
      assertRelativelyClose(output.prediction[i]!, expected, 1e-12, 1e-9, `row ${i}`),
    );
    await model.close();
    await assert.rejects(loadOnnxModel(path), /input "features" takes 4 columns; name them/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a frame without some model columns is rejected, naming them', async () => {
  const model = await loadOnnxModel(join(root, golden.regressor.model));
  try {
    const frame = goldenFrame();
    const columns = [...frame.columns.keys()].filter((name) => name !== 'origin' && name !== 'distance');
    assert.deepEqual(model.checkColumns([...columns, 'row_id']), { missing: ['distance', 'origin'], unused: ['row_id'] });
    assert.throws(() => model.validateColumns(columns), /needs columns the data does not have: distance, origin/);
    const partial = frameOf(columns.map((name) => [name, frame.columns.get(name)!]));
    await assert.rejects(model.predict(partial), /delay_regressor .* needs columns the data does not have: distance, origin/);
  } finally {
    await model.close();
  }
});

test('declared feature columns that differ from the model inputs fail at load, naming both sides', async () => {
  const path = join(root, golden.regressor.model);
  await assert.rejects(
    loadOnnxModel(path, { inputColumns: ['hour', 'weekday', 'month', 'distance', 'origin', 'carrier'] }),
    /declared columns with no model input: carrier; model inputs not declared: destination/,
  );
});

test('a text column feeding a numerical input is a clear error', async () => {
  const model = await loadOnnxModel(join(root, golden.regressor.model));
  try {
    const frame = goldenFrame();
    const columns = new Map(frame.columns);
    columns.set('hour', { kind: 'string', values: new Array<string | null>(200).fill('7') });
    await assert.rejects(model.predict({ rowCount: 200, columns }), /column "hour" is text but the model input "hour" is float32/);
  } finally {
    await model.close();
  }
});

test('a missing category is fed as an unseen one (all zeros in the one-hot encoding)', async () => {
  const model = await loadOnnxModel(join(root, golden.regressor.model));
  try {
    const frame = goldenFrame();
    const withNull = new Map(frame.columns);
    withNull.set('origin', { kind: 'string', values: new Array<string | null>(200).fill(null) });
    const withUnseen = new Map(frame.columns);
    withUnseen.set('origin', { kind: 'string', values: new Array<string | null>(200).fill('not-an-airport') });
    const a = await model.predict({ rowCount: 200, columns: withNull });
    const b = await model.predict({ rowCount: 200, columns: withUnseen });
    assert.deepEqual(a.prediction, b.prediction);
    const original = await model.predict(frame);
    assert.notDeepEqual(a.prediction, original.prediction);
  } finally {
    await model.close();
  }
});

test('a file that is not ONNX is rejected, naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-onnx-'));
  try {
    const text = join(dir, 'model.onnx');
    writeFileSync(text, 'hour,weekday\n1,2\n');
    await assert.rejects(loadOnnxModel(text), (error: Error) => {
      assert.match(error.message, /is not an ONNX model/);
      assert.ok(error.message.includes(text), error.message);
      return true;
    });
    const parquet = join(root, 'data/flights/X_test.parquet');
    await assert.rejects(loadOnnxModel(parquet), new RegExp(`${parquet.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not an ONNX model`));
    const missing = join(dir, 'nope.onnx');
    await assert.rejects(loadOnnxModel(missing), /cannot read model file .*nope\.onnx/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty frame gives empty predictions', async () => {
  const model = await loadOnnxModel(join(root, golden.classifier.model));
  try {
    const empty = frameOf([...goldenFrame().columns].map(([name, column]) => [name, column.kind === 'string' ? { kind: 'string', values: [] } : { kind: column.kind, values: new Float64Array(0) }] as [string, Column]));
    const output = await model.predict(empty);
    assert.equal(output.prediction.length, 0);
    assert.deepEqual(output.labels, []);
  } finally {
    await model.close();
  }
});
