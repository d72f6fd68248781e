/**
 * What the end-to-end suites that run once per codec share: one sample and
 * one `driftwatch run` baseline for every mode (made on first use, removed
 * after the file), and the registration of a suite per mode — failing in CI,
 * skipped with the reason elsewhere, when the broker or (for Avro) the
 * schema registry is missing.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import { createPool } from '../../../sink/postgres/pool.js';
import { openTestDatabase, type TestDatabase } from '../postgres-test-db.js';
import { findTestBroker, type TestBroker } from './kafka.js';
import * as harness from './pipeline-harness.js';

export type Tables = Awaited<ReturnType<typeof harness.dumpTables>>;

export interface SharedBaseline {
  readonly sample: harness.Sample;
  readonly database: TestDatabase;
  readonly baseline: Tables;
  readonly prepareAndRunMs: number;
}

/** The sample and its `run` tables, made once on the first call; cleaned up when the file's tests end. */
export function sharedRunBaseline(name: string): () => Promise<SharedBaseline> {
  let shared: Promise<SharedBaseline> | undefined;
  after(async () => {
    if (!shared) return;
    const { sample, database } = await shared.catch(() => ({ sample: undefined, database: undefined }));
    await database?.close();
    if (sample) await rm(sample.dir, { recursive: true, force: true });
  });
  return () => (shared ??= (async () => {
    const started = Date.now();
    const sample = await harness.prepareSample(name);
    const database = await openTestDatabase();
    const runUrl = await database.newSchemaUrl();
    await harness.runBaseline(sample, runUrl);
    const pool = await createPool(runUrl);
    try {
      return { sample, database, baseline: await harness.dumpTables(pool), prepareAndRunMs: Date.now() - started };
    } finally {
      await pool.end();
    }
  })());
}

export type CodecSuite = (mode: harness.CodecMode, broker: TestBroker, registryUrl: string | undefined) => void;

/** One `describe` per codec mode (DRIFTWATCH_TEST_CODEC picks one), each given the broker and, for Avro, the registry. */
export async function describeEachCodec(title: (mode: harness.CodecMode) => string, suite: CodecSuite): Promise<void> {
  const lookup = await findTestBroker();
  const modes = harness.codecModes();
  const registry = modes.includes('avro') ? await harness.findTestRegistry() : undefined;
  for (const mode of modes) {
    const name = title(mode);
    const missing = 'fail' in lookup ? { fail: lookup.fail }
      : 'skip' in lookup ? { skip: lookup.skip }
        : mode === 'avro' && registry && !('url' in registry) ? registry : undefined;
    if (missing && 'fail' in missing) test(`${name}: a broker and a schema registry`, () => assert.fail(missing.fail));
    else if (missing) test(name, { skip: missing.skip }, () => {});
    else describe(name, () => suite(mode, (lookup as { broker: TestBroker }).broker, registry && 'url' in registry ? registry.url : undefined));
  }
}
