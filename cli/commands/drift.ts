/**
 * `driftwatch drift`: batch compare of two files, like one Evidently data
 * drift report. A thin wrapper: read two tables, call compareFrames, print.
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import { z } from 'zod';
import { compareFrames, inferColumnSpecs } from '../../processor/drift/compare.js';
import { getStatTest } from '../../processor/drift/registry.js';
import type { DatasetDriftResult } from '../../processor/drift/types.js';
import { readTable } from '../../producer/io/read-table.js';
import { driftOptionsOf, driftSection, parseConfigFile } from '../config.js';
import { UsageError } from '../errors.js';

export interface DriftCommandOptions {
  reference: string;
  current: string;
  columns?: string[];
  categorical?: string[];
  stattest?: string;
  threshold?: number;
  driftShare?: number;
  config?: string;
  format: 'json' | 'table';
  failOnDrift?: boolean;
}

export function register(program: Command): void {
  program
    .command('drift')
    .description('Compare a current data file with a reference file column by column (like an Evidently data drift report)')
    .requiredOption('-r, --reference <file>', 'reference data (CSV, Parquet or Arrow)')
    .requiredOption('-c, --current <file>', 'current data (CSV, Parquet or Arrow)')
    .option('--columns <list>', 'comma-separated columns to compare (default: every column of the reference)', list)
    .option('--categorical <list>', 'comma-separated columns to treat as categorical (default: numeric dtype → numerical, anything else categorical)', list)
    .option('--stattest <name>', 'stat test for every column (default: Evidently\'s automatic choice)')
    .option('--threshold <x>', 'drift threshold for every column (default: the test\'s own)', number)
    .option('--drift-share <x>', 'dataset drift when the share of drifted columns is at least this', number)
    .option('--config <file>', 'YAML/JSON with per-column choices: the `drift:` section of a driftwatch config')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--fail-on-drift', 'exit with code 3 when dataset drift is detected')
    .addHelpText('after', `
Examples:
  driftwatch drift -r data/flights/X_train.parquet -c data/flights/X_test.parquet --categorical origin,destination
  driftwatch drift -r ref.csv -c cur.csv --columns price,rooms --stattest psi --threshold 0.2 --format table

Exit codes: 0 done, 1 failed, 2 bad usage (missing file, unknown column or test), 3 drift (with --fail-on-drift).`)
    .action(async (options: DriftCommandOptions) => {
      const result = await runDrift(options);
      process.stdout.write(options.format === 'table' ? formatTable(result) : `${JSON.stringify(result)}\n`);
      for (const column of result.columns) {
        if (column.error) process.stderr.write(`driftwatch: column "${column.column}" not tested: ${column.error}\n`);
      }
      if (options.failOnDrift && result.dataset_drift) process.exitCode = 3;
    });
}

export async function runDrift(options: DriftCommandOptions): Promise<DatasetDriftResult> {
  for (const [label, file] of [['reference', options.reference], ['current', options.current]] as const) {
    if (!existsSync(file)) throw new UsageError(`${label} file not found: ${file}`);
  }
  const fileSection = options.config ? readDriftConfig(options.config) : driftSection.parse({});
  if (options.stattest) getStatTestOrUsage(options.stattest);
  const driftOptions = {
    ...driftOptionsOf(fileSection),
    ...(options.stattest !== undefined ? { stattest: options.stattest } : {}),
    ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
    ...(options.driftShare !== undefined ? { driftShare: options.driftShare } : {}),
  };
  const [reference, current] = await Promise.all([readTable(options.reference), readTable(options.current)]);
  const names = options.columns ?? [...reference.columns.keys()];
  for (const name of [...names, ...(options.categorical ?? [])]) {
    if (!reference.columns.has(name)) throw new UsageError(`column "${name}" not found in ${options.reference} (columns: ${[...reference.columns.keys()].join(', ')})`);
    if (!current.columns.has(name)) throw new UsageError(`column "${name}" not found in ${options.current} (columns: ${[...current.columns.keys()].join(', ')})`);
  }
  for (const name of Object.keys(driftOptions.perColumn ?? {})) {
    if (!names.includes(name)) throw new UsageError(`config ${options.config}: drift.columns names "${name}", which is not compared (columns: ${names.join(', ')})`);
  }
  const specs = inferColumnSpecs(reference, names, new Set(options.categorical ?? []));
  const result = compareFrames(reference, current, specs, driftOptions);
  const failed = result.columns.filter((c) => c.error);
  if (failed.length > 0 && failed.length === result.columns.length) {
    throw new UsageError(failed.map((c) => c.error).join('; '));
  }
  return result;
}

function readDriftConfig(path: string) {
  const wrapped = z.object({ drift: driftSection }).passthrough();
  const loose = parseConfigFile(path, z.record(z.string(), z.unknown()));
  return 'drift' in loose ? parseConfigFile(path, wrapped).drift : parseConfigFile(path, driftSection);
}

function getStatTestOrUsage(name: string) {
  try {
    return getStatTest(name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function list(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError(`"${value}" is not a number`);
  return parsed;
}

export function formatTable(result: DatasetDriftResult): string {
  const table = new Table({ head: ['column', 'type', 'stattest', 'score', 'threshold', 'drift'], style: { head: [], border: [] } });
  for (const c of result.columns) {
    table.push([c.column, c.type, c.stattest, c.score === null ? `error: ${c.error}` : formatScore(c.score), c.threshold, c.drift_detected ? 'DRIFT' : '-']);
  }
  const verdict = result.dataset_drift ? 'DATASET DRIFT' : 'no dataset drift';
  return `${table.toString()}\n${result.number_of_drifted_columns} of ${result.number_of_columns} columns drifted ` +
    `(share ${result.share_of_drifted_columns.toFixed(3)}, drift_share ${result.drift_share}): ${verdict}\n`;
}

function formatScore(score: number): string {
  return Math.abs(score) >= 1e-3 || score === 0 ? score.toFixed(4) : score.toExponential(3);
}
