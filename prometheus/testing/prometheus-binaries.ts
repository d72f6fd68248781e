/**
 * Test support for Debian's Prometheus tools (apt-get install prometheus):
 * find `promtool` / `prometheus` / `docker-compose` on PATH, run one with a
 * time limit, and start a throw-away Prometheus server on a loopback port.
 *
 * A missing tool fails the test in CI (CI=true: .ci/run must install it) and
 * skips it elsewhere, with the package to install named either way.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** The Debian package that ships each tool. */
const PACKAGE_OF = {
  promtool: 'prometheus', prometheus: 'prometheus', amtool: 'prometheus-alertmanager', 'docker-compose': 'docker-compose',
} as const;
export type ToolName = keyof typeof PACKAGE_OF;

/** The tool's absolute path, or null when it is not on PATH. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * The tool's path; when it is missing, throws in CI and skips the test
 * elsewhere (then returns null: the caller returns at once).
 */
export function requireTool(t: TestContext, name: ToolName): string | null {
  const found = findOnPath(name);
  if (found) return found;
  const message = `${name} is not on PATH: install Debian's "${PACKAGE_OF[name]}" package (apt-get install -y ${PACKAGE_OF[name]})`;
  if (process.env.CI) throw new Error(`${message}; .ci/run must install it`);
  t.skip(message);
  return null;
}

export interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a tool to completion (at most `timeoutMs`), feeding `input` on stdin. */
export function runTool(binary: string, args: readonly string[], options: { input?: string; cwd?: string; timeoutMs?: number } = {}): ToolRun {
  const result = spawnSync(binary, args, {
    input: options.input, cwd: options.cwd, encoding: 'utf8', timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error) throw new Error(`${binary} ${args.join(' ')}: ${result.error.message}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** What `${binary} ${args}` printed, for assertion messages. */
export function describeRun(binary: string, args: readonly string[], run: ToolRun): string {
  return `${binary} ${args.join(' ')} exited ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** A free TCP port on 127.0.0.1 (bound and released; Prometheus cannot listen on port 0 and tell us). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('could not read the port of a loopback socket');
  return address.port;
}

export interface PrometheusServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** An instant query through /api/v1/query; throws with Prometheus' error text when it is refused. */
  query(expr: string): Promise<PrometheusQueryResult>;
  stop(): Promise<void>;
}

export interface PrometheusQueryResult {
  readonly resultType: string;
  readonly result: unknown[];
  readonly warnings?: string[];
}

/**
 * Starts `prometheus` with the given config on a loopback port, its TSDB in
 * `storageDir`, and waits (at most `readyTimeoutMs`) until /-/ready answers.
 */
export async function startPrometheus(binary: string, options: { configFile: string; storageDir: string; readyTimeoutMs?: number }): Promise<PrometheusServer> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, [
    `--config.file=${options.configFile}`,
    `--storage.tsdb.path=${options.storageDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=1h',
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const stop = () => stopChild(child);
  try {
    await waitUntilReady(`${url}/-/ready`, child, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw new Error(`prometheus did not become ready on ${url}: ${(error as Error).message}\n${stderr}`);
  }
  return {
    url,
    stop,
    async query(expr: string) {
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await response.json()) as { status: string; data?: PrometheusQueryResult; errorType?: string; error?: string };
      if (body.status !== 'success' || !body.data) {
        throw new Error(`query refused (${response.status} ${body.errorType ?? ''}): ${body.error ?? 'no error text'}\n  ${expr}`);
      }
      return body.data;
    },
  };
}

async function waitUntilReady(readyUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

/** SIGTERM, then SIGKILL after 10 s: this process only, never by name. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
