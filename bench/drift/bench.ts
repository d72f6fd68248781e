/**
 * `npm run bench:drift`: driftwatch's drift engine against Evidently 0.7.21's
 * DataDriftPreset on the same Parquet files, both measured in this one run.
 *
 *   npm run bench:drift -- [--quick] [--repeat N] [--evidently-repeat N] [--no-pin]
 *
 * Per reference/current pair: Evidently's time is the best of N report runs
 * after a warm-up (bench/drift/evidently_bench.py, spawned here); ours is the
 * best of N `compareFrames` calls after a warm-up, on frames read once with
 * producer/io's readTable (reading is not timed on either side). The ratio is
 * on that full comparison (reference processed every call, as Evidently does);
 * "cached ref s" also times `driftAgainstProfiles` against reference profiles
 * built beforehand, the processor's per-window path. Both run on
 * one core: BLAS/OpenMP pools are pinned to one thread and, where `taskset`
 * exists, both processes are pinned to the same CPU. The drifted-column
 * verdicts of both engines must agree, or the bench exits with status 1.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import { readTable } from '../../producer/io/index.js';
import { compareFrames, driftAgainstProfiles, profileReference, type ColumnSpec } from '../../processor/drift/compare.js';
import type { Frame } from '../../processor/frame.js';
import type { DatasetDriftResult } from '../../processor/drift/types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(root, 'bench', 'out', 'drift');
const python = join(root, '.venv', 'bin', 'python');
const PIN_CPU = '0';

interface EvidentlyColumn {
  stattest: string;
  score: number | null;
  drift_detected: boolean;
}

interface EvidentlyPair {
  reference: string;
  current: string;
  reference_rows: number;
  current_rows: number;
  seconds: number;
  all_seconds: number[];
  columns: Record<string, EvidentlyColumn>;
}

interface PairResult {
  referenceRows: number;
  currentRows: number;
  evidentlySeconds: number;
  driftwatchSeconds: number;
  /** Against reference profiles built beforehand, as the processor does for every window. */
  cachedReferenceSeconds: number;
  ratio: number;
  verdictMismatches: string[];
  maxScoreRelativeDiff: number;
  driftedColumns: string[];
}

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    repeat: { type: 'string', default: '5' },
    'evidently-repeat': { type: 'string', default: '3' },
    'no-pin': { type: 'boolean', default: false },
  },
});

// Window sizes 1k to 1M (the issue's range) against both reference sizes.
const ALL_PAIRS: [string, string][] = [
  ['reference_5k', 'current_10k'],
  ['reference_5k', 'current_1k'],
  ['reference_5k', 'current_100k'],
  ['reference_50k', 'current_1k'],
  ['reference_50k', 'current_10k'],
  ['reference_50k', 'current_100k'],
  ['reference_50k', 'current_1m'],
];
const pairs = args.quick ? ALL_PAIRS.slice(0, 1) : ALL_PAIRS;
const pathOf = (name: string): string => join(dataDir, `${name}.parquet`);

function hasTaskset(): boolean {
  return !args['no-pin'] && spawnSync('taskset', ['--version']).status === 0;
}

function ensureData(): void {
  const missing = ALL_PAIRS.flat().filter((name) => !existsSync(pathOf(name)));
  if (missing.length === 0) return;
  console.error(`making benchmark data (${missing.join(', ')} missing) …`);
  const made = spawnSync(python, [join(root, 'bench', 'drift', 'make_data.py')], { stdio: 'inherit' });
  if (made.status !== 0) throw new Error('bench/drift/make_data.py failed');
}

async function runEvidently(pin: boolean): Promise<EvidentlyPair[]> {
  const script = join(root, 'bench', 'drift', 'evidently_bench.py');
  const pairArgs = pairs.map(([ref, cur]) => `${pathOf(ref)}:${pathOf(cur)}`);
  const command = pin ? 'taskset' : python;
  const commandArgs = [...(pin ? ['-c', PIN_CPU, python] : []), script, ...pairArgs, '--repeat', args['evidently-repeat']];
  const threads = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', NUMEXPR_NUM_THREADS: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env: { ...process.env, ...threads }, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`evidently_bench.py exited with ${code}`));
      try {
        resolve((JSON.parse(stdout) as { pairs: EvidentlyPair[] }).pairs);
      } catch (error) {
        reject(new Error(`evidently_bench.py printed no JSON: ${(error as Error).message}`));
      }
    });
  });
}

