/**
 * The database of a driftwatch process: DATABASE_URL (or the config's url)
 * when given, else an embedded Postgres kept under a local folder. Migrated
 * before use. Logs name the server with its password redacted.
 */
import type { Logger } from 'pino';
import { sql } from 'slonik';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import { migrate } from './migrate.js';
import { createPool, type DatabasePool } from './pool.js';
import { redactDatabaseUrl } from './redact.js';

export interface Database {
  readonly pool: DatabasePool;
  /** For /readyz: true when a trivial query answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openDatabase(options: { url?: string; embedded_dir: string }, log: Logger): Promise<Database> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.url;
  if (!url) {
    log.info({ dataDir: options.embedded_dir }, 'no DATABASE_URL: starting the embedded Postgres');
    embedded = await startEmbeddedPostgres({ dataDir: options.embedded_dir });
    url = embedded.url;
  }
  log.info({ database: redactDatabaseUrl(url) }, 'connecting to Postgres');
  let pool: DatabasePool;
  try {
    pool = await createPool(url);
    const result = await migrate(pool);
    log.info({ migrations: result }, 'schema up to date');
  } catch (error) {
    await embedded?.stop();
    throw new Error(`Postgres at ${redactDatabaseUrl(url)}: ${(error as Error).message}`);
  }
  return {
    pool,
    async ping() {
      try {
        await pool.oneFirst(sql.unsafe`SELECT 1`);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
