import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameOf } from '../../processor/frame.js';
import { planReplay, replayBatches } from '../../producer/replay-schedule.js';

const minute = 60_000;
// Rows out of order in the file; ids name their minute so the order is obvious.
const frame = frameOf([
  ['event_time', { kind: 'timestamp', values: Float64Array.from([3, 1, NaN, 2, 5, 4].map((m) => m * minute)) }],
  ['row_id', { kind: 'string', values: ['m3', 'm1', 'bad', 'm2', 'm5', 'm4'] }],
]);

test('planReplay orders by event time, filters [from, to) and counts missing times', () => {
  const plan = planReplay(frame, { eventTimeColumn: 'event_time', labelDelay: 0, from: 2 * minute, to: 5 * minute });
  assert.deepEqual(plan.rows.columns.get('row_id')!.values, ['m2', 'm3', 'm4']);
  assert.equal(plan.missingEventTime, 1);
});

test('labels are released once the stream reaches event time + delay, the rest at the end', () => {
  const plan = planReplay(frame, { eventTimeColumn: 'event_time', labelDelay: 2 * minute });
  const ids = plan.rows.columns.get('row_id')!.values as string[];
  const steps = [...replayBatches(plan, 2)].map((b) => ({
    rows: b.features.columns.get('row_id')!.values,
    labels: Array.from(b.labelRows, (i) => ids[i]),
  }));
  assert.deepEqual(steps, [
    { rows: ['m1', 'm2'], labels: [] },            // stream at minute 2: m1's label is due at 3
    { rows: ['m3', 'm4'], labels: ['m1', 'm2'] },  // stream at 4: labels due at 3 and 4
    { rows: ['m5'], labels: ['m3'] },              // stream at 5: m3 due at 5
    { rows: [], labels: ['m4', 'm5'] },            // end of input releases the rest
  ]);
});

test('limit keeps the earliest rows', () => {
  const plan = planReplay(frame, { eventTimeColumn: 'event_time', labelDelay: 0, limit: 2 });
  assert.deepEqual(plan.rows.columns.get('row_id')!.values, ['m1', 'm2']);
});
