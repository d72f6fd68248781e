import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../cli/config.js';
import { categoricalProfile, numericalProfile } from '../../processor/drift/profile.js';
import type { ColumnProfile } from '../../processor/drift/types.js';
import { approximateConfigOf, pipelineOf } from '../../processor/pipeline-config.js';

const dir = mkdtempSync(join(tmpdir(), 'driftwatch-config-'));
const base = `
model: { name: m, path: model.onnx }
features: { numerical: [a], categorical: [b] }
columns: { target: y }
reference: { path: ref }
data: { current: [cur.parquet] }
`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('a valid config resolves paths against its folder and parses durations', () => {
  const config = loadConfig(write('ok.yaml', `${base}window: { size: 1h, allowed_lateness: 0s, label_delay: 30m }\n`), {});
  assert.equal(config.model.path, join(dir, 'model.onnx'));
  assert.deepEqual(config.data.current, [join(dir, 'cur.parquet')]);
  assert.equal(config.window.size, 3_600_000);
  assert.equal(config.window.allowed_lateness, 0);
  assert.equal(config.window.label_delay, 1_800_000);
  assert.equal(config.drift.drift_share, 0.5);
});

test('an unknown key is rejected with the key and where it is', () => {
  assert.throws(() => loadConfig(write('typo.yaml', `${base}window: { sise: 1h }\n`), {}), /unknown key "sise" at window/);
});

test('an unknown stat test and a bad duration are named', () => {
  assert.throws(() => loadConfig(write('test.yaml', `${base}drift: { columns: { a: { stattest: kss } } }\n`), {}), /drift\.columns\.a\.stattest: unknown stat test "kss"/);
  assert.throws(() => loadConfig(write('dur.yaml', `${base}window: { size: 5 parsecs }\n`), {}), /window\.size: .*"5 parsecs" is not a duration/);
});

test('DATABASE_URL from the environment overrides the file', () => {
  const config = loadConfig(write('db.yaml', `${base}database: { url: postgres://file }\n`), { DATABASE_URL: 'postgres://env' });
  assert.equal(config.database.url, 'postgres://env');
});

test('a missing file and invalid YAML are clear errors', () => {
  assert.throws(() => loadConfig(join(dir, 'nope.yaml'), {}), /config file not found: .*nope\.yaml/);
  assert.throws(() => loadConfig(write('bad.yaml', 'model: [unclosed\n'), {}), /bad\.yaml is not valid YAML/);
});

test('DRIFTWATCH_SERVER_HOST and _PORT override the server address; a bad port is named', () => {
  const path = write('srv.yaml', base);
  const config = loadConfig(path, { DRIFTWATCH_SERVER_HOST: '0.0.0.0', DRIFTWATCH_SERVER_PORT: '9465' });
  assert.deepEqual(config.server, { host: '0.0.0.0', port: 9465 });
  assert.throws(() => loadConfig(path, { DRIFTWATCH_SERVER_PORT: 'x' }), /DRIFTWATCH_SERVER_PORT: "x" is not a port/);
});

test('window.approximate: off by default; when set, above_rows and relative_accuracy reach the window operator with every numerical feature', () => {
  assert.equal(loadConfig(write('exact.yaml', base), {}).window.approximate, undefined);
  const config = loadConfig(write('approx.yaml', `${base}window: { approximate: { above_rows: 1000000 } }\n`), {});
  assert.deepEqual(config.window.approximate, { above_rows: 1_000_000, relative_accuracy: 0.005 });
  const reference = new Map<string, ColumnProfile>([
    ['a', numericalProfile([1, 2, 3, 10])],
    ['b', categoricalProfile(['u', 'v'])],
  ]);
  const model = { name: 'm', task: 'regression', inputColumns: ['a', 'b'], predict: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() } as const;
  const { pipeline } = pipelineOf(config, model, reference);
  assert.deepEqual(pipeline.operator.config.approximate, {
    aboveRows: 1_000_000,
    relativeAccuracy: 0.005,
    columns: [{ name: 'a', center: 2, referenceMin: 1, referenceMax: 10 }],
  });
  assert.equal(approximateConfigOf(loadConfig(write('exact2.yaml', base), {}), reference), undefined);
  assert.throws(() => approximateConfigOf(config, new Map([['a', categoricalProfile(['1'])]])), /window\.approximate: numerical feature "a" has no numerical reference profile/);
});

test('window.approximate: each mistake is one clear message naming the key', () => {
  const bad = (name: string, section: string) => () => loadConfig(write(name, `${base}window: { approximate: ${section} }\n`), {});
  assert.throws(bad('a0.yaml', '{ above_rows: 0 }'), /window\.approximate\.above_rows: must be at least 1 row$/);
  assert.throws(bad('a1.yaml', '{ above_rows: 2.5 }'), /window\.approximate\.above_rows: must be a whole number of rows$/);
  assert.throws(bad('a2.yaml', '{ above_rows: lots }'), /window\.approximate\.above_rows: must be a whole number of rows$/);
  assert.throws(bad('a3.yaml', '{ relative_accuracy: 0.01 }'), /window\.approximate\.above_rows: above_rows is required: the row count past which a window is approximated$/);
  assert.throws(bad('a4.yaml', '{ above_rows: 10, relative_accuracy: 0 }'), /window\.approximate\.relative_accuracy: must be a number in \[0\.001, 0\.1\]/);
  assert.throws(bad('a5.yaml', '{ above_rows: 10, relative_accuracy: 0.5 }'), /window\.approximate\.relative_accuracy: must be a number in \[0\.001, 0\.1\]/);
  assert.throws(bad('a6.yaml', '{ above_rows: 10, accuracy: 0.01 }'), /unknown key "accuracy" at window\.approximate/);
});
