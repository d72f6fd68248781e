import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventTimeCeiling, refuseBeyondCeiling } from '../../processor/window/event-time-ceiling.js';
import { decodeFeatureBatch } from '../../producer/codec/decode-batch.js';

const layout = { rowIdColumn: 'row_id', eventTimeColumn: 'event_time', features: [{ name: 'x', type: 'numerical' as const }] };
const message = (offset: number, value: unknown) => ({ offset: String(offset), value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });

test('the ceiling is the newest accepted event time + the bound; none before the first row or when off', () => {
  assert.equal(eventTimeCeiling(1_000_000, 86_400_000), 1_000_000 + 86_400_000);
  assert.equal(eventTimeCeiling(-Infinity, 86_400_000), Infinity);
  assert.equal(eventTimeCeiling(1_000_000, Infinity), Infinity);
});

test('rows above the ceiling move to the invalid messages with the bound in the reason, in offset order; the rest keep their rows', async () => {
  const messages = [
    message(10, { row_id: 'a', event_time: 1000, x: 1 }),
    message(11, 'not json'),
    message(12, { row_id: 'far', event_time: 10_000_000_000_000, x: 2 }),
    message(13, { row_id: 'b', event_time: 2000, x: 3 }),
    message(14, { row_id: 'edge', event_time: 5000, x: 4 }),
  ];
  const decoded = await decodeFeatureBatch(messages, layout);
  const kept = refuseBeyondCeiling(decoded, messages, 'event_time', 5000);
  assert.deepEqual(kept.frame.columns.get('row_id')!.values, ['a', 'b', 'edge'], 'a row at the ceiling itself is kept');
  assert.deepEqual([...kept.frame.columns.get('x')!.values as Float64Array], [1, 3, 4]);
  assert.deepEqual([...kept.offsets], [10, 13, 14]);
  assert.deepEqual(kept.invalid.map((i) => i.message.offset), ['11', '12']);
  assert.match(kept.invalid[1]!.reason, /^field "event_time" must be at most 1970-01-01T00:00:05\.000Z .* got number 10000000000000 \(2286-11-20T17:46:40\.000Z\): too far in the future$/);
  assert.equal(refuseBeyondCeiling(decoded, messages, 'event_time', Infinity), decoded, 'no bound: the same batch');
});
