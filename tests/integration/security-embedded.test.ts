/**
 * The embedded Postgres (the default of `driftwatch run`) is reachable from
 * this machine only and only with its password: it listens on 127.0.0.1 with
 * no Unix socket, every pg_hba rule asks for scram-sha-256, and the random
 * password it was created with sits in a file only its owner can read. Asked
 * of the running server itself (SHOW, pg_hba_file_rules) and of the file system.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type DatabasePool } from 'slonik';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sink/postgres/embedded.js';
import { createPool } from '../../sink/postgres/pool.js';
import { makeTempDir } from './postgres-test-db.js';

let tempDir: string;
let embedded: EmbeddedPostgres;
let pool: DatabasePool;

before(async () => {
  tempDir = await makeTempDir('driftwatch-embedded-sec-');
  embedded = await startEmbeddedPostgres({ dataDir: join(tempDir, 'pg') });
  pool = await createPool(embedded.url, { maximumPoolSize: 1 });
});

after(async () => {
  await pool?.end();
  await embedded?.stop();
  await rm(tempDir, { recursive: true, force: true });
});

test('the embedded server listens on loopback only, with no Unix socket', async () => {
  assert.equal(await pool.oneFirst(sql.unsafe`SHOW listen_addresses`), '127.0.0.1');
  assert.equal(await pool.oneFirst(sql.unsafe`SHOW unix_socket_directories`), '');
  assert.equal(new URL(embedded.url).hostname, '127.0.0.1');
});

test('every connection rule asks for a scram-sha-256 password', async () => {
  const methods = await pool.anyFirst(sql.unsafe`SELECT DISTINCT auth_method FROM pg_hba_file_rules WHERE error IS NULL`);
  assert.deepEqual(methods, ['scram-sha-256']);
  assert.equal(await pool.oneFirst(sql.unsafe`SHOW password_encryption`), 'scram-sha-256');
});

test('its random password is in a file only the owner can read', () => {
  const password = decodeURIComponent(new URL(embedded.url).password);
  assert.ok(password.length >= 20, 'a long random password');
  const mode = statSync(join(embedded.dataDir, 'driftwatch-password')).mode & 0o777;
  assert.equal(mode.toString(8), '600');
});
