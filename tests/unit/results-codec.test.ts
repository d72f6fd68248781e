import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWindowMetrics, encodeWindowMetrics, windowKey } from '../../processor/results-codec.js';
import type { WindowMetrics } from '../../processor/results.js';

const metrics = {
  model: 'm', windowStart: 0, windowEnd: 1000, revision: 2, rows: 3, labelledRows: 1,
  drift: { columns: [{ column: 'c', type: 'categorical', stattest: 'chisquare', score: 0, statistic: Infinity, threshold: 0.05, drift_detected: true, reference_count: 1, current_count: 3 }],
    number_of_columns: 1, number_of_drifted_columns: 1, share_of_drifted_columns: 1, dataset_drift: true, drift_share: 0.5 },
  predictionDrift: null, targetDrift: null,
  regression: { count: 1, mean_error: 0, error_std: NaN, mae: 0, abs_error_std: NaN, abs_error_max: 0, rmse: 0, r2: -Infinity, mape: 0 },
  classification: null,
  dataQuality: { rows: 3, rows_with_missing: 0, rows_with_missing_share: 0, columns: [] },
} satisfies WindowMetrics;

test('non-finite numbers survive the round trip that plain JSON would turn into null', () => {
  const back = decodeWindowMetrics(encodeWindowMetrics(metrics));
  assert.deepEqual(back, metrics);
  assert.equal(back.drift.columns[0]!.statistic, Infinity);
  assert.ok(Number.isNaN(back.regression!.error_std));
});

/** `metrics` with any value as the approximate marker, as another producer might write it. */
const withMarker = (value: unknown) => encodeWindowMetrics({ ...metrics, approximateRelativeAccuracy: value } as unknown as WindowMetrics);

test('an approximate window\'s relative accuracy survives the round trip; a record without it (written before it existed) is exact', () => {
  const approximate: WindowMetrics = { ...metrics, approximateRelativeAccuracy: 0.005 };
  assert.deepEqual(decodeWindowMetrics(encodeWindowMetrics(approximate)), approximate);
  const old = encodeWindowMetrics(metrics);
  assert.equal(old.toString().includes('approximate'), false, 'an exact window is written as before');
  assert.equal('approximateRelativeAccuracy' in decodeWindowMetrics(old), false);
  assert.deepEqual(decodeWindowMetrics(withMarker(null)), metrics, 'null is exact too');
});

test('an approximate marker that is not a relative accuracy is refused', () => {
  for (const bad of [0, 1, -0.1, '0.01', true, 'Infinity']) {
    assert.throws(() => decodeWindowMetrics(withMarker(bad)), /"approximateRelativeAccuracy" is not a relative accuracy in \(0, 1\)/, JSON.stringify(bad));
  }
});

test('a record that is not window metrics is refused with the field named', () => {
  assert.throws(() => decodeWindowMetrics(Buffer.from('{"model":"m"}')), /lacks "windowStart"/);
  assert.throws(() => decodeWindowMetrics(Buffer.from('[1]')), /lacks "model"/);
  assert.throws(() => decodeWindowMetrics(Buffer.from('not json')), SyntaxError);
});

test('the key names the model and the window start', () => {
  assert.equal(windowKey(metrics), 'm@1970-01-01T00:00:00.000Z');
});
