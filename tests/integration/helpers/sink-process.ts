/**
 * The moving parts of the sink tests: a Postgres of the test's own (the
 * scripts/postgres-local.sh server on a free port, so it can be stopped and
 * started on the same address) and the sink as a child process.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SINK_ENTRY = fileURLToPath(new URL('../../../cli/driftwatch.ts', import.meta.url));
const run = promisify(execFile);

export interface LocalPostgres {
  readonly url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes nothing (the folder is a temporary one the caller removes). */
  close(): Promise<void>;
}

/** Another process may take the free port before the server binds it: up to three ports are tried. */
export async function startLocalPostgres(dir: string): Promise<LocalPostgres> {
  let port = 0;
  const script = (command: string) => run('bash', [`${ROOT}scripts/postgres-local.sh`, command, dir], { env: { ...process.env, PORT: String(port) } });
  let url = '';
  for (let attempt = 1; !url; attempt++) {
    port = await freePort();
    try {
      url = (await script('start')).stdout.trim();
    } catch (error) {
      if (attempt >= 3) throw new Error(`scripts/postgres-local.sh start ${dir} failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`);
    }
  }
  let running = true;
  return {
    url,
    async stop() {
      await script('stop');
      running = false;
    },
    async start() {
      await script('start');
      running = true;
    },
    async close() {
      if (running) await script('stop');
    },
  };
}

export interface SinkProcess {
  readonly child: ChildProcess;
  readonly healthUrl: string;
  /** Everything written to stderr so far (the JSON logs). */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `wire`: the results' format, `--codec <mode>` plus its environment
 * (SCHEMA_REGISTRY_URL for Avro); without it the sink picks by the environment.
 */
export async function spawnSink(args: {
  config: string; prefix: string; groupId: string; databaseUrl: string; brokers: string; sessionTimeoutMs: number;
  wire?: { readonly mode: string; readonly env: NodeJS.ProcessEnv };
}): Promise<SinkProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SINK_ENTRY, 'sink', '--config', args.config, '--topic-prefix', args.prefix,
    '--group-id', args.groupId, '--port', String(port), '--partitions', '2', '--session-timeout', String(args.sessionTimeoutMs),
    ...(args.wire ? ['--codec', args.wire.mode] : [])], {
    cwd: ROOT,
    env: { ...process.env, ...args.wire?.env, DATABASE_URL: args.databaseUrl, KAFKA_BROKERS: args.brokers, DRIFTWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, healthUrl: `http://127.0.0.1:${port}`, log: () => stderr, exited };
}

export async function readyz(sink: SinkProcess): Promise<{ status: number; body: string }> {
  try {
    const response = await fetch(`${sink.healthUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, body: String(error) };
  }
}

export async function metricsText(sink: SinkProcess): Promise<string> {
  return (await fetch(`${sink.healthUrl}/metrics`)).text();
}

/** One sample of a Prometheus text exposition, e.g. sample(text, 'x_total', 'topic="a"'). */
export function sample(text: string, name: string, labels?: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name || (labels && !(match[2] ?? '').includes(labels))) continue;
    return Number(match[3]);
  }
  return undefined;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
