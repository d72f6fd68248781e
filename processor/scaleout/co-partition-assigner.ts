/**
 * A consumer-group partition assigner that keeps partition numbers together:
 * partition p of every subscribed topic goes to the same member.
 *
 * Why: the scale-out processor joins ground truth to rows inside the
 * instance that reads them. `driftwatch produce` keys a row and its label by
 * row_id with the same partitioner, so with equal partition counts the label
 * of a row on features partition p is on targets partition p. Kafka's stock
 * assigners (round robin, range) may hand features p and targets p to
 * different members; this one never does, so the join stays local and the
 * window operator is the same code as in one instance.
 *
 * Partition numbers are dealt round robin over the members sorted by id
 * (deterministic: every member computes the same plan). Topics with
 * different partition counts are refused: the co-partitioning promise would
 * not hold.
 */
import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITION_ASSIGNER = 'DriftwatchCoPartitioned';
const VERSION = 1;

/**
 * memberId → topic → partitions. Every partition number in `partitionsByTopic`
 * goes to one member, for all topics at once.
 */
export function coPartitionedAssignment(
  memberIds: readonly string[],
  partitionsByTopic: ReadonlyMap<string, readonly number[]>,
): Map<string, Record<string, number[]>> {
  const counts = new Set([...partitionsByTopic.values()].map((partitions) => partitions.length));
  if (counts.size > 1) {
    const described = [...partitionsByTopic].map(([topic, partitions]) => `${topic}: ${partitions.length}`).join(', ');
    throw new Error(`co-partitioned topics need the same number of partitions (${described})`);
  }
  const members = [...memberIds].sort();
  const plan = new Map<string, Record<string, number[]>>(members.map((id) => [id, {}]));
  if (members.length === 0) return plan;
  const numbers = [...new Set([...partitionsByTopic.values()].flat())].sort((a, b) => a - b);
  numbers.forEach((partition, i) => {
    const assignment = plan.get(members[i % members.length]!)!;
    for (const [topic, partitions] of partitionsByTopic) {
      if (partitions.includes(partition)) (assignment[topic] ??= []).push(partition);
    }
  });
  return plan;
}

export const coPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITION_ASSIGNER,
  version: VERSION,
  async assign({ members, topics }) {
    const partitionsByTopic = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]));
    const plan = coPartitionedAssignment(members.map((m) => m.memberId), partitionsByTopic);
    return [...plan].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: CO_PARTITION_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.alloc(0) }) };
  },
});
