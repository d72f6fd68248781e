import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from 'kafkajs';
import { SLICE_MESSAGES, sendInSlices, type TopicMessages } from '../../processor/service/publish-results.js';

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
