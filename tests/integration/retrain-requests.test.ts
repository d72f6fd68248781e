/**
 * retrain_requests on a real Postgres (schemas/migrations/0003, sink/postgres/retrain.ts):
 * the row holds the request, a re-delivery changes nothing, the first raise of
 * an episode is kept, another episode is another row.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'slonik';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { createPool, migrate, type DatabasePool } from '../../sink/postgres/index.js';
import { writeRetrainRequest, writeRetrainRequests } from '../../sink/postgres/retrain.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const DAY = 86_400_000;
const START = Date.parse('2026-02-01T00:00:00Z');

function request(firstDay: number, raisedAt: number, windows = 3): RetrainRequest {
  return {
    model: 'flights-delay',
    episodeStart: START + firstDay * DAY,
    windows: Array.from({ length: windows }, (_, i) => ({
      windowStart: START + (firstDay + i) * DAY, windowEnd: START + (firstDay + i + 1) * DAY, shareOfDriftedColumns: 0.5,
      driftedColumns: [{ column: 'month', stattest: 'wasserstein', score: 0.8333, threshold: 0.1 }, ...(i === 1 ? [{ column: 'weekday', stattest: 'wasserstein', score: null, threshold: 0.1 }] : [])],
    })),
    driftedColumns: windows > 1 ? ['month', 'weekday'] : ['month'],
    consecutiveWindows: 3,
    raisedAt,
  };
}

let db: TestDatabase;
let pool: DatabasePool;

before(async () => {
  db = await openTestDatabase();
  pool = await createPool(await db.newSchemaUrl());
  await migrate(pool);
});

after(async () => {
  await pool?.end();
  await db?.close();
});

test('a request becomes one row; re-delivered, or raised again for the same episode, it changes nothing', async () => {
  const first = request(0, Date.parse('2026-03-01T10:00:00Z'));
  assert.equal(await writeRetrainRequest(pool, first), true);
  assert.equal(await writeRetrainRequest(pool, first), false);
  assert.equal(await writeRetrainRequest(pool, request(0, Date.parse('2026-03-01T11:00:00Z'), 4)), false);
  const rows = await pool.any(sql.unsafe`
    SELECT model, episode_start, last_window_end, window_count, consecutive_windows, drifted_columns, windows, raised_at
    FROM retrain_requests`);
  assert.equal(rows.length, 1);
  const row = rows[0] as Record<string, unknown>;
  assert.equal(row.model, 'flights-delay');
  assert.equal(row.episode_start, START);
  assert.equal(row.last_window_end, START + 3 * DAY);
  assert.equal(row.window_count, 3);
  assert.equal(row.consecutive_windows, 3);
  assert.deepEqual(row.drifted_columns, ['month', 'weekday']);
  assert.deepEqual(row.windows, first.windows);
  assert.equal(row.raised_at, Date.parse('2026-03-01T10:00:00Z'), 'the first raise is kept');
});

test('another episode of the model is another row', async () => {
  assert.equal(await writeRetrainRequests(pool, [request(10, Date.parse('2026-03-02T10:00:00Z')), request(0, 0)]), 1);
  assert.deepEqual(
    await pool.anyFirst(sql.unsafe`SELECT episode_start FROM retrain_requests ORDER BY episode_start`),
    [START, START + 10 * DAY],
  );
});

test('the table refuses a request whose last window ends before its episode starts', async () => {
  const bad = { ...request(20, 0), windows: [{ windowStart: START + 20 * DAY, windowEnd: START + 19 * DAY, shareOfDriftedColumns: 1, driftedColumns: [] }] };
  await assert.rejects(writeRetrainRequest(pool, bad), /violates a check integrity constraint/);
});
