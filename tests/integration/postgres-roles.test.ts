/**
 * The least-privilege roles against a real Postgres (DATABASE_URL, which must
 * be able to create roles — scripts/postgres-local.sh's `driftwatch` role or a
 * superuser — else an embedded one). Each run makes its own uniquely named
 * roles and schema through setupRoles (schemas/roles.sql), migrates as the
 * migrator and writes as the writer through openDatabase, then checks what the
 * server itself refuses. Everything it created is dropped at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { sql, type DatabasePool } from 'slonik';
import type { WindowMetrics } from '../../processor/results.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sink/postgres/embedded.js';
import { openDatabase, type Database } from '../../sink/postgres/open.js';
import { createPool } from '../../sink/postgres/pool.js';
import { setupRoles, type RoleNames } from '../../sink/postgres/roles.js';
import { writeWindow } from '../../sink/postgres/writer.js';
import { makeTempDir } from './postgres-test-db.js';

const suffix = randomBytes(4).toString('hex');
const names: RoleNames = { migrator: `dw_${suffix}_migrator`, writer: `dw_${suffix}_writer`, reader: `dw_${suffix}_reader` };
const schema = `dw_roles_${suffix}`;
const passwords = { migrator: randomBytes(12).toString('base64url'), writer: `w'"; -- ${suffix}`, reader: randomBytes(12).toString('base64url') };

let embedded: EmbeddedPostgres | undefined;
let tempDir: string | undefined;
let adminUrl: string;
let admin: DatabasePool;
let database: Database;
let writer: DatabasePool;
let reader: DatabasePool;
const logLines: string[] = [];
const createdRoles: string[] = [];

function roleUrl(role: string, password: string): string {
  const url = new URL(adminUrl);
  url.username = role;
  url.password = encodeURIComponent(password);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

const window: WindowMetrics = {
  model: 'roles-test', windowStart: Date.UTC(2026, 0, 1), windowEnd: Date.UTC(2026, 0, 2), revision: 1, rows: 120, labelledRows: 0,
  drift: { columns: [], number_of_columns: 0, number_of_drifted_columns: 0, share_of_drifted_columns: 0, dataset_drift: false, drift_share: 0.5 },
  predictionDrift: null, targetDrift: null, regression: null, classification: null,
  dataQuality: { rows: 120, rows_with_missing: 0, rows_with_missing_share: 0, columns: [] },
};

before(async () => {
  adminUrl = process.env.DATABASE_URL ?? '';
  if (!adminUrl) {
    tempDir = await makeTempDir('driftwatch-roles-');
    embedded = await startEmbeddedPostgres({ dataDir: join(tempDir, 'pg') });
    adminUrl = embedded.url;
  }
  admin = await createPool(adminUrl, { maximumPoolSize: 1 });
  const mayCreateRoles = await admin.oneFirst(sql.unsafe`SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user`);
  assert.ok(mayCreateRoles, 'the DATABASE_URL role can neither create roles nor is a superuser: run this test with an admin URL ' +
    '(scripts/postgres-local.sh gives its driftwatch role CREATEROLE)');
  await admin.query(sql.unsafe`CREATE SCHEMA ${sql.identifier([schema])}`);
  createdRoles.push(names.migrator, names.writer, names.reader);
  await setupRoles(admin, { names, schema, passwords });
  // Idempotent: a second run changes nothing and does not fail.
  await setupRoles(admin, { names, schema });

  const log = pino({ level: 'debug' }, new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } }));
  database = await openDatabase({
    url: roleUrl(names.writer, passwords.writer),
    migration_url: roleUrl(names.migrator, passwords.migrator),
    embedded_dir: '/nonexistent-not-used',
  }, log);
  writer = database.pool;
  reader = await createPool(roleUrl(names.reader, passwords.reader), { maximumPoolSize: 1 });
});

after(async () => {
  await reader?.end();
  await database?.close();
  if (admin) {
    await admin.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([schema])} CASCADE`);
    const databaseName = await admin.oneFirst(sql.unsafe`SELECT current_database()::text`) as string;
    for (const role of createdRoles) {
      const exists = await admin.exists(sql.unsafe`SELECT 1 FROM pg_roles WHERE rolname = ${role}`);
      if (!exists) continue;
      await admin.query(sql.unsafe`REVOKE ALL ON DATABASE ${sql.identifier([databaseName])} FROM ${sql.identifier([role])}`);
      await admin.query(sql.unsafe`DROP ROLE ${sql.identifier([role])}`);
    }
    await admin.end();
  }
  await embedded?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

/** The server refuses with insufficient_privilege (42501). */
async function assertDenied(pool: DatabasePool, statement: ReturnType<typeof sql.unsafe>, what: string): Promise<void> {
  await assert.rejects(pool.query(statement), (error: Error & { cause?: { code?: string } }) => {
    const code = error.cause?.code ?? (error as { code?: string }).code;
    assert.equal(code, '42501', `${what}: expected permission denied (42501), got ${code}: ${error.message}`);
    assert.match(error.message, /permission denied|must be owner/, what);
    return true;
  }, `${what} was allowed`);
}

