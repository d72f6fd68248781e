/**
 * The moving parts of the Kafka benches: the full flights data adapted and
 * replayed into topics of the bench's own, a bare kafkajs consumer as the
 * yardstick, and `driftwatch process` children whose throughput and peak RSS
 * are measured.
 *
 * Data: data/full (every row of flights-3m.parquet, from
 * `.venv/bin/python data/scripts/prepare_flights.py --full`) through
 * `driftwatch adapt` into bench/out/kafka/features (kept between runs).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { createKafka, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { ensureTopics, topicNames, type TopicNames } from '../../producer/kafka/topics.js';
import { partialsTopicOf } from '../../processor/scaleout/partial-messages.js';
import { benchOut, repoRoot } from '../memory/paths.js';

export const kafkaOut = join(benchOut, 'kafka');
const CLI = join(repoRoot, 'cli', 'driftwatch.ts');
const FEATURES_DIR = join(kafkaOut, 'features');

export function benchKafka(): Kafka {
  return createKafka(kafkaSettingsFromEnv(), pino({ level: 'silent' }));
}

/** data/full adapted once (25 s); the python step first when data/full is missing. */
export function ensureFullFeatures(): string {
  if (existsSync(join(FEATURES_DIR, 'processed_test.parquet'))) return FEATURES_DIR;
  if (!existsSync(join(repoRoot, 'data', 'full', 'X_test.parquet'))) {
    execFileSync(join(repoRoot, '.venv', 'bin', 'python'), ['data/scripts/prepare_flights.py', '--full'], { cwd: repoRoot, stdio: 'inherit' });
  }
  mkdirSync(FEATURES_DIR, { recursive: true });
  execFileSync(process.execPath, ['--import', 'tsx', CLI, 'adapt', '--dir', 'data/full', '--out', FEATURES_DIR, '--start', '2026-01-31T23:59:00Z', '--seed', '7'],
    { cwd: repoRoot, stdio: 'inherit' });
  return FEATURES_DIR;
}

/** data/config.yaml with absolute paths and every split of the full data as the replay. */
export function writeBenchConfig(features: string): string {
  mkdirSync(kafkaOut, { recursive: true });
  const path = join(kafkaOut, 'config.yaml');
  const base = readFileSync(join(repoRoot, 'data', 'config.yaml'), 'utf8')
    .replace('path: models/delay_regressor.onnx', `path: ${join(repoRoot, 'data', 'models', 'delay_regressor.onnx')}`)
    .replace('path: reference', `path: ${join(repoRoot, 'data', 'reference')}`)
    .replace(/current: \[[^\]]*\]/, `current: [${['train', 'validation', 'test'].map((s) => join(features, `processed_${s}.parquet`)).join(', ')}]`)
    .replace('embedded_dir: ../.driftwatch/pg', `embedded_dir: ${join(kafkaOut, 'pg')}`)
    .replace('port: 9464', 'port: 0');
  writeFileSync(path, base);
  return path;
}

export async function createBenchTopics(admin: Admin, prefix: string, partitions: number): Promise<TopicNames> {
  const topics = topicNames(prefix);
  await ensureTopics(admin, [...Object.values(topics), partialsTopicOf(prefix)], partitions, 1);
  return topics;
}

/**
 * `--rows` of a Kafka bench: a row count, or `all` (every row of the replay:
 * 3,000,000 flights rows from bench/out/kafka/features).
 */
export function parseRows(text: string): number | null {
  if (text === 'all') return null;
  const rows = Number(text);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows ${text}: expected a positive integer or "all"`);
  return rows;
}

/**
 * `driftwatch produce` of the first `rows` rows (every row when null), as
 * fast as it goes, with end-of-stream markers.
 */
export function produceRows(config: string, prefix: string, rows: number | null): { seconds: number } {
  const started = performance.now();
  execFileSync(process.execPath, ['--import', 'tsx', CLI, 'produce', '--config', config, '--topic-prefix', prefix, ...(rows === null ? [] : ['--limit', String(rows)]),
    '--batch-size', '5000', '--end-of-stream', '--no-progress'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  return { seconds: (performance.now() - started) / 1000 };
}

export async function topicMessages(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

export interface BareResult {
  readonly messages: number;
  /** Values parsed as JSON (0 unless asked). */
  readonly parsed: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
}

/**
 * A kafkajs consumer group reading `topics` from the beginning to their
 * current ends, doing nothing with the messages (or JSON.parse of each value
 * when `parse`): the most any kafkajs-based processor could do.
 */
export async function bareConsume(kafka: Kafka, admin: Admin, topics: readonly string[], groupId: string, parse = false): Promise<BareResult> {
  let expected = 0;
  for (const topic of topics) expected += await topicMessages(admin, topic);
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  let parsed = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        if (parse) for (const m of batch.messages) if (m.value && m.value.length > 0 && JSON.parse(m.value.toString()) !== null) parsed++;
        seen += batch.messages.length;
        last = performance.now();
        if (seen >= expected) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  const seconds = (last - first) / 1000;
  return { messages: seen, parsed, seconds, messagesPerSecond: seen / seconds };
}

export interface ProcessorRun {
  readonly exit: number | null;
  /** From the first 'partitions assigned' log line to the exit (wall clock). */
  readonly seconds: number;
  readonly peakRssMB: number;
  readonly summary: { rows: number; processingSeconds: number; windowRevisions: number; [key: string]: unknown } | null;
  readonly stderrTail: string;
}

/** `driftwatch process` (the CLI) until it exits at the end of stream; VmHWM read every 200 ms. */
export function runProcessor(args: { config: string; prefix: string; groupId: string; extra?: string[]; nodeArgs?: string[] }): Promise<ProcessorRun> {
  const child = spawn(process.execPath, [...(args.nodeArgs ?? []), '--import', 'tsx', CLI, 'process', '--config', args.config, '--topic-prefix', args.prefix,
    '--group-id', args.groupId, '--port', '0', '--exit-on-end-of-stream', '--session-timeout', '30000', ...(args.extra ?? [])], {
    cwd: repoRoot, env: { ...process.env, DRIFTWATCH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let assignedAt = 0;
  let peakKB = 0;
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
    if (assignedAt === 0 && stderr.includes('partitions assigned')) assignedAt = performance.now();
  });
  const sampler = setInterval(() => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKB = Math.max(peakKB, Number(match[1]));
    } catch {
      // exited
    }
  }, 200);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearInterval(sampler);
      const line = stdout.split('\n').find((l) => l.startsWith('{"processor"'));
      resolve({
        exit: code,
        seconds: (performance.now() - assignedAt) / 1000,
        peakRssMB: peakKB / 1024,
        summary: line ? JSON.parse(line).processor : null,
        stderrTail: stderr.slice(-3000),
      });
    });
  });
}

export function machine(): string {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? 'cpu';
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  return `${cpus}, ${(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm) ?? []).length} vCPUs, load ${load}, node ${process.version}`;
}
