/**
 * `driftwatch adapt`: X/y split files → processed_<name>.parquet with row_id
 * and a synthetic event_time. A thin wrapper over producer/adapt.ts.
 */
import { existsSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { adapt, DEFAULT_STEP_MS, type AdaptSummary, type SplitFiles } from '../../producer/adapt.js';
import { parseIsoTimestamp } from '../../producer/io/csv.js';
import { TableInputError } from '../../producer/io/errors.js';
import { formatDuration, parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';

interface AdaptCommandOptions {
  dir?: string;
  x?: string[];
  y?: string[];
  name?: string[];
  out: string;
  start?: string;
  step: string;
  seed?: string;
}

export function register(program: Command): void {
  program
    .command('adapt')
    .description('Join X and y split files, add row_id and a synthetic event_time, write processed_<name>.parquet files')
    .option('--dir <folder>', 'folder with X_<name>.<ext> and y_<name>.<ext> pairs (e.g. X_train.parquet, y_train.parquet)')
    .option('--x <file>', 'features file of one split (repeat with --y and --name for each split)', collect)
    .option('--y <file>', 'target file of the same split', collect)
    .option('--name <name>', 'split name: train, validation, test …', collect)
    .requiredOption('--out <folder>', 'output folder for processed_<name>.parquet')
    .option('--start <iso>', 'event time of the newest row (last row of test), ISO 8601; default now, truncated to the minute')
    .option('--step <duration>', 'time between consecutive rows: 30s, 1m, 1h …', formatDuration(DEFAULT_STEP_MS))
    .option('--seed <n>', 'make row ids reproducible (UUID v4 shaped, from a seeded generator)')
    .addHelpText('after', `
Time line: splits are laid out oldest first (train, validation, test; other names after test).
The last row of the last split gets --start and every earlier row one --step earlier.

Examples:
  driftwatch adapt --dir data/flights --out data/features --seed 42
  driftwatch adapt --x X_train.csv --y y_train.csv --name train --x X_test.csv --y y_test.csv --name test --out out --step 30s

Exit codes: 0 done, 1 failed (bad data: row counts or columns differ), 2 bad usage (missing file or option).`)
    .action(async (options: AdaptCommandOptions) => {
      const progress = (message: string) => process.stderr.write(`driftwatch adapt: ${message}\n`);
      const summary = await withUsageErrors(() =>
        adapt({
          ...inputsOf(options),
          outputDir: options.out,
          stepMs: parseDuration(options.step, '--step'),
          ...(options.start !== undefined ? { start: parseStart(options.start) } : {}),
          ...(options.seed !== undefined ? { seed: parseSeed(options.seed) } : {}),
          onProgress: progress,
        }),
      );
      process.stderr.write(`${summaryLine(summary, options.out)}\n`);
    });
}

function inputsOf(options: AdaptCommandOptions): { inputDir: string } | { splits: SplitFiles[] } {
  const { x = [], y = [], name: names = [] } = options;
  const explicit = x.length + y.length + names.length > 0;
  if (options.dir !== undefined && explicit) throw new UsageError('give either --dir or --x/--y/--name, not both');
  if (options.dir !== undefined) {
    if (!existsSync(options.dir) || !statSync(options.dir).isDirectory()) throw new UsageError(`input folder not found: ${options.dir}`);
    return { inputDir: options.dir };
  }
  if (!explicit) throw new UsageError('give --dir, or --x, --y and --name for each split');
  if (x.length !== y.length || x.length !== names.length) {
    throw new UsageError(`each split needs one --x, one --y and one --name (got ${x.length} --x, ${y.length} --y, ${names.length} --name)`);
  }
  const splits = names.map((name, i) => ({ name, x: x[i]!, y: y[i]! }));
  for (const split of splits) {
    for (const file of [split.x, split.y]) if (!existsSync(file)) throw new UsageError(`file not found: ${file} (split "${split.name}")`);
  }
  return { splits };
}

function summaryLine(summary: AdaptSummary, out: string): string {
  const rows = summary.splits.reduce((n, s) => n + s.rows, 0);
  const parts = summary.splits.map((s) => `${s.name} ${s.rows}`).join(', ');
  const first = summary.splits[0]!.firstEventTime;
  const range = Number.isNaN(first) ? '' : ` event_time ${new Date(first).toISOString()} … ${new Date(summary.start).toISOString()}`;
  return `driftwatch adapt: wrote ${rows} rows (${parts}) to ${out};${range}, step ${formatDuration(summary.stepMs)}`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseStart(text: string): number {
  const ms = parseIsoTimestamp(text.trim());
  if (ms === undefined) throw new UsageError(`--start: "${text}" is not an ISO 8601 time (e.g. 2024-05-01T00:00:00Z)`);
  return ms;
}

/** A seed is a whole number ≥ 0 (pure-rand seeds are 32-bit; larger values are folded by it). */
export function parseSeed(text: string, option = '--seed'): number {
  const seed = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`${option}: "${text}" is not a whole number ≥ 0`);
  return seed;
}

/**
 * Runs producer code, turning the reader's usage problems (missing file,
 * unsupported extension, unknown column) into UsageError (exit 2); other
 * failures keep exit 1.
 */
export async function withUsageErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TableInputError && error.isUsageProblem) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}
