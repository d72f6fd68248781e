/**
 * `driftwatch run`: the whole pipeline in one process. A file source replays
 * processed rows through the same MonitoringPipeline the Kafka processor uses;
 * fired windows go to Postgres (the same writer as the sink) and to the
 * Prometheus gauges; health and metrics are served while it runs.
 */
import type { Config } from '../cli/config.js';
import { retrainSettingsOf } from '../cli/retrain-config.js';
import { concatFrames, requireColumn, type Frame } from './frame.js';
import type { ModelRunner } from './model/types.js';
import type { WindowOutput } from './pipeline.js';
import { pipelineOf } from './pipeline-config.js';
import { rowIdRange } from './window/lazy-row-ids.js';
import { EpisodeTracker } from './retrain/episode-tracker.js';
import type { RetrainRequest } from './retrain/request.js';
import type { PredictionRecord, WindowMetrics } from './results.js';
import type { MonitorSpec, ReferenceProfiles } from './window-metrics.js';
import { planReplay, replayBatches } from '../producer/replay-schedule.js';
import { PipelineMetrics } from '../sink/metrics/pipeline-metrics.js';

/** Where fired windows go; Postgres in production, anything in tests. */
export interface WindowSink {
  writeWindow(metrics: WindowMetrics, predictions: readonly PredictionRecord[]): Promise<void>;
  /** A drift episode reached retrain.consecutive_windows windows (sink/postgres/retrain.ts in production). */
  writeRetrainRequest?(request: RetrainRequest): Promise<void>;
}

export interface EmbeddedRunInput {
  readonly config: Config;
  readonly model: ModelRunner;
  readonly reference: ReferenceProfiles;
  /** The processed rows to replay (already read; see readCurrent). */
  readonly current: Frame;
  readonly sink: WindowSink;
  readonly metrics: PipelineMetrics;
  readonly from?: number;
  readonly to?: number;
  readonly batchSize?: number;
  readonly onProgress?: (rowsDone: number, rowsTotal: number) => void;
  readonly onWindow?: (output: WindowOutput) => void;
  readonly onRetrainRequest?: (request: RetrainRequest) => void;
  /** Stop early (Ctrl-C): fire what is open and return. */
  readonly signal?: AbortSignal;
}

export interface EmbeddedRunSummary {
  readonly rows: number;
  readonly rowsSkippedNoEventTime: number;
  readonly lateRows: number;
  readonly duplicateRows: number;
  readonly invalidRows: number;
  readonly labels: number;
  readonly windows: number;
  readonly windowRevisions: number;
  readonly driftedWindows: number;
  /** Drift episodes that raised a retrain request. */
  readonly retrainRequests: number;
  readonly seconds: number;
  readonly last?: WindowMetrics;
  readonly interrupted: boolean;
}


