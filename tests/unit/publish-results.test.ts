import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from 'kafkajs';
import type { Config } from '../../cli/config.js';
import type { WindowOutput } from '../../processor/pipeline.js';
import { encodePrediction, jsonResultsCodec } from '../../processor/results-codec.js';
import { SLICE_MESSAGES, sendInSlices, sendPredictions, type TopicMessages } from '../../processor/service/publish-results.js';
import type { MonitorSpec } from '../../processor/window-metrics.js';

const messages = (prefix: string, n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: String(i) }));

test('slices hold at most SLICE_MESSAGES messages and keep every message once, in order', async () => {
  const input: TopicMessages = [
    { topic: 'a', messages: messages('a', SLICE_MESSAGES + 17) },
    { topic: 'b', messages: messages('b', 3) },
    { topic: 'c', messages: messages('c', 2 * SLICE_MESSAGES - 20) },
  ];
  const sent: TopicMessages[] = [];
  await sendInSlices(async (slice) => { sent.push(slice); }, input);
  for (const slice of sent) {
    const size = slice.reduce((n, part) => n + part.messages.length, 0);
    assert.ok(size > 0 && size <= SLICE_MESSAGES, `slice of ${size}`);
  }
  const flat = (batches: TopicMessages[]) => batches.flatMap((slice) => slice.flatMap(({ topic, messages: m }) => m.map((message) => `${topic}/${message.key}`)));
  assert.deepEqual(flat(sent), flat([input]));
  assert.equal(sent.length, Math.ceil((3 * SLICE_MESSAGES) / SLICE_MESSAGES));
});

test('nothing to send sends nothing; a failing send stops the rest', async () => {
  let calls = 0;
  await sendInSlices(async () => { calls++; }, [{ topic: 'a', messages: [] }]);
  assert.equal(calls, 0);
  await assert.rejects(sendInSlices(async () => { calls++; throw new Error('broker says no'); }, [{ topic: 'a', messages: messages('a', 2 * SLICE_MESSAGES) }]), /broker says no/);
  assert.equal(calls, 1);
});

test('a slice is handed to the producer only once the previous one is acknowledged', async () => {
  const events: string[] = [];
  let acks = 0;
  let inFlight = 0;
  await sendInSlices(async (slice) => {
    assert.equal(inFlight, 0, 'two slices in flight');
    inFlight++;
    events.push(`send ${slice[0]!.messages[0]!.key}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    events.push(`ack ${++acks}`);
  }, [{ topic: 'a', messages: messages('a', 3 * SLICE_MESSAGES + 1) }]);
  assert.deepEqual(events, ['send a0', 'ack 1', `send a${SLICE_MESSAGES}`, 'ack 2', `send a${2 * SLICE_MESSAGES}`, 'ack 3', `send a${3 * SLICE_MESSAGES}`, 'ack 4']);
});

test('sendInSlices returns only after the last slice is acknowledged, and reports its failure', async () => {
  let acked = false;
  await sendInSlices(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    acked = true;
  }, [{ topic: 'a', messages: messages('a', 1) }]);
  assert.ok(acked);
  await assert.rejects(sendInSlices(async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new Error('last slice refused');
  }, [{ topic: 'a', messages: messages('a', 1) }]), /last slice refused/);
});

/** A fired window of `rows` scored rows (only what predictionsOf reads). */
function firedWindow(name: string, rows: number, windowStart: number): WindowOutput {
  const columns = new Map<string, unknown>([
    ['row_id', { kind: 'string', values: Array.from({ length: rows }, (_, i) => `${name}-${i}`) }],
    ['event_time', { kind: 'timestamp', values: Float64Array.from({ length: rows }, (_, i) => windowStart + i * 60_000) }],
    ['prediction', { kind: 'number', values: Float64Array.from({ length: rows }, (_, i) => i / 7) }],
    ['delay', { kind: 'number', values: Float64Array.from({ length: rows }, (_, i) => (i % 5 === 0 ? NaN : i - 3)) }],
  ]);
  return { fire: { windowStart, frame: { rowCount: rows, columns } } } as unknown as WindowOutput;
}

test('predictions: each window in slices of up to SLICE_MESSAGES, every row once, in order, as the JSON codec writes them', async () => {
  const spec = { model: 'm', predictionColumn: 'prediction', targetColumn: 'delay', task: 'regression' } as unknown as MonitorSpec;
  const config = { columns: { event_time: 'event_time', row_id: 'row_id' } } as unknown as Config;
  const sizes = [1440, 1440, 1440, SLICE_MESSAGES + 904, 3];
  const outputs = sizes.map((rows, w) => firedWindow(`w${w}`, rows, w * 86_400_000));
  const sent: TopicMessages[] = [];
  await sendPredictions(async (slice) => { sent.push(slice); }, { topic: 'p', results: jsonResultsCodec, outputs, spec, config });
  assert.deepEqual(sent.map((slice) => slice.reduce((n, part) => n + part.messages.length, 0)), [1440, 1440, 1440, SLICE_MESSAGES, 904, 3]);
  const all = sent.flatMap((slice) => slice.flatMap(({ topic, messages: m }) => { assert.equal(topic, 'p'); return m; }));
  assert.deepEqual(all.map((m) => m.key), sizes.flatMap((rows, w) => Array.from({ length: rows }, (_, i) => `w${w}-${i}`)));
  // The bytes on the wire are the results codec's.
  const first = JSON.parse(String(all[0]!.value));
  assert.deepEqual(first, { model: 'm', rowId: 'w0-0', eventTime: 0, windowStart: 0, prediction: 0, label: null, target: null });
  assert.equal(Buffer.from(all[1442]!.value as string).toString('hex'),
    encodePrediction({ model: 'm', rowId: 'w1-2', eventTime: 86_400_000 + 120_000, windowStart: 86_400_000, prediction: 2 / 7, label: null, target: -1 }).toString('hex'));
});
