import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../cli/config.js';

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
