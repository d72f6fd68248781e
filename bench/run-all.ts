/**
 * `npm run bench`: every benchmark, each in its own process (so each one's
 * peak memory is its own), then one summary table.
 *
 *   npx tsx bench/run-all.ts [--quick] [--only drift,memory,approx,inference,partitioner,kafka-e2e,scale-out]
 *
 * --quick: about a minute — the drift bench on one size pair (skipped without
 * the Python venv), the memory bench on 200k rows, the sketch error on 100k
 * rows, inference over 50k rows per batch size, the Kafka benches skipped
 * (they need minutes: the full run's end to end produces and consumes all 3M
 * flights rows, ~10 minutes; the 1 vs 2 processors bench 1M; their --quick
 * arguments below are 100k rows, should they be let in). The Kafka benches are
 * skipped too when no broker answers at KAFKA_BROKERS (default
 * 127.0.0.1:19092, `npm run kafka:start`). Full figures and the
 * machine they were taken on: bench/README.md. Each bench's own table is
 * printed as it runs; machine-readable results go to bench/out/latest.json.
 */
import { spawnSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { benchOut, repoRoot } from './memory/paths.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const quick = args.quick!;
const only = args.only ? new Set(args.only.split(',')) : null;
mkdirSync(benchOut, { recursive: true });
const python = join(repoRoot, '.venv', 'bin', 'python');

interface Bench {
  readonly name: string;
  readonly script: string;
  readonly args: string[];
  /** Where its results land (it writes them itself). */
  readonly json: string;
  readonly skip?: string;
}

const outFile = (name: string): string => join(benchOut, `${name}.json`);
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const kafkaSkip = quick ? 'not in --quick (minutes of produce and consume)'
  : (await reachable(brokers)) ? undefined : `no Kafka broker answers at ${brokers} (npm run kafka:start)`;
const benches: Bench[] = [
  {
    name: 'drift',
    script: 'bench/drift/bench.ts',
    args: quick ? ['--quick', '--repeat', '3', '--evidently-repeat', '1'] : [],
    json: join(benchOut, 'drift', 'latest.json'),
    skip: existsSync(python) ? undefined : `no Python venv at ${python} (tools/requirements.txt)`,
  },
  {
    name: 'memory',
    script: 'bench/memory/window-1m.ts',
    args: [...(quick ? ['--rows', '200000'] : []), '--json', outFile('memory')],
    json: outFile('memory'),
  },
  {
    name: 'approx',
    script: 'bench/memory/approx-error.ts',
    args: [...(quick ? ['--sizes', '100000', '--alphas', '0.005'] : []), '--json', outFile('approx')],
    json: outFile('approx'),
  },
  {
    name: 'inference',
    script: 'bench/inference/bench.ts',
    args: [...(quick ? ['--rows', '50000'] : []), '--json', outFile('inference')],
    json: outFile('inference'),
  },
  {
    name: 'partitioner',
    script: 'bench/kafka/partitioner.ts',
    args: [...(quick ? ['--keys', '200000'] : []), '--json', outFile('partitioner')],
    json: outFile('partitioner'),
  },
  {
    name: 'kafka-e2e',
    script: 'bench/kafka/end-to-end.ts',
    // Full: every row (3M, the bench's default); a small count under --quick.
    args: [...(quick ? ['--rows', '100000'] : []), '--json', outFile('kafka-e2e')],
    json: outFile('kafka-e2e'),
    skip: kafkaSkip,
  },
  {
    name: 'scale-out',
    script: 'bench/kafka/scale-out.ts',
    args: [...(quick ? ['--rows', '100000'] : []), '--json', outFile('scale-out')],
    json: outFile('scale-out'),
    skip: kafkaSkip,
  },
];

const summary = new Table({ head: ['bench', 'status', 'seconds', 'headline'] });
const collected: Record<string, unknown> = {};
let failed = 0;
for (const bench of benches) {
  if (only && !only.has(bench.name)) continue;
  if (bench.skip) {
    summary.push([bench.name, 'skipped', '', bench.skip]);
    continue;
  }
  console.log(`\n=== ${bench.name}: tsx ${bench.script} ${bench.args.join(' ')}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', bench.script, ...bench.args], { cwd: repoRoot, stdio: 'inherit' });
  const seconds = (performance.now() - started) / 1000;
  const ok = run.status === 0;
  if (!ok) failed++;
  let results: unknown = null;
  try {
    results = JSON.parse(readFileSync(bench.json, 'utf8'));
  } catch {
    results = null;
  }
  collected[bench.name] = results;
  summary.push([bench.name, ok ? 'ok' : `exit ${run.status ?? run.signal}`, seconds.toFixed(1), ok ? headline(bench.name, results) : 'see its output above']);
}

console.log(`\n=== summary (${quick ? 'quick' : 'full'}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB, load ${loadavg()[0]!.toFixed(1)}, node ${process.version})`);
console.log(summary.toString());
writeFileSync(join(benchOut, 'latest.json'), JSON.stringify({ quick, node: process.version, at: new Date().toISOString(), results: collected }, null, 2));
process.exitCode = failed > 0 ? 1 : 0;

/** One line per bench for the summary: the figure the issue asks for. */
function headline(name: string, results: unknown): string {
  if (!results) return '';
  switch (name) {
    case 'drift': {
      const rows = (results as { results: { referenceRows: number; currentRows: number; ratio: number }[] }).results;
      return rows.map((r) => `${r.referenceRows / 1000}k×${r.currentRows / 1000}k ${r.ratio.toFixed(0)}× faster than evidently`).join('; ');
    }
    case 'memory': {
      const r = results as { rows: number; vmHwmMB: number; sampledPeakMB: number; limitMB: number };
      const peak = Number.isFinite(r.vmHwmMB) ? r.vmHwmMB : r.sampledPeakMB;
      return `${r.rows.toLocaleString()}-row window: peak RSS ${peak.toFixed(0)} MB (target < ${r.limitMB} MB at 1M rows)`;
    }
    case 'approx': {
      const rows = results as { rows: number; alpha: number; wasserstein: number; psi: number; ks: number }[];
      return rows.map((r) => `${r.rows / 1000}k α=${r.alpha}: max |ΔW| ${r.wasserstein.toExponential(1)}, |ΔPSI| ${r.psi.toExponential(1)}, |ΔD| ${r.ks.toExponential(1)}`).join('; ');
    }
    case 'inference': {
      const rows = results as { rows: number; rawMs: number; addFeaturesMs: number }[];
      return rows.map((r) => `${r.rows}: addFeatures/raw ${(r.addFeaturesMs / r.rawMs).toFixed(2)}`).join('; ');
    }
    case 'partitioner': {
      const r = results as { speedUp: number };
      return `key partitioner ${r.speedUp.toFixed(1)}× kafkajs' (same partitions)`;
    }
    case 'kafka-e2e': {
      const r = results as { bare: { rowsPerSecond: number }; processors: Record<string, { rowsPerSecond: number; ratio: number; peakRssMB: number }> };
      return Object.entries(r.processors).map(([mode, p]) => `${mode}: ${p.rowsPerSecond.toFixed(0)} rows/s, ${p.ratio.toFixed(2)} of bare kafkajs (${r.bare.rowsPerSecond.toFixed(0)}), peak ${p.peakRssMB.toFixed(0)} MB`).join('; ');
    }
    case 'scale-out': {
      const rows = (results as { results: { instances: number; rowsPerSecond: number }[] }).results;
      const one = rows.find((r) => r.instances === 1)?.rowsPerSecond;
      return rows.map((r) => `${r.instances}: ${r.rowsPerSecond.toFixed(0)} rows/s${one ? ` (${(r.rowsPerSecond / one).toFixed(2)}×)` : ''}`).join('; ');
    }
    default:
      return '';
  }
}

/** Whether the first broker accepts a TCP connection within 2 s. */
function reachable(list: string): Promise<boolean> {
  const [host, port] = list.split(',')[0]!.trim().split(':');
  return new Promise((resolve) => {
    const socket = createConnection({ host, port: Number(port) });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
