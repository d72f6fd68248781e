import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { javaCompatiblePartitioner, murmur2 } from '../../producer/kafka/partitioner.js';

test("murmur2 gives the Java client's values (Kafka's UtilsTest.testMurmur2 vectors)", () => {
  const cases: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [key, expected] of cases) assert.equal(murmur2(Buffer.from(key)), expected, key);
});

test("every key goes to kafkajs' DefaultPartitioner's partition, for 1 to 13 partitions", () => {
  const ours = javaCompatiblePartitioner();
  const theirs = Partitioners.DefaultPartitioner();
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  for (let k = 0; k < 20_000; k++) {
    const length = next() % 40;
    const codes = Array.from({ length }, () => (next() % 7 === 0 ? 0x80 + (next() % 0x2000) : 0x20 + (next() % 0x5f)));
    const text = String.fromCharCode(...codes);
    const key = k % 3 === 0 ? Buffer.from(text) : k % 3 === 1 ? text : `row-${next()}`;
    const partitions = 1 + (k % 13);
    const args: PartitionerArgs = {
      topic: 't',
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })),
      message: { key, value: 'v' },
    };
    assert.equal(ours(args), theirs(args), `key ${JSON.stringify(String(key))} over ${partitions} partitions`);
  }
});

test('an explicit partition wins; keyless messages go round robin over partitions with a leader', () => {
  const partition = javaCompatiblePartitioner();
  const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: partitionId === 2 ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  assert.equal(partition({ topic: 't', partitionMetadata, message: { key: 'x', value: 'v', partition: 3 } }), 3);
  const seen = Array.from({ length: 9 }, () => partition({ topic: 't', partitionMetadata, message: { value: 'v' } }));
  assert.ok(!seen.includes(2), `partition without a leader chosen: ${seen}`);
  assert.deepEqual(new Set(seen), new Set([0, 1, 3]));
  for (let i = 3; i < seen.length; i++) assert.equal(seen[i], seen[i - 3]);
});
