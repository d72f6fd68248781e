/**
 * `driftwatch run`: the embedded pipeline (file source, embedded or given
 * Postgres, health and metrics endpoints) — a thin wrapper over
 * processor/embedded-run.ts.
 */
import { Command, InvalidArgumentError } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import Table from 'cli-table3';
import { loadConfig, type Config } from '../config.js';
import { parseDuration } from '../duration.js';
import { createLogger } from '../logger.js';
import { readCurrent, runEmbedded, type EmbeddedRunSummary, type WindowSink } from '../../processor/embedded-run.js';
import { loadOnnxModel } from '../../processor/model/onnx-runner.js';
import type { WindowOutput } from '../../processor/pipeline.js';
import { readTable } from '../../producer/io/index.js';
import { loadReference } from '../../producer/reference.js';
import { startHealthServer } from '../../sink/http/server.js';
import { PipelineMetrics, qualityValues } from '../../sink/metrics/pipeline-metrics.js';
import { openDatabase } from '../../sink/postgres/open.js';
import { writePredictions, writeWindow } from '../../sink/postgres/index.js';
import { writeRetrainRequest } from '../../sink/postgres/retrain.js';

interface RunOptions {
  config: string;
  from?: number;
  to?: number;
  window?: string;
  labelDelay?: string;
  json?: boolean;
  port?: number;
  progress: boolean;
}

export function register(program: Command): void {
  program
    .command('run')
    .description('Run the whole monitoring pipeline in one process over processed files: windows, predictions, drift, quality → Postgres')
    .requiredOption('--config <file>', 'driftwatch config (YAML or JSON)')
    .option('--from <time>', 'replay rows with event time ≥ this (ISO 8601)', isoTime)
    .option('--to <time>', 'replay rows with event time < this (ISO 8601)', isoTime)
    .option('--window <duration>', 'tumbling window size, overrides the config (e.g. 60m, 1d)')
    .option('--label-delay <duration>', 'ground truth arrives this much event time after its row (overrides the config)')
    .option('--json', 'print one JSON object per fired window on stdout')
    .option('--port <port>', 'port of /healthz, /readyz, /metrics (0 = any free port)', port)
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', `
Postgres: DATABASE_URL when set, else an embedded Postgres kept under database.embedded_dir.
Example:
  driftwatch run --config data/config.yaml --window 1d --json`)
    .action(async (options: RunOptions) => {
      const config = withOverrides(loadConfig(options.config), options);
      const summary = await runCommand(config, options);
      process.stderr.write(formatSummary(summary, config));
      if (summary.interrupted) process.exitCode = 130;
    });
}

interface RunSummary extends EmbeddedRunSummary {
  /** Windows whose stored result is approximate (window.approximate). */
  readonly approximateWindows: number;
}

async function runCommand(config: Config, options: RunOptions): Promise<RunSummary> {
  const log = createLogger('run');
  const model = await loadOnnxModel(config.model.path, {
    name: config.model.name,
    task: config.model.task,
    inputColumns: [...config.features.numerical, ...config.features.categorical],
  });
  const reference = await loadReference(config.reference.path);
  const current = await readCurrent(config.data.current, (file) => readTable(file));
  const database = await openDatabase(config.database, log);
  const metrics = new PipelineMetrics({ defaultMetrics: true });
  const server = await startHealthServer({
    host: config.server.host,
    port: options.port ?? config.server.port,
    registry: metrics.registry,
    checks: [{ name: 'postgres', check: database.ping }],
  });
  log.info({ url: server.url }, 'serving /healthz /readyz /metrics');
  const sink: WindowSink = {
    async writeWindow(window, predictions) {
      await writeWindow(database.pool, window);
      await writePredictions(database.pool, predictions);
    },
    async writeRetrainRequest(request) {
      await writeRetrainRequest(database.pool, request);
    },
  };
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const bar = options.progress && process.stderr.isTTY
    ? new SingleBar({ format: 'replay {bar} {percentage}% | {value}/{total} rows | {windows} windows | eta {eta}s', stream: process.stderr }, Presets.shades_classic)
    : undefined;
  let windows = 0;
  // A window only ever turns approximate (it gains rows), so one that did stays counted.
  const approximateWindows = new Set<number>();
  try {
    bar?.start(current.rowCount, 0, { windows });
    const summary = await runEmbedded({
      config,
      model,
      reference: reference.profiles,
      current,
      sink,
      metrics,
      from: options.from,
      to: options.to,
      signal: abort.signal,
      onProgress: (done) => bar?.update(done, { windows }),
      onWindow: (output) => {
        if (output.metrics.revision === 1) windows++;
        if (output.metrics.approximateRelativeAccuracy !== undefined) approximateWindows.add(output.metrics.windowStart);
        if (options.json) process.stdout.write(`${JSON.stringify(windowJson(output))}\n`);
      },
    });
    return { ...summary, approximateWindows: approximateWindows.size };
  } finally {
    bar?.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
    await model.close();
    await database.close();
  }
}

/** One line of `--json`: the window, its drift exactly as `driftwatch drift` prints it, its quality. */
export function windowJson(output: WindowOutput) {
  const { metrics } = output;
  return {
    window_start: new Date(metrics.windowStart).toISOString(),
    window_end: new Date(metrics.windowEnd).toISOString(),
    revision: metrics.revision,
    reason: output.fire.reason,
    rows: metrics.rows,
    labelled_rows: metrics.labelledRows,
    // null when exact, so every line has the same keys.
    approximate_relative_accuracy: metrics.approximateRelativeAccuracy ?? null,
    drift: metrics.drift,
    prediction_drift: metrics.predictionDrift,
    target_drift: metrics.targetDrift,
    quality: qualityValues(metrics),
    data_quality: metrics.dataQuality,
  };
}

function withOverrides(config: Config, options: RunOptions): Config {
  return {
    ...config,
    window: {
      ...config.window,
      ...(options.window ? { size: parseDuration(options.window, '--window') } : {}),
      ...(options.labelDelay ? { label_delay: parseDuration(options.labelDelay, '--label-delay') } : {}),
    },
  };
}

function formatSummary(summary: RunSummary, config: Config): string {
  const table = new Table({ style: { head: [], border: [] } });
  table.push(
    ['rows replayed', summary.rows],
    ['windows fired (revisions)', `${summary.windows} (${summary.windowRevisions})`],
    ['windows with dataset drift', summary.driftedWindows],
    ...(config.window.approximate ? [['approximate windows (sketched drift)', `${summary.approximateWindows} (α = ${config.window.approximate.relative_accuracy})`]] : []),
    ['retrain requests raised', summary.retrainRequests],
    ['labels joined', summary.labels],
    ['late rows (kept out)', summary.lateRows],
    ['duplicate / invalid rows', `${summary.duplicateRows} / ${summary.invalidRows}`],
    ['seconds', summary.seconds.toFixed(2)],
  );
  if (summary.last) {
    const approximate = summary.last.approximateRelativeAccuracy === undefined ? '' : ', approximate';
    table.push(['last window', `${new Date(summary.last.windowStart).toISOString()} (${summary.last.rows} rows${approximate})`]);
    table.push(['last drift share', summary.last.drift.share_of_drifted_columns.toFixed(3)]);
    for (const [metric, value] of Object.entries(qualityValues(summary.last))) table.push([`last ${metric}`, value.toPrecision(6)]);
  }
  const head = summary.interrupted ? 'interrupted — open windows were fired and stored' : `model ${config.model.name}`;
  return `${head}\n${table.toString()}\n`;
}

function isoTime(value: string): number {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time`);
  return t;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port`);
  return n;
}

