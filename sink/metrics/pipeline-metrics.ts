/**
 * Prometheus metrics of a driftwatch process, named by the conventions:
 * `driftwatch_` prefix, base units (seconds), `_total` for counters. Labels
 * stay bounded: model, feature (from the config, capped), metric name — never
 * a row id or a window start.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WindowMetrics } from '../../processor/results.js';

export interface PipelineMetricsOptions {
  /** Per-feature series are exported for at most this many features (the rest are in Postgres). */
  readonly maxFeatureLabels?: number;
  /** Export per-feature series only for these features, when given. */
  readonly featureAllowList?: readonly string[];
  readonly defaultMetrics?: boolean;
}

export class PipelineMetrics {
  readonly registry = new Registry();
  readonly rowsProcessed = new Counter({ name: 'driftwatch_rows_processed_total', help: 'Feature rows read and assigned to a window', labelNames: ['model'], registers: [this.registry] });
  readonly lateRows = new Counter({ name: 'driftwatch_late_rows_total', help: 'Rows that arrived after their window\'s allowed lateness and were kept out', labelNames: ['model'], registers: [this.registry] });
  readonly windowsClosed = new Counter({ name: 'driftwatch_windows_closed_total', help: 'Windows fired for the first time', labelNames: ['model'], registers: [this.registry] });
  readonly windowUpdates = new Counter({ name: 'driftwatch_window_updates_total', help: 'Re-firings of a window (late rows or late labels)', labelNames: ['model'], registers: [this.registry] });
  readonly datasetDriftShare = new Gauge({ name: 'driftwatch_dataset_drift_share', help: 'Share of drifted features in the latest window', labelNames: ['model'], registers: [this.registry] });
  readonly datasetDrift = new Gauge({ name: 'driftwatch_dataset_drift', help: '1 when the latest window shows dataset drift, else 0', labelNames: ['model'], registers: [this.registry] });
  readonly driftedFeatures = new Gauge({ name: 'driftwatch_drifted_features', help: 'Number of drifted features in the latest window', labelNames: ['model'], registers: [this.registry] });
  readonly featureDriftScore = new Gauge({ name: 'driftwatch_feature_drift_score', help: 'Drift score of a feature in the latest window (p-value or distance, see stattest)', labelNames: ['model', 'feature', 'stattest'], registers: [this.registry] });
  readonly featureDriftDetected = new Gauge({ name: 'driftwatch_feature_drift_detected', help: '1 when the feature drifted in the latest window', labelNames: ['model', 'feature'], registers: [this.registry] });
  readonly predictionDriftScore = new Gauge({ name: 'driftwatch_prediction_drift_score', help: 'Drift score of the predictions in the latest window', labelNames: ['model', 'stattest'], registers: [this.registry] });
  readonly predictionDriftDetected = new Gauge({ name: 'driftwatch_prediction_drift_detected', help: '1 when the predictions drifted in the latest window', labelNames: ['model'], registers: [this.registry] });
  readonly modelQuality = new Gauge({ name: 'driftwatch_model_quality', help: 'Model quality metric of the latest labelled window', labelNames: ['model', 'metric'], registers: [this.registry] });
  readonly labelledShare = new Gauge({ name: 'driftwatch_labelled_share', help: 'Share of rows with ground truth in the latest window', labelNames: ['model'], registers: [this.registry] });
  readonly lastWindowEnd = new Gauge({ name: 'driftwatch_last_window_end_timestamp_seconds', help: 'Event-time end of the latest fired window, as a Unix timestamp', labelNames: ['model'], registers: [this.registry] });
  readonly inferenceDuration = new Histogram({ name: 'driftwatch_inference_duration_seconds', help: 'Time of one model inference batch', labelNames: ['model'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [this.registry] });
  readonly windowCloseLatency = new Histogram({ name: 'driftwatch_window_close_latency_seconds', help: 'Time from a window\'s firing to its metrics being computed', labelNames: ['model'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30], registers: [this.registry] });

  // The Kafka processor's own series (driftwatch process).
  readonly consumerLag = new Gauge({ name: 'driftwatch_consumer_lag', help: 'Messages not yet consumed: high watermark minus the consumer position, per source partition', labelNames: ['topic', 'partition'], registers: [this.registry] });
  readonly dlqMessages = new Counter({ name: 'driftwatch_dlq_messages_total', help: 'Messages sent to the dead-letter topic, by kind of problem (the full reason is in the message header)', labelNames: ['reason'], registers: [this.registry] });
  readonly watermarkLag = new Gauge({ name: 'driftwatch_watermark_lag_seconds', help: 'Wall-clock time minus the event-time watermark', labelNames: ['model'], registers: [this.registry] });

  private readonly allowed: (feature: string, index: number) => boolean;

  constructor(options: PipelineMetricsOptions = {}) {
    const max = options.maxFeatureLabels ?? 50;
    const allow = options.featureAllowList ? new Set(options.featureAllowList) : undefined;
    this.allowed = (feature, index) => (allow ? allow.has(feature) : index < max);
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'driftwatch_process_' });
  }

  /** Update the latest-window gauges from one fired window. */
  recordWindow(window: WindowMetrics): void {
    const model = window.model;
    (window.revision === 1 ? this.windowsClosed : this.windowUpdates).inc({ model });
    this.datasetDriftShare.set({ model }, window.drift.share_of_drifted_columns);
    this.datasetDrift.set({ model }, window.drift.dataset_drift ? 1 : 0);
    this.driftedFeatures.set({ model }, window.drift.number_of_drifted_columns);
    this.lastWindowEnd.set({ model }, window.windowEnd / 1000);
    this.labelledShare.set({ model }, window.rows > 0 ? window.labelledRows / window.rows : 0);
    window.drift.columns.forEach((column, index) => {
      if (!this.allowed(column.column, index) || column.score === null) return;
      this.featureDriftScore.set({ model, feature: column.column, stattest: column.stattest }, column.score);
      this.featureDriftDetected.set({ model, feature: column.column }, column.drift_detected ? 1 : 0);
    });
    const prediction = window.predictionDrift;
    if (prediction && prediction.score !== null) {
      this.predictionDriftScore.set({ model, stattest: prediction.stattest }, prediction.score);
      this.predictionDriftDetected.set({ model }, prediction.drift_detected ? 1 : 0);
    }
    for (const [metric, value] of Object.entries(qualityValues(window))) {
      if (Number.isFinite(value)) this.modelQuality.set({ model, metric }, value);
    }
  }
}

/** The scalar quality metrics of a window, by name (regression or classification). */
export function qualityValues(window: WindowMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  const source = window.regression ?? window.classification;
  if (!source || source.count === 0) return out;
  for (const [name, value] of Object.entries(source)) {
    if (typeof value === 'number' && name !== 'count') out[name] = value;
  }
  return out;
}