export async function runEmbedded(input: EmbeddedRunInput): Promise<EmbeddedRunSummary> {
  const started = performance.now();
  const { config, metrics } = input;
  const modelLabel = { model: config.model.name };
  const { pipeline, spec } = pipelineOf(config, input.model, input.reference, (seconds) => metrics.inferenceDuration.observe(modelLabel, seconds));
  const plan = planReplay(input.current, {
    eventTimeColumn: config.columns.event_time,
    from: input.from,
    to: input.to,
    labelDelay: config.window.label_delay,
  });
  const rowIds = requireColumn(plan.rows, config.columns.row_id).values as (string | null)[];
  const targets = requireColumn(plan.rows, config.columns.target).values;
  const total = plan.rows.rowCount;
  let done = 0;
  let labels = 0;
  let windows = 0;
  let revisions = 0;
  // The latest verdict per window: a re-fire replaces it, so count at the end.
  const datasetDriftByWindow = new Map<number, boolean>();
  const episodes = new EpisodeTracker({ consecutiveWindows: retrainSettingsOf(config).consecutiveWindows });
  let retrainRequests = 0;
  let last: WindowMetrics | undefined;
  let interrupted = false;

  const emit = async (outputs: WindowOutput[]) => {
    for (const output of outputs) {
      const closedAt = performance.now();
      await input.sink.writeWindow(output.metrics, predictionsOf(output, spec, config));
      metrics.recordWindow(output.metrics);
      metrics.windowCloseLatency.observe(modelLabel, (performance.now() - closedAt) / 1000);
      revisions++;
      if (output.metrics.revision === 1) windows++;
      datasetDriftByWindow.set(output.metrics.windowStart, output.metrics.drift.dataset_drift);
      last = output.metrics;
      input.onWindow?.(output);
      const request = episodes.observe(output.metrics);
      if (request) {
        await input.sink.writeRetrainRequest?.(request);
        retrainRequests++;
        input.onRetrainRequest?.(request);
      }
    }
  };

  for (const batch of replayBatches(plan, input.batchSize ?? 500)) {
    if (input.signal?.aborted) {
      interrupted = true;
      break;
    }
    if (batch.features.rowCount > 0) {
      const result = await pipeline.addFeatures(0, batch.features, { now: Date.now() });
      metrics.rowsProcessed.inc(modelLabel, result.accepted);
      if (result.late.rowCount > 0) metrics.lateRows.inc(modelLabel, result.late.rowCount);
      done += batch.features.rowCount;
    }
    if (batch.labelRows.length > 0) {
      const ids = Array.from(batch.labelRows, (i) => rowIds[i]!);
      const values = Array.from(batch.labelRows, (i) => targets[i]!);
      const eventTimes = Float64Array.from(batch.labelRows, (i) => plan.eventTimes[i]!);
      const joined = typeof values[0] === 'number'
        ? pipeline.addTargets(0, ids, Float64Array.from(values as number[]), { eventTimes })
        : pipeline.addTargets(0, ids, values as (string | null)[], { eventTimes });
      labels += joined.joined;
    }
    await emit(pipeline.advance(Date.now()));
    input.onProgress?.(done, total);
  }
  await emit(pipeline.finish());
  const stats = pipeline.operator.stats();
  return {
    rows: done,
    rowsSkippedNoEventTime: plan.missingEventTime,
    lateRows: stats.lateRows,
    duplicateRows: stats.duplicateRows,
    invalidRows: stats.invalidRows,
    labels,
    windows,
    windowRevisions: revisions,
    driftedWindows: [...datasetDriftByWindow.values()].filter(Boolean).length,
    retrainRequests,
    seconds: (performance.now() - started) / 1000,
    last,
    interrupted,
  };
}

/**
 * The window's scored rows with their ground truth so far, for the predictions
 * table: rows [start, end) of the fired frame (default all), so a large
 * window can be published a slice at a time.
 */
export function predictionsOf(output: WindowOutput, spec: MonitorSpec, config: Config, start = 0, end = output.fire.frame.rowCount): PredictionRecord[] {
  const { frame } = output.fire;
  const eventTimes = requireColumn(frame, config.columns.event_time).values as Float64Array;
  const predictions = requireColumn(frame, spec.predictionColumn).values as Float64Array;
  const target = requireColumn(frame, spec.targetColumn).values;
  const from = Math.max(0, start);
  const to = Math.min(end, frame.rowCount);
  // A slice of the ids only: a fired window builds its row id column lazily (window/lazy-row-ids.ts).
  const rowIds = rowIdRange(frame.columns, config.columns.row_id, from, to);
  const records: PredictionRecord[] = new Array(Math.max(0, to - from));
  for (let i = from; i < to; i++) {
    const t = target[i];
    const numericTarget = typeof t === 'number' ? (Number.isNaN(t) ? null : t) : t === null || t === undefined ? null : Number(t);
    records[i - from] = {
      model: spec.model,
      rowId: rowIds[i - from]!,
      eventTime: eventTimes[i]!,
      windowStart: output.fire.windowStart,
      prediction: predictions[i]!,
      label: spec.task === 'classification' ? labelOf(predictions[i]!, spec) : null,
      target: numericTarget !== null && Number.isFinite(numericTarget) ? numericTarget : null,
    };
  }
  return records;
}

function labelOf(probability: number, spec: MonitorSpec): string {
  return String(probability >= (spec.threshold ?? 0.5) ? spec.positiveLabel ?? 1 : spec.negativeLabel ?? 0);
}

/** Read and concatenate the configured current files. */
export async function readCurrent(files: readonly string[], read: (path: string) => Promise<Frame>): Promise<Frame> {
  const frames = await Promise.all(files.map((file) => read(file)));
  return concatFrames(frames, files);
}
