/**
 * The database of a driftwatch process: DATABASE_URL (or the config's url)
 * when given, else an embedded Postgres kept under a local folder. Migrated
 * before use. Logs and errors name the server with its password redacted.
 *
 * Least privilege (docs/security.md): when a migration URL is given too
 * (DATABASE_MIGRATION_URL, the driftwatch_migrator role), migrations run on a
 * short-lived connection of that role and the process then works only through
 * `url` (the driftwatch_writer role, which cannot create, alter, drop or
 * truncate). Without one, `url` does both, as the embedded default does.
 */
import type { Logger } from 'pino';
import { sql } from 'slonik';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import { migrate } from './migrate.js';
import { createPool, type DatabasePool } from './pool.js';
import { redactDatabaseUrl } from './redact.js';
import { revokeWriterFromMigrationLog } from './roles.js';

export interface DatabaseOptions {
  /** The connection the process writes through (DATABASE_URL). */
  readonly url?: string;
  /** The connection migrations run on (DATABASE_MIGRATION_URL); default: `url`. */
  readonly migration_url?: string;
  /** Data folder of the embedded Postgres, used when `url` is not given. */
  readonly embedded_dir: string;
}

export interface Database {
  readonly pool: DatabasePool;
  /** For /readyz: true when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions, log: Logger): Promise<Database> {
  if (options.migration_url && !options.url) {
    throw new Error('DATABASE_MIGRATION_URL is set but DATABASE_URL is not: the writer connection is missing ' +
      '(the embedded Postgres uses one role for both)');
  }
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (!url) {
    log.info({ dataDir: options.embedded_dir }, 'no DATABASE_URL: starting the embedded Postgres');
    embedded = await startEmbeddedPostgres({ dataDir: options.embedded_dir });
    url = embedded.url;
  }
  const migrationUrl = options.migration_url;
  log.info({ database: redactDatabaseUrl(url), ...(migrationUrl ? { migrations: redactDatabaseUrl(migrationUrl) } : {}) },
    'connecting to Postgres');
  let pool: DatabasePool | undefined;
  try {
    pool = await createPool(url);
    const result = migrationUrl ? await migrateWithOwnRole(migrationUrl, pool, log) : await migrate(pool);
    log.info({ migrations: result }, 'schema up to date');
  } catch (error) {
    await pool?.end();
    await embedded?.stop();
    throw new Error(`Postgres at ${redactDatabaseUrl(url)}: ${(error as Error).message}`);
  }
  const writerPool = pool;
  return {
    pool: writerPool,
    async ping() {
      try {
        await writerPool.oneFirst(sql.unsafe`SELECT 1`);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await writerPool.end();
      await embedded?.stop();
    },
  };
}

/** Migrate as the migration role, then make sure the writer cannot rewrite the migration log. */
async function migrateWithOwnRole(migrationUrl: string, writerPool: DatabasePool, log: Logger) {
  const writerRole = await writerPool.oneFirst(sql.unsafe`SELECT current_user::text`) as string;
  const migrationPool = await createPool(migrationUrl, { maximumPoolSize: 1 });
  try {
    const result = await migrate(migrationPool);
    await revokeWriterFromMigrationLog(migrationPool, writerRole);
    // A writer that may create objects defeats the split; say so rather than fail a working setup.
    const canCreate = await writerPool.oneFirst(sql.unsafe`SELECT has_schema_privilege(current_schema(), 'CREATE')`);
    if (canCreate) {
      log.warn({ role: writerRole }, 'the DATABASE_URL role may create objects in the schema; see docs/security.md for the writer role');
    }
    return result;
  } catch (error) {
    throw new Error(`migrating through ${redactDatabaseUrl(migrationUrl)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await migrationPool.end();
  }
}
