/**
 * The MonitoringPipeline of a config — the same settings `driftwatch run`
 * builds (monitorSpecOf from embedded-run.ts), plus the record layouts the
 * Kafka decoders need.
 */
import type { Config } from '../../cli/config.js';
import { featureSpecs } from '../../cli/config.js';
import type { FeatureLayout, TargetLayout } from '../../producer/codec/records.js';
import { monitorSpecOf } from '../embedded-run.js';
import type { ModelRunner } from '../model/types.js';
import { MonitoringPipeline } from '../pipeline.js';
import type { MonitorSpec, ReferenceProfiles } from '../window-metrics.js';

export function pipelineOf(
  config: Config,
  model: ModelRunner,
  reference: ReferenceProfiles,
  onInference?: (seconds: number) => void,
): { pipeline: MonitoringPipeline; spec: MonitorSpec } {
  const spec = monitorSpecOf(config, model);
  const pipeline = new MonitoringPipeline({
    spec,
    reference,
    model,
    eventTimeColumn: config.columns.event_time,
    rowIdColumn: config.columns.row_id,
    window: {
      size: config.window.size,
      maxOutOfOrderness: config.window.max_out_of_orderness,
      allowedLateness: config.window.allowed_lateness,
      idleTimeout: config.window.idle_timeout,
      labelTimeout: config.window.label_timeout,
    },
    onInference,
  });
  return { pipeline, spec };
}

export function featureLayoutOf(config: Config): FeatureLayout {
  return { rowIdColumn: config.columns.row_id, eventTimeColumn: config.columns.event_time, features: featureSpecs(config) };
}

export function targetLayoutOf(config: Config, pipeline: MonitoringPipeline): TargetLayout {
  return {
    rowIdColumn: config.columns.row_id,
    eventTimeColumn: config.columns.event_time,
    targetColumn: config.columns.target,
    targetKind: pipeline.operator.config.targetKind,
  };
}
