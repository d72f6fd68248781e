/**
 * A Postgres for integration tests: DATABASE_URL when set (CI and development
 * use scripts/postgres-local.sh), else an embedded one in a temporary folder.
 * Each caller gets its own schema (via the connection's search_path), so test
 * runs never see each other's rows or the real driftwatch tables, and the
 * schema is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'slonik';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../sink/postgres/embedded.js';
import { createPool } from '../../sink/postgres/pool.js';

export interface TestDatabase {
  readonly source: 'DATABASE_URL' | 'embedded';
  /** A URL whose connections use a fresh, empty schema. */
  newSchemaUrl(): Promise<string>;
  close(): Promise<void>;
}

/** A temporary folder the `postgres` OS user can enter (needed when tests run as root). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await chmod(dir, 0o755);
  return dir;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  let embedded: EmbeddedPostgres | null = null;
  let tempDir: string | null = null;
  let baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    tempDir = await makeTempDir('driftwatch-pg-test-');
    embedded = await startEmbeddedPostgres({ dataDir: join(tempDir, 'pg') });
    baseUrl = embedded.url;
  }
  const admin = await createPool(baseUrl, { maximumPoolSize: 1 });
  const schemas: string[] = [];
  return {
    source: embedded ? 'embedded' : 'DATABASE_URL',
    async newSchemaUrl() {
      const schema = `dw_test_${randomBytes(6).toString('hex')}`;
      await admin.query(sql.unsafe`CREATE SCHEMA ${sql.identifier([schema])}`);
      schemas.push(schema);
      const url = new URL(baseUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return url.toString();
    },
    async close() {
      for (const schema of schemas) {
        await admin.query(sql.unsafe`DROP SCHEMA ${sql.identifier([schema])} CASCADE`);
      }
      await admin.end();
      await embedded?.stop();
      if (tempDir) await rm(tempDir, { recursive: true, force: true });
    },
  };
}
