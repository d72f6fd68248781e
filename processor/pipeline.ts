/**
 * The monitoring pipeline without its transport: score incoming rows with the
 * model, route them to event-time windows, join ground truth, and turn every
 * fired window into a WindowMetrics record. `driftwatch run` feeds it from
 * files, `driftwatch process` from Kafka; the windowing and metrics are this
 * one piece of code in both.
 */
import type { Column, Frame } from './frame.js';
import type { ModelOutput, ModelRunner } from './model/types.js';
import type { WindowMetrics } from './results.js';
import { WindowOperator, type AddRecordsResult, type AddTargetsResult, type FireEvent, type WindowConfigInput } from './window/index.js';
import { computeWindowMetrics, type MonitorSpec, type ReferenceProfiles } from './window-metrics.js';

export interface PipelineOptions {
  readonly spec: MonitorSpec;
  readonly reference: ReferenceProfiles;
  readonly model: ModelRunner;
  /** Window sizes and column names; the target column is spec.targetColumn. */
  readonly window: Omit<WindowConfigInput, 'targetColumn' | 'targetKind'>;
  readonly eventTimeColumn: string;
  readonly rowIdColumn: string;
  /** Called with the seconds one inference batch took (for metrics). */
  readonly onInference?: (seconds: number) => void;
}

export interface WindowOutput {
  readonly metrics: WindowMetrics;
  readonly fire: FireEvent;
}

export class MonitoringPipeline {
  readonly operator: WindowOperator;
  private readonly options: PipelineOptions;

  constructor(options: PipelineOptions) {
    this.options = options;
    const { spec } = options;
    this.operator = new WindowOperator({
      ...options.window,
      eventTimeColumn: options.eventTimeColumn,
      rowIdColumn: options.rowIdColumn,
      targetColumn: spec.targetColumn,
      targetKind: spec.task === 'regression' ? 'number' : targetKindOf(options.reference, spec.targetColumn),
    });
  }

  /** Score a batch of feature rows from one source partition and route them to windows. */
  async addFeatures(partition: number, features: Frame, options: { now: number; offsets?: ArrayLike<number> }): Promise<AddRecordsResult> {
    // Scored rows are published when their window fires (predictionsOf), with
    // the ground truth joined so far; nothing per row is built here.
    const scored = await this.score(features);
    return this.operator.addRecords(partition, scored.frame, options);
  }

  addTargets(
    partition: number,
    rowIds: ArrayLike<string | null>,
    targets: ArrayLike<number> | ArrayLike<string | null>,
    options: { eventTimes?: ArrayLike<number>; offsets?: ArrayLike<number> } = {},
  ): AddTargetsResult {
    return this.operator.addTargets(partition, rowIds, targets, options);
  }

  /** Fire what the watermark allows at processing time `now`. */
  advance(now: number): WindowOutput[] {
    return this.outputs(this.operator.advanceWatermark(now).fires);
  }

  /** End of a bounded input: every open window fires its last revision. */
  finish(): WindowOutput[] {
    return this.outputs(this.operator.finish().fires);
  }

  private outputs(fires: readonly FireEvent[]): WindowOutput[] {
    return fires.map((fire) => ({ fire, metrics: computeWindowMetrics(fire, this.options.reference, this.options.spec) }));
  }

  private async score(features: Frame): Promise<{ frame: Frame; output: ModelOutput }> {
    const { model, spec } = this.options;
    const started = process.hrtime.bigint();
    const output = await model.predict(features);
    this.options.onInference?.(Number(process.hrtime.bigint() - started) / 1e9);
    const columns = new Map<string, Column>(features.columns);
    columns.set(spec.predictionColumn, { kind: 'number', values: output.prediction });
    // Ground truth enters only through addTargets (it arrives late, by row id);
    // a target column riding along with the features would bypass the join.
    columns.delete(spec.targetColumn);
    return { frame: { rowCount: features.rowCount, columns }, output };
  }

}

function targetKindOf(reference: ReferenceProfiles, targetColumn: string): 'number' | 'string' {
  const profile = reference.get(targetColumn);
  return profile?.type === 'categorical' ? 'string' : 'number';
}
