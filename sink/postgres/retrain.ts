/**
 * Records retrain requests (processor/retrain/) in `retrain_requests`
 * (schemas/migrations/0003_retrain_requests.sql). Idempotent: keyed by
 * (model, episode_start), a request already recorded is left as it is, so a
 * re-delivered message changes nothing and the first raise of an episode is
 * the one kept. Parameterised; column names travel as a bound text[].
 */
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { isoTimestamp } from './window-rows.js';

/** True when the request was new, false when its episode was already recorded. */
export async function writeRetrainRequest(pool: DatabasePool, request: RetrainRequest): Promise<boolean> {
  const where = `retrain request ${request.model} @ ${new Date(request.episodeStart).toISOString()}`;
  const last = request.windows.at(-1);
  if (!last) throw new Error(`${where}: no windows`);
  const inserted = await pool.maybeOneFirst(sql.type(z.object({ inserted: z.boolean() }))`
    INSERT INTO retrain_requests (model, episode_start, last_window_end, window_count, consecutive_windows,
                                  drifted_columns, windows, raised_at)
    VALUES (${request.model}, ${isoTimestamp(request.episodeStart, `${where}: episodeStart`)}::timestamptz,
            ${isoTimestamp(last.windowEnd, `${where}: windowEnd`)}::timestamptz, ${request.windows.length},
            ${request.consecutiveWindows}, ${sql.array(request.driftedColumns, 'text')},
            ${sql.jsonb(request.windows as unknown as Parameters<typeof sql.jsonb>[0])},
            ${isoTimestamp(request.raisedAt, `${where}: raisedAt`)}::timestamptz)
    ON CONFLICT (model, episode_start) DO NOTHING
    RETURNING true AS inserted`);
  return inserted === true;
}

/** Several requests, in order; how many were new. */
export async function writeRetrainRequests(pool: DatabasePool, requests: readonly RetrainRequest[]): Promise<number> {
  let inserted = 0;
  for (const request of requests) if (await writeRetrainRequest(pool, request)) inserted++;
  return inserted;
}