test('the roles have no administrative attributes and log in with their passwords', async () => {
  const rows = await admin.any(sql.unsafe`
    SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
    FROM pg_roles WHERE rolname = ANY(${sql.array([names.migrator, names.writer, names.reader], 'text')}) ORDER BY rolname`);
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.deepEqual({ ...row, rolname: undefined }, {
      rolname: undefined, rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false, rolcanlogin: true,
    }, String(row.rolname));
  }
  assert.equal(await writer.oneFirst(sql.unsafe`SELECT current_user::text`), names.writer);
  assert.equal(await reader.oneFirst(sql.unsafe`SELECT current_user::text`), names.reader);
});

test('the migrator owns the migrated tables; the writer writes a window', async () => {
  const owners = await admin.anyFirst(sql.unsafe`
    SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = ${schema}`);
  assert.deepEqual(owners, [names.migrator]);
  assert.deepEqual(await writeWindow(writer, window), { applied: true, storedRevision: 1 });
  assert.equal(await reader.oneFirst(sql.unsafe`SELECT row_count FROM windows WHERE model = 'roles-test'`), 120);
  assert.ok(logLines.some((line) => line.includes('schema up to date')), 'openDatabase logged the migration');
  for (const password of [passwords.writer, passwords.migrator]) {
    assert.ok(!logLines.join('').includes(password), 'a password reached the log');
  }
});

test('the writer cannot create, drop, truncate or alter tables, nor rewrite the migration log', async () => {
  await assertDenied(writer, sql.unsafe`CREATE TABLE intruder (id int)`, 'CREATE TABLE');
  await assertDenied(writer, sql.unsafe`DROP TABLE windows`, 'DROP TABLE windows');
  await assertDenied(writer, sql.unsafe`TRUNCATE windows`, 'TRUNCATE windows');
  await assertDenied(writer, sql.unsafe`ALTER TABLE windows ADD COLUMN intruder int`, 'ALTER TABLE windows');
  await assertDenied(writer, sql.unsafe`CREATE SCHEMA intruder`, 'CREATE SCHEMA');
  await assertDenied(writer, sql.unsafe`DELETE FROM schema_migrations`, 'DELETE FROM schema_migrations');
  // Nothing changed: the table and its row are still there.
  assert.equal(await reader.oneFirst(sql.unsafe`SELECT count(*)::int FROM windows`), 1);
  assert.equal(await reader.oneFirst(sql.unsafe`SELECT count(*)::int FROM schema_migrations`) > 0, true);
});

test('the reader can SELECT but not write', async () => {
  assert.equal(await reader.oneFirst(sql.unsafe`SELECT count(*)::int FROM column_drift`), 0);
  await assertDenied(reader, sql.unsafe`
    INSERT INTO windows (model, window_start, window_end, row_count, labelled_count, revision)
    VALUES ('x', now(), now() + interval '1 hour', 1, 0, 1)`, 'INSERT as reader');
  await assertDenied(reader, sql.unsafe`UPDATE windows SET row_count = 0`, 'UPDATE as reader');
  await assertDenied(reader, sql.unsafe`DELETE FROM windows`, 'DELETE as reader');
});

test('roles.sql refuses to adopt an existing role with administrative rights', async () => {
  const powerful = `dw_${suffix}_powerful`;
  createdRoles.push(powerful);
  await admin.query(sql.unsafe`CREATE ROLE ${sql.identifier([powerful])} LOGIN CREATEROLE`);
  await assert.rejects(setupRoles(admin, { names: { ...names, writer: powerful }, schema }),
    new RegExp(`role ${powerful} already exists with administrative attributes`));
});