/** The columns and types the Python bench declares: num_* numerical, cat_* categorical. */
function specsOf(frame: Frame): ColumnSpec[] {
  return [...frame.columns.keys()].map((name) => ({ name, type: name.startsWith('cat_') ? 'categorical' : 'numerical' }));
}

function bestOf(repeat: number, run: () => DatasetDriftResult): { seconds: number; result: DatasetDriftResult } {
  let result = run(); // warm-up: JIT, lazy allocations
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = process.hrtime.bigint();
    result = run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return { seconds: best, result };
}

function compareVerdicts(ours: DatasetDriftResult, theirs: Record<string, EvidentlyColumn>): { mismatches: string[]; maxDiff: number } {
  const mismatches: string[] = [];
  let maxDiff = 0;
  for (const column of ours.columns) {
    const other = theirs[column.column];
    if (!other) {
      mismatches.push(`${column.column}: not in Evidently's report`);
      continue;
    }
    if (column.drift_detected !== other.drift_detected) {
      mismatches.push(`${column.column}: driftwatch ${column.drift_detected} (${column.stattest} ${column.score}), evidently ${other.drift_detected} (${other.stattest} ${other.score})`);
    }
    if (column.score !== null && other.score !== null && other.score !== 0) {
      maxDiff = Math.max(maxDiff, Math.abs(column.score - other.score) / Math.abs(other.score));
    }
  }
  return { mismatches, maxDiff };
}

async function main(): Promise<void> {
  ensureData();
  const pin = hasTaskset();
  if (pin) spawnSync('taskset', ['-a', '-cp', PIN_CPU, String(process.pid)], { stdio: 'ignore' });
  const repeat = Number(args.repeat);

  console.error(`timing Evidently on ${pairs.length} pair(s) (warm-up + best of ${args['evidently-repeat']}) …`);
  const evidently = await runEvidently(pin);

  const results: PairResult[] = [];
  for (const [index, [refName, curName]] of pairs.entries()) {
    const reference = await readTable(pathOf(refName));
    const current = await readTable(pathOf(curName));
    const specs = specsOf(reference);
    const { seconds, result } = bestOf(repeat, () => compareFrames(reference, current, specs));
    const profiles = profileReference(reference, specs);
    const cached = bestOf(repeat, () => driftAgainstProfiles(profiles, current, specs));
    const theirs = evidently[index]!;
    const { mismatches, maxDiff } = compareVerdicts(result, theirs.columns);
    results.push({
      referenceRows: reference.rowCount,
      currentRows: current.rowCount,
      evidentlySeconds: theirs.seconds,
      driftwatchSeconds: seconds,
      cachedReferenceSeconds: cached.seconds,
      ratio: theirs.seconds / seconds,
      verdictMismatches: mismatches,
      maxScoreRelativeDiff: maxDiff,
      driftedColumns: result.columns.filter((c) => c.drift_detected).map((c) => c.column),
    });
  }

  const table = new Table({
    head: ['reference rows', 'current rows', 'evidently s', 'driftwatch s', 'ratio', 'cached ref s', 'drifted (both)', 'verdicts'],
    style: { head: [], border: [] }, // plain text, so the table pastes into the README
  });
  for (const r of results) {
    table.push([
      r.referenceRows.toLocaleString('en'), r.currentRows.toLocaleString('en'),
      r.evidentlySeconds.toFixed(3), r.driftwatchSeconds.toFixed(4), `${r.ratio.toFixed(0)}×`, r.cachedReferenceSeconds.toFixed(4),
      `${r.driftedColumns.length}/25`, r.verdictMismatches.length === 0 ? 'same' : `${r.verdictMismatches.length} differ`,
    ]);
  }
  console.log(table.toString());
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}), Node ${process.version}, ${pin ? `pinned to CPU ${PIN_CPU}` : 'not pinned'}`;
  console.log(`machine: ${machine}`);
  console.log(`largest relative score difference: ${Math.max(...results.map((r) => r.maxScoreRelativeDiff)).toExponential(2)}`);
  mkdirSync(dataDir, { recursive: true });
  const out = join(dataDir, 'latest.json');
  writeFileSync(out, JSON.stringify({ machine, results }, null, 2));
  console.log(`details: ${relative(process.cwd(), out)}`);

  const mismatches = results.flatMap((r) => r.verdictMismatches);
  if (mismatches.length > 0) {
    console.error(`drift verdicts differ from Evidently:\n  ${mismatches.join('\n  ')}`);
    process.exitCode = 1;
  }
  const slow = results.filter((r) => r.ratio < 20);
  if (slow.length > 0) console.error(`below the 20× target on ${slow.length} size(s)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
