/**
 * A config → the MonitoringPipeline and its spec: one mapping of the window
 * and drift settings, shared by `driftwatch run` and `driftwatch process`.
 */
import type { Config } from '../cli/config.js';
import { driftOptionsOf, featureSpecs } from '../cli/config.js';
import { medianOf } from './drift/approx/window-sketch.js';
import type { ModelRunner } from './model/types.js';
import type { ApproximateConfig } from './window/approximate-window.js';
import { MonitoringPipeline } from './pipeline.js';
import type { MonitorSpec, ReferenceProfiles } from './window-metrics.js';

export function monitorSpecOf(config: Config, model: ModelRunner): MonitorSpec {
  return {
    model: config.model.name,
    task: config.model.task ?? model.task,
    features: featureSpecs(config),
    predictionColumn: config.columns.prediction,
    targetColumn: config.columns.target,
    drift: driftOptionsOf(config.drift),
    positiveLabel: config.model.positive_label ?? 1,
    negativeLabel: 0,
    threshold: config.model.threshold,
  };
}

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
      approximate: approximateConfigOf(config, reference),
    },
    onInference,
  });
  return { pipeline, spec };
}

/**
 * `window.approximate` → what the window operator and the scale-out merge
 * sketch: every numerical feature (never the event time, prediction or
 * target), centred on its reference median, with the reference range for the
 * out-of-range counts. Undefined when the setting is absent, or when there
 * is no numerical feature to sketch (the windows would stay exact anyway).
 */
export function approximateConfigOf(config: Config, reference: ReferenceProfiles): ApproximateConfig | undefined {
  const section = config.window.approximate;
  if (!section || config.features.numerical.length === 0) return undefined;
  return {
    aboveRows: section.above_rows,
    relativeAccuracy: section.relative_accuracy,
    columns: config.features.numerical.map((name) => {
      const profile = reference.get(name);
      if (!profile || profile.type !== 'numerical') throw new Error(`window.approximate: numerical feature "${name}" has no numerical reference profile`);
      return { name, center: medianOf(profile), referenceMin: profile.min, referenceMax: profile.max };
    }),
  };
}
