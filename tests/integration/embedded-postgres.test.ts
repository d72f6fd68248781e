/**
 * The embedded Postgres always (whatever DATABASE_URL says): a first start
 * initialises its folder, a second start reuses it with the data intact, and a
 * folder that cannot be used fails fast with a message naming it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'slonik';
import { startEmbeddedPostgres } from '../../sink/postgres/embedded.js';
import { loadMigrations, migrate } from '../../sink/postgres/migrate.js';
import { createPool } from '../../sink/postgres/pool.js';
import { redactDatabaseUrl } from '../../sink/postgres/redact.js';
import { makeTempDir } from './postgres-test-db.js';

const tempDirs: string[] = [];
after(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await makeTempDir('driftwatch-embedded-test-');
  tempDirs.push(dir);
  return dir;
}

test('a second start reuses the data folder and its data', async () => {
  const dataDir = join(await tempDir(), 'nested', 'pg');
  let started = performance.now();
  const first = await startEmbeddedPostgres({ dataDir });
  const firstMs = performance.now() - started;
  try {
    assert.equal(first.initialised, true);
    assert.equal(first.dataDir, dataDir);
    assert.match(first.url, /^postgres:\/\/driftwatch:[^@]+@127\.0\.0\.1:\d+\/driftwatch$/);
    assert.doesNotMatch(redactDatabaseUrl(first.url), new RegExp(new URL(first.url).password));
    const pool = await createPool(first.url);
    try {
      await migrate(pool);
      await pool.query(sql.unsafe`
        INSERT INTO windows (model, window_start, window_end, row_count, labelled_count, revision)
        VALUES ('kept', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z', 7, 0, 1)`);
    } finally {
      await pool.end();
    }
  } finally {
    await first.stop();
  }
  assert.ok(existsSync(join(dataDir, 'PG_VERSION')), 'the cluster stays on disk after stop');

  started = performance.now();
  const second = await startEmbeddedPostgres({ dataDir });
  const secondMs = performance.now() - started;
  console.log(`# embedded start: first (initdb) ${firstMs.toFixed(0)} ms, reuse ${secondMs.toFixed(0)} ms`);
  try {
    assert.equal(second.initialised, false);
    const pool = await createPool(second.url);
    try {
      assert.deepEqual(await migrate(pool), { applied: [], skipped: loadMigrations().map((m) => m.version) });
      assert.equal(await pool.oneFirst(sql.unsafe`SELECT row_count FROM windows WHERE model = 'kept'`), 7);
    } finally {
      await pool.end();
    }
  } finally {
    await second.stop();
  }
});

test('a data folder whose parent is a file fails with the folder named', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'not-a-folder'), 'x');
  const dataDir = join(dir, 'not-a-folder', 'pg');
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    assert.ok(error.message.includes(dataDir), error.message);
    assert.match(error.message, /not a folder|ENOTDIR|EEXIST|file is in the way/);
    return true;
  });
});

test('a non-empty folder that holds no cluster is refused, not overwritten', async () => {
  const dataDir = join(await tempDir(), 'pg');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'notes.txt'), 'mine');
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    assert.ok(error.message.includes(dataDir), error.message);
    assert.match(error.message, /not empty and holds no Postgres cluster/);
    return true;
  });
  assert.ok(existsSync(join(dataDir, 'notes.txt')));
});

test('as root, a folder the postgres user cannot enter is named in the error', { skip: process.getuid?.() !== 0 && 'only meaningful as root' }, async () => {
  const closed = join(await tempDir(), 'closed');
  await mkdir(closed, { mode: 0o700 });
  await chmod(closed, 0o700);
  const dataDir = join(closed, 'pg');
  await assert.rejects(startEmbeddedPostgres({ dataDir }), (error: Error) => {
    assert.ok(error.message.includes(dataDir), error.message);
    assert.match(error.message, new RegExp(`cannot enter ${closed}`));
    return true;
  });
});
