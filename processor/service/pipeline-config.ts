/**
 * The record layouts the Kafka decoders need, from the config; the pipeline
 * itself comes from processor/pipeline-config.ts, as for `driftwatch run`.
 */
import type { Config } from '../../cli/config.js';
import { featureSpecs } from '../../cli/config.js';
export { pipelineOf } from '../pipeline-config.js';
import type { FeatureLayout, TargetLayout } from '../../producer/codec/records.js';
import { MonitoringPipeline } from '../pipeline.js';


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
