/**
 * The health and metrics endpoints every long-running driftwatch process
 * serves: /healthz (the process is alive), /readyz (its dependencies answer),
 * /metrics (Prometheus text format). Nothing else is exposed, and readiness
 * output names checks and their state, never addresses or credentials.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** A named dependency check: resolves true when ready; may throw. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
  /** How long one check may take before it counts as not ready. */
  readonly checkTimeoutMs?: number;
}

export interface HealthServer {
  readonly app: FastifyInstance;
  /** The bound address, e.g. http://127.0.0.1:9464 (port 0 picks a free one). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const app = Fastify({ logger: false });
  app.register(healthRoutes, options);
  app.register(metricsRoute, { registry: options.registry });
  const address = await app.listen({ host: options.host, port: options.port });
  return { app, url: address, close: () => app.close() };
}

async function healthRoutes(app: FastifyInstance, options: HealthServerOptions): Promise<void> {
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.all(options.checks.map(async (c) => [c.name, await runCheck(c, timeoutMs)] as const));
    const ready = results.every(([, ok]) => ok);
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results.map(([n, ok]) => [n, ok ? 'ok' : 'failing'])) };
  });
}

async function metricsRoute(app: FastifyInstance, options: { registry: Registry }): Promise<void> {
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check.check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
