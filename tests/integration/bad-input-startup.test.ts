/**
 * Bad input that must stop a service before it starts, with one clear line
 * and a meaningful exit code (cli/errors.ts: 1 the work failed, 2 the
 * command was called wrongly): a model file that is not ONNX (a CSV renamed,
 * a truncated model, an empty file) and a config with typos (unknown keys,
 * named with where they are). Run through the real CLI — `driftwatch
 * process` and `driftwatch run` — not through the modules, and checked
 * before either command touches Kafka or Postgres (the broker address points
 * nowhere).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ingestSection, ingestSettingsOf } from '../../cli/ingest-config.js';
import { makeTempDir } from './postgres-test-db.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'cli/driftwatch.ts');
const MODEL = join(ROOT, 'data/models/delay_regressor.onnx');

let dir: string;

before(async () => {
  dir = await makeTempDir('driftwatch-bad-startup-');
  writeFileSync(join(dir, 'table.onnx'), 'hour,weekday,month\n1,2,3\n');
  writeFileSync(join(dir, 'empty.onnx'), '');
  const model = readFileSync(MODEL);
  writeFileSync(join(dir, 'truncated.onnx'), model.subarray(0, Math.floor(model.length / 3)));
  copyFileSync(MODEL, join(dir, 'good.onnx'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function config(name: string, { model = 'good.onnx', extra = '', window = '{ size: 1d }' } = {}): string {
  const path = join(dir, name);
  writeFileSync(path, `
model: { name: startup-test, path: ${model}, task: regression }
features: { numerical: [hour, weekday, month, distance], categorical: [origin, destination] }
columns: { target: delay }
reference: { path: ${join(ROOT, 'data/reference')} }
data: { current: [${join(ROOT, 'data/features/processed_test.parquet')}] }
window: ${window}
${extra}`);
  return path;
}

/** The CLI's exit code and its last stderr line starting with "driftwatch: ". */
async function cli(args: string[]): Promise<{ code: number; message: string; stderr: string; ms: number }> {
  const started = Date.now();
  // Nothing listens on port 9 (discard): a command that got as far as Kafka would fail differently.
  const env = { ...process.env, KAFKA_BROKERS: '127.0.0.1:9', DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:9/none' };
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env, timeout: 120_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
  const message = result.stderr.split('\n').filter((l) => l.startsWith('driftwatch: ')).at(-1) ?? '';
  return { ...result, message, ms: Date.now() - started };
}

for (const command of ['process', 'run'] as const) {
  const args = (path: string) => (command === 'process' ? ['process', '--config', path, '--port', '0'] : ['run', '--config', path, '--port', '0', '--no-progress']);

  test(`${command}: a CSV named .onnx is refused at start-up, exit 1, naming the file`, async () => {
    const path = join(dir, 'table.onnx');
    const result = await cli(args(config(`${command}-csv.yaml`, { model: 'table.onnx' })));
    assert.equal(result.code, 1, result.stderr.slice(-2000));
    assert.ok(result.message.startsWith(`driftwatch: ${path} is not an ONNX model: `), result.message);
  });

  test(`${command}: a truncated model and an empty file are refused, exit 1, naming the file`, async () => {
    for (const file of ['truncated.onnx', 'empty.onnx']) {
      const result = await cli(args(config(`${command}-${file}.yaml`, { model: file })));
      assert.equal(result.code, 1, result.stderr.slice(-2000));
      assert.match(result.message, new RegExp(`^driftwatch: .*${join(dir, file).replace(/[.]/g, '\\.')}.*(not an ONNX model|cannot load the model)`), result.message);
    }
  });

  test(`${command}: a config with typos is refused, exit 2, naming every unknown key and where it is`, async () => {
    const path = config(`${command}-typo.yaml`, { window: '{ size: 1d, max_out_of_order: 5m }', extra: 'drfit: { drift_share: 0.5 }\n' });
    const result = await cli(args(path));
    assert.equal(result.code, 2, result.stderr.slice(-2000));
    const prefix = `driftwatch: config file ${path}: `;
    assert.ok(result.message.startsWith(prefix), result.message);
    assert.deepEqual(result.message.slice(prefix.length).split('; ').sort(), ['unknown key "drfit" at (top level)', 'unknown key "max_out_of_order" at window']);
  });
}

test('the ingest section: durations or "off", unknown keys named; defaults when the config has none', () => {
  assert.equal(ingestSection.parse({ max_event_time_ahead: '2d' }).max_event_time_ahead, 2 * 86_400_000);
  assert.equal(ingestSection.parse({ max_event_time_ahead: 'off' }).max_event_time_ahead, Infinity);
  assert.equal(ingestSection.parse(undefined).max_event_time_ahead, 30 * 86_400_000);
  assert.equal(ingestSettingsOf({}).max_event_time_ahead, 30 * 86_400_000);
  assert.equal(ingestSettingsOf({ ingest: { max_event_time_ahead: 1000 } }).max_event_time_ahead, 1000);
  const typo = ingestSection.safeParse({ max_event_time_ahaed: '1d' });
  assert.equal(typo.success, false);
  assert.deepEqual(typo.error!.issues[0]!.code === 'unrecognized_keys' && typo.error!.issues[0]!.keys, ['max_event_time_ahaed']);
  const bad = ingestSection.safeParse({ max_event_time_ahead: '5 parsecs' });
  assert.match(bad.error!.issues[0]!.message, /ingest\.max_event_time_ahead: "5 parsecs" is not a duration/);
});
