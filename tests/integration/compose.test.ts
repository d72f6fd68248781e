/**
 * docker-compose.yml and the Dockerfile, without a Docker engine: Debian's
 * docker-compose (apt-get install docker-compose) validates and resolves the
 * compose file, and the resolved services are checked against the rest of the
 * repository (mounted files exist, Prometheus' compose targets name real
 * services and ports, the image's entrypoint is package.json's bin).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describeRun, requireTool, runTool } from '../../prometheus/testing/prometheus-binaries.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: (string | { host_ip?: string; published?: number | string })[];
  volumes?: (string | { type: string; source: string; target: string })[];
  environment?: Record<string, string>;
}

let resolved: { services: Record<string, Service> } | undefined;

/** The compose file as docker-compose resolves it (anchors merged, ${VAR:-default}s filled); run once. */
function resolvedCompose(binary: string): { services: Record<string, Service> } {
  if (resolved) return resolved;
  const args = ['-f', 'docker-compose.yml', '--profile', 'replay', 'config'];
  const run = runTool(binary, args, { cwd: REPO });
  assert.equal(run.code, 0, describeRun(binary, args, run));
  resolved = parseYaml(run.stdout) as { services: Record<string, Service> };
  return resolved;
}

test('docker-compose config -q accepts docker-compose.yml', (t) => {
  const binary = requireTool(t, 'docker-compose');
  if (!binary) return;
  const args = ['-f', 'docker-compose.yml', 'config', '-q'];
  const run = runTool(binary, args, { cwd: REPO });
  assert.equal(run.code, 0, describeRun(binary, args, run));
  assert.equal(run.stderr.trim(), '', describeRun(binary, args, run));
});

test('the stack has every service, health checks behind each depends_on, loopback-only ports', (t) => {
  const binary = requireTool(t, 'docker-compose');
  if (!binary) return;
  const { services } = resolvedCompose(binary);
  assert.deepEqual(Object.keys(services).sort(),
    ['alertmanager', 'grafana', 'kafka', 'postgres', 'processor', 'producer', 'prometheus', 'schema-registry', 'sink']);
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      assert.equal(condition, 'service_healthy', `${name} waits for ${dependency} to be healthy`);
      assert.ok(services[dependency]?.healthcheck, `${name} depends on ${dependency}, which has no healthcheck`);
    }
    for (const port of service.ports ?? []) {
      const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
      assert.equal(hostIp, '127.0.0.1', `${name} publishes ${JSON.stringify(port)} beyond loopback`);
    }
  }
  assert.deepEqual(services.processor?.command?.slice(0, 1), ['process']);
  assert.deepEqual(services.sink?.command?.slice(0, 1), ['sink']);
  assert.deepEqual(services.producer?.command?.slice(0, 1), ['produce']);
  assert.deepEqual(services.producer?.profiles, ['replay'], 'the producer runs only in the replay profile');
  assert.equal(services.processor?.profiles, undefined);
  assert.match(services.kafka?.environment?.KAFKA_PROCESS_ROLES ?? '', /broker,controller/, 'Kafka runs in KRaft mode');
});

test('every file the compose file mounts exists in the repository', (t) => {
  const binary = requireTool(t, 'docker-compose');
  if (!binary) return;
  const { services } = resolvedCompose(binary);
  const binds = Object.entries(services).flatMap(([name, service]) => (service.volumes ?? []).flatMap((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = ''] = volume.split(':');
      return source.startsWith('/') || source.startsWith('.') ? [{ name, source, target }] : [];
    }
    return volume.type === 'bind' ? [{ name, source: volume.source, target: volume.target }] : [];
  }));
  assert.ok(binds.length >= 6, `expected the config, rules and dashboards to be mounted, found ${binds.length} binds`);
  for (const { name, source, target } of binds) {
    if (target === '/app/data') continue; // the user's data folder; data/ may hold no config yet
    assert.ok(existsSync(source), `${name} mounts ${source}, which does not exist`);
  }
  const targets = binds.map((b) => b.target);
  for (const target of ['/etc/prometheus/prometheus.yml', '/etc/prometheus/rules', '/etc/prometheus/targets',
    '/etc/grafana/provisioning', '/var/lib/grafana/dashboards/driftwatch', '/etc/alertmanager/alertmanager.yml']) {
    assert.ok(targets.includes(target), `nothing is mounted at ${target}`);
  }
});

test("Prometheus' compose targets name compose services on the ports they listen on", (t) => {
  const binary = requireTool(t, 'docker-compose');
  if (!binary) return;
  const { services } = resolvedCompose(binary);
  const dir = join(REPO, 'prometheus', 'compose', 'targets');
  const expected = { processor: '9464', sink: '9465', alertmanager: '9093' } as const;
  for (const [service, port] of Object.entries(expected)) {
    const groups = parseYaml(readFileSync(join(dir, `${service}.yml`), 'utf8')) as { targets: string[] }[];
    assert.deepEqual(groups.flatMap((g) => g.targets), [`${service}:${port}`]);
    assert.ok(services[service], `no compose service ${service}`);
    if (service !== 'alertmanager') {
      assert.equal(services[service]?.environment?.DRIFTWATCH_SERVER_PORT, port, `${service} listens on ${port}`);
      assert.ok(JSON.stringify(services[service]?.healthcheck?.test).includes(`:${port}/readyz`), `${service}'s healthcheck asks :${port}/readyz`);
    }
  }
});

test('the Dockerfile is multi-stage, installs production deps only and runs as non-root the package bin', () => {
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));
  assert.ok(instructions.filter((l) => l.startsWith('FROM ')).length >= 2, 'multi-stage: at least two FROM');
  assert.match(dockerfile, /npm ci --omit=dev/);
  assert.match(dockerfile, /ONNXRUNTIME_NODE_INSTALL=skip/);
  const lastUser = instructions.filter((l) => l.startsWith('USER ')).at(-1);
  assert.ok(lastUser && !/\b(root|0)\b/.test(lastUser), `the final stage runs as ${lastUser ?? 'root'}`);
  const entrypoint = instructions.find((l) => l.startsWith('ENTRYPOINT '));
  const bin = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.driftwatch;
  assert.equal(entrypoint, `ENTRYPOINT ["node", "${bin?.replace(/^\.\//, '')}"]`);
  // What the image copies must not be excluded from the build context.
  const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const copied = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
  for (const path of copied) {
    assert.ok(existsSync(join(REPO, path)), `COPY ${path}: no such file`);
    assert.ok(!ignored.includes(path), `COPY ${path}, but .dockerignore excludes it`);
  }
});
