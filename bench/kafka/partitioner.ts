/**
 * The key partitioner alone: kafkajs' DefaultPartitioner (64-bit Long
 * emulation) against producer/kafka/partitioner.ts (Math.imul), same keys
 * (uuid-like row ids, as predictions are keyed), same run.
 *
 *   npx tsx bench/kafka/partitioner.ts [--keys 1000000] [--partitions 6] [--json FILE]
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { javaCompatiblePartitioner } from '../../producer/kafka/partitioner.js';

const { values: args } = parseArgs({ options: { keys: { type: 'string', default: '1000000' }, partitions: { type: 'string', default: '6' }, json: { type: 'string' } } });
const count = Number(args.keys);
const partitionMetadata = Array.from({ length: Number(args.partitions) }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const keys = Array.from({ length: count }, () => randomUUID());

function time(create: () => (args: PartitionerArgs) => number): { seconds: number; checksum: number } {
  const partition = create();
  const started = performance.now();
  let checksum = 0;
  for (const key of keys) checksum += partition({ topic: 't', partitionMetadata, message: { key, value: null } });
  return { seconds: (performance.now() - started) / 1000, checksum };
}

time(Partitioners.DefaultPartitioner); // warm-up, both
time(javaCompatiblePartitioner);
const kafkajs = time(Partitioners.DefaultPartitioner);
const ours = time(javaCompatiblePartitioner);
if (kafkajs.checksum !== ours.checksum) throw new Error('the two partitioners disagree');
const table = new Table({ head: ['partitioner', 'seconds', 'keys/s', 'speed-up'] });
table.push(['kafkajs DefaultPartitioner', kafkajs.seconds.toFixed(3), Math.round(count / kafkajs.seconds).toLocaleString(), '1.00']);
table.push(['driftwatch javaCompatiblePartitioner', ours.seconds.toFixed(3), Math.round(count / ours.seconds).toLocaleString(), (kafkajs.seconds / ours.seconds).toFixed(2)]);
console.log(table.toString());
if (args.json) {
  writeFileSync(args.json, JSON.stringify({ keys: count, kafkajsSeconds: kafkajs.seconds, oursSeconds: ours.seconds, speedUp: kafkajs.seconds / ours.seconds }, null, 2));
}
