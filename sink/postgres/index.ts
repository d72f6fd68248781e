/** The Postgres sink: pool, migrations, the window/prediction writer, the embedded server. */
export { createPool, type DatabasePool, type PoolOptions } from './pool.js';
export { migrate, loadMigrations, MIGRATIONS_DIR, type MigrateResult } from './migrate.js';
export { writePredictions, writeWindow, type WriteWindowResult } from './writer.js';
export { redactDatabaseUrl } from './redact.js';
export { defaultEmbeddedDataDir, startEmbeddedPostgres, type EmbeddedPostgres, type EmbeddedPostgresOptions } from './embedded.js';
