/**
 * The embedded Postgres folder on a disk that cannot take it: full (a 1 MB
 * tmpfs — initdb needs ~40 MB) or read-only (a tmpfs mounted ro). Start-up
 * must fail at once with one message that names the folder and the cause,
 * and `driftwatch run` must exit 1 with it. (A folder the postgres user
 * cannot enter, a file in the way and a foreign non-empty folder are covered
 * by embedded-postgres.test.ts.)
 *
 * Mounting needs CAP_SYS_ADMIN (root in the CI container); without it the
 * tests are skipped with that reason.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startEmbeddedPostgres } from '../../sink/postgres/embedded.js';
import { makeTempDir } from './postgres-test-db.js';
import { prepareSample } from './helpers/pipeline-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'cli/driftwatch.ts');

let dir: string;
const mounts: string[] = [];
let full: string;
let readOnly: string;
const skip = await mountUnavailable();

before(async () => {
  if (skip) return;
  dir = await makeTempDir('driftwatch-fault-disk-');
  full = mount(join(dir, 'full'), 'size=1m');
  readOnly = mount(join(dir, 'read-only'), 'size=8m,ro');
});

after(async () => {
  for (const point of mounts.reverse()) execFileSync('umount', [point]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a full disk: the start fails naming the folder and saying the disk is full', { skip }, async () => {
  const dataDir = join(full, 'pg');
  const started = Date.now();
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    const first = error.message.split('\n')[0]!;
    assert.ok(first.includes(dataDir), first);
    assert.match(first, /the disk is full/);
    assert.match(error.message, /No space left on device/, 'the server\'s own words follow');
    return true;
  });
  assert.ok(Date.now() - started < 60_000, 'it fails at once, no retry loop');
});

test('a read-only file system: the start fails naming the folder and saying it is read-only', { skip }, async () => {
  const dataDir = join(readOnly, 'pg');
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    assert.equal(error.message, `cannot use ${dataDir} as the embedded Postgres data folder: read-only file system (EROFS: read-only file system, access '${readOnly}')`);
    return true;
  });
});

test('`driftwatch run` with its embedded folder on the full disk exits 1 with that message', { skip }, async () => {
  const dataDir = join(full, 'run-pg');
  // Its own reference and processed rows, as a user makes them (a fresh clone has none under data/).
  const sample = await prepareSample('disk');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `
model: { name: disk-test, path: ${join(ROOT, 'data/models/delay_regressor.onnx')}, task: regression }
features: { numerical: [hour, weekday, month, distance], categorical: [origin, destination] }
columns: { target: delay }
reference: { path: ${join(sample.dir, 'reference')} }
data: { current: [${sample.current}] }
window: { size: 1d }
database: { embedded_dir: ${dataDir} }
`);
  const env = { ...process.env };
  delete env.DATABASE_URL;
  const outcome = await promisify(execFile)(process.execPath, ['--import', 'tsx', CLI, 'run', '--config', config, '--port', '0', '--no-progress'], { cwd: ROOT, env })
    .then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }));
  assert.equal(outcome.code, 1, outcome.stderr);
  const line = outcome.stderr.split('\n').find((l) => l.startsWith('driftwatch: '));
  assert.ok(line, outcome.stderr.slice(-2000));
  assert.ok(line.includes(dataDir), line);
  assert.match(line, /the disk is full/);
});

function mount(point: string, options: string): string {
  mkdirSync(point, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},mode=755`, 'tmpfs', point]);
  mounts.push(point);
  return point;
}

/** Why a tmpfs cannot be mounted here, or false when it can. */
async function mountUnavailable(): Promise<string | false> {
  const probe = await makeTempDir('driftwatch-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return false;
  } catch (error) {
    return `cannot mount a tmpfs here (needs CAP_SYS_ADMIN): ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}
