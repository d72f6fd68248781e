/**
 * The one place a Postgres pool is made, so every caller gets the same
 * settings. Timestamps read back as epoch milliseconds and bigints as BigInt
 * (slonik's default type parsers).
 */
import { createPool as createSlonikPool, type DatabasePool } from 'slonik';

export interface PoolOptions {
  /** Default 10. */
  readonly maximumPoolSize?: number;
  /** Abort statements running longer than this (ms). Default 60000. */
  readonly statementTimeoutMs?: number;
}

export type { DatabasePool } from 'slonik';

export async function createPool(databaseUrl: string, options: PoolOptions = {}): Promise<DatabasePool> {
  return createSlonikPool(databaseUrl, {
    maximumPoolSize: options.maximumPoolSize ?? 10,
    statementTimeout: options.statementTimeoutMs ?? 60_000,
    // Stack traces per query cost time on the 10k-row prediction batches and we never read them.
    captureStackTrace: false,
  });
}
