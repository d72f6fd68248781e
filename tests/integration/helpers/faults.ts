/**
 * The fault tests' own servers and probes. A fault test stops and starts its
 * servers, so it never touches the shared ones: it starts a private Kafka
 * (scripts/kafka-local.sh on free ports, its own folder) or a private Postgres
 * (sink-process.ts startLocalPostgres), stops it for a while, starts it again
 * on the same address.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { runProduce } from '../../../cli/commands/produce.js';
import { createKafka, kafkaSettingsFromEnv, type KafkaSettings } from '../../../producer/kafka/client.js';
import { createPool } from '../../../sink/postgres/pool.js';
import { makeTempDir } from '../postgres-test-db.js';
import { deleteTopicsWithPrefix, testLogger } from './kafka.js';
import { dumpTables, type ProcessorChild } from './pipeline-harness.js';
import type { SinkProcess } from './sink-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

export interface PrivateKafka {
  /** host:port for KAFKA_BROKERS. */
  readonly brokers: string;
  readonly settings: KafkaSettings;
  readonly kafka: ReturnType<typeof createKafka>;
  /** Stops the broker (SIGTERM, waits for its exit); the data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  close(): Promise<void>;
}

/**
 * A single-node broker of our own. Another process may take a free port
 * before the broker binds it: up to three port pairs are tried.
 */
export async function startPrivateKafka(label: string): Promise<PrivateKafka> {
  const home = await makeTempDir(`driftwatch-${label}-kafka-`);
  let env: NodeJS.ProcessEnv = {};
  const script = (command: string) => run('bash', [join(ROOT, 'scripts/kafka-local.sh'), command], { env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  let brokers = '';
  for (let attempt = 1; !brokers; attempt++) {
    const [port, controllerPort] = [await freePort(), await freePort()];
    env = { KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_HOME_DIR: join(home, 'broker'), KAFKA_HEAP: '384m' };
    try {
      brokers = (await script('start')).stdout.trim().split('\n').at(-1)!;
    } catch (error) {
      await script('stop').catch(() => undefined);
      await rm(join(home, 'broker'), { recursive: true, force: true });
      if (attempt >= 3) throw new Error(`scripts/kafka-local.sh start (private broker) failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
    }
  }
  const settings = kafkaSettingsFromEnv({ KAFKA_BROKERS: brokers });
  let running = true;
  return {
    brokers,
    settings,
    kafka: createKafka(settings, testLogger()),
    async stop() {
      await script('stop');
      running = false;
    },
    async start() {
      await script('start');
      running = true;
    },
    async close() {
      if (running) await script('stop').catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** Committed offsets of `groupId` per topic and partition (−1 where nothing is committed). */
export async function committedOffsets(admin: Admin, groupId: string, topics: readonly string[]): Promise<Map<string, Map<number, number>>> {
  const result = new Map<string, Map<number, number>>();
  for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
    result.set(topic, new Map(partitions.map((p) => [p.partition, Number(p.offset)])));
  }
  return result;
}

/** Resident set size of a process in bytes (Linux /proc), or undefined once it is gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Every table of two dumps equal, row for row; the message names the first difference. */
export function assertSameTables(
  assertEqual: (actual: unknown, expected: unknown, message: string) => void,
  actual: Readonly<Record<string, readonly Record<string, unknown>[]>>,
  expected: Readonly<Record<string, readonly Record<string, unknown>[]>>,
): void {
  for (const table of Object.keys(expected)) {
    const want = expected[table]!;
    const got = actual[table] ?? [];
    assertEqual(got.length, want.length, `${table}: ${got.length} rows through Kafka, ${want.length} from run`);
    for (let i = 0; i < want.length; i++) assertEqual(got[i], want[i], `${table} row ${i}`);
  }
}

/** `driftwatch produce` (its module) into the given brokers, the whole sample, at most `rate` rows/s; `endOfStream` closes every partition after it. */
export async function produceTo(config: string, prefix: string, brokers: string, rate: number, options: { endOfStream?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  await runProduce({
    config, topicPrefix: prefix, partitions: 3, replicationFactor: 1, batchSize: 500, compression: 'none', progress: false, rate, brokers,
    endOfStream: options.endOfStream ?? false,
  }, { logger: testLogger(), signal: options.signal });
}

type Tables = Awaited<ReturnType<typeof dumpTables>>;

/** Every result table of the `run` baseline's database and of the Kafka path's, for assertSameTables. */
export async function dumpBoth(baselineUrl: string, streamedUrl: string): Promise<{ baseline: Tables; streamed: Tables }> {
  const baselinePool = await createPool(baselineUrl);
  const streamedPool = await createPool(streamedUrl);
  try {
    return { baseline: await dumpTables(baselinePool), streamed: await dumpTables(streamedPool) };
  } finally {
    await Promise.all([baselinePool.end(), streamedPool.end()]);
  }
}

/**
 * What a fault test leaves running, stopped: the processor killed, the sink
 * continued (it may be frozen with SIGSTOP) and asked to stop, killed after
 * 20 s, the test's topics deleted. Servers and folders stay the caller's.
 */
export async function stopServices(services: { processor?: ProcessorChild; sink?: SinkProcess; admin?: Admin; prefix: string }): Promise<void> {
  services.processor?.child.kill('SIGKILL');
  const { sink, admin } = services;
  if (sink) {
    sink.child.kill('SIGCONT');
    sink.child.kill('SIGTERM');
    await Promise.race([sink.exited, delay(20_000)]);
    sink.child.kill('SIGKILL');
  }
  if (admin) {
    await deleteTopicsWithPrefix(admin, services.prefix).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
