/**
 * Applies schemas/migrations/NNNN_name.sql in order. Each migration runs in
 * its own transaction together with its schema_migrations row, so it is either
 * fully applied and recorded or not at all; re-running skips what is recorded.
 *
 * Two processes starting at once (a sink and a `run`) both call migrate: every
 * transaction first takes one transaction-scoped advisory lock, so they queue,
 * and the second one finds the work done. A recorded migration whose file has
 * changed since is an error: the database no longer matches the files.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { splitSqlStatements } from './sql-split.js';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../schemas/migrations/', import.meta.url));

/** Arbitrary, fixed: the advisory lock id all driftwatch migrators share ("dwmg"). */
const MIGRATION_LOCK_KEY = 0x64776d67;

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  readonly version: string;
  readonly name: string;
  readonly file: string;
  readonly checksum: string;
  readonly statements: string[];
}

export interface MigrateResult {
  /** Versions applied by this call, in order. */
  readonly applied: string[];
  /** Versions that were already recorded. */
  readonly skipped: string[];
}

export function loadMigrations(directory: string = MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of readdirSync(directory).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = MIGRATION_FILE.exec(file);
    if (!match) throw new Error(`migration file ${join(directory, file)} is not named NNNN_name.sql`);
    const text = readFileSync(join(directory, file), 'utf8');
    const previous = migrations.at(-1);
    if (previous && previous.version === match[1]) {
      throw new Error(`migrations ${previous.file} and ${file} in ${directory} share version ${match[1]}`);
    }
    migrations.push({
      version: match[1]!,
      name: match[2]!,
      file,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitSqlStatements(text),
    });
  }
  return migrations;
}

export async function migrate(pool: DatabasePool, directory: string = MIGRATIONS_DIR): Promise<MigrateResult> {
  const migrations = loadMigrations(directory);
  const applied: string[] = [];
  const skipped: string[] = [];
  const recorded = await pool.transaction(async (tx) => {
    await lockAndEnsureTable(tx);
    return recordedChecksums(tx);
  });
  for (const migration of migrations) {
    if (recorded.has(migration.version)) {
      assertUnchanged(migration, recorded.get(migration.version)!);
      skipped.push(migration.version);
      continue;
    }
    const ran = await pool.transaction(async (tx) => {
      await lockAndEnsureTable(tx);
      // Another process may have applied it while this one waited for the lock.
      const now = await recordedChecksums(tx);
      const existing = now.get(migration.version);
      if (existing !== undefined) {
        assertUnchanged(migration, existing);
        return false;
      }
      for (const statement of migration.statements) {
        try {
          await tx.query(trustedSql(statement));
        } catch (error) {
          throw new Error(`migration ${migration.file} failed: ${(error as Error).message}\nin statement:\n${statement}`, { cause: error });
        }
      }
      await tx.query(sql.unsafe`
        INSERT INTO schema_migrations (version, name, checksum)
        VALUES (${migration.version}, ${migration.name}, ${migration.checksum})`);
      return true;
    });
    (ran ? applied : skipped).push(migration.version);
  }
  return { applied, skipped };
}

async function lockAndEnsureTable(tx: CommonQueryMethods): Promise<void> {
  await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY}::bigint)`);
  await tx.query(sql.unsafe`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version     text        PRIMARY KEY,
      name        text        NOT NULL,
      checksum    text        NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
}

async function recordedChecksums(tx: CommonQueryMethods): Promise<Map<string, string>> {
  const rows = await tx.any(sql.type(z.object({ version: z.string(), checksum: z.string() }))`
    SELECT version, checksum FROM schema_migrations`);
  return new Map(rows.map((row) => [row.version, row.checksum]));
}

function assertUnchanged(migration: Migration, recordedChecksum: string): void {
  if (recordedChecksum !== migration.checksum) {
    throw new Error(
      `migration ${migration.file} was changed after it was applied to this database ` +
      `(recorded sha256 ${recordedChecksum.slice(0, 12)}…, file ${migration.checksum.slice(0, 12)}…); ` +
      'add a new migration instead of editing an applied one',
    );
  }
}

/**
 * Slonik only builds queries from template literals. Migration text is our own
 * file, never data, so it is wrapped as a one-part template with no parameters.
 */
export function trustedSql(text: string) {
  const parts = Object.freeze(Object.assign([text], { raw: Object.freeze([text]) }));
  return sql.unsafe(parts as unknown as TemplateStringsArray);
}
