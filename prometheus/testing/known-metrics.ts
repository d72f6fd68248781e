/**
 * The metric names a PromQL expression of ours may read: what PipelineMetrics
 * exports, what the Kafka processor exports (listed here until it has a
 * registry of its own to read them from), the recording rules' outputs and
 * Prometheus' own series. Tests use it to catch a misspelt metric, which
 * PromQL would silently answer with an empty result.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';

export const PROMETHEUS_DIR = fileURLToPath(new URL('../', import.meta.url));

/** Read by the rules and dashboards, exported by the Kafka processor, not by PipelineMetrics. */
export const EXPORTED_ELSEWHERE: ReadonlyMap<string, string> = new Map([
  ['driftwatch_consumer_lag', 'gauge {topic, partition}: messages behind the end of each partition (processor)'],
  ['driftwatch_dlq_messages_total', 'counter {reason}: messages sent to <prefix>.dlq (processor)'],
  ['driftwatch_watermark_lag_seconds', 'gauge: wall clock minus watermark, seconds (processor)'],
  ['driftwatch_reference_model_quality', 'gauge {model, metric}: model quality on the reference data (processor)'],
]);

/** Series every Prometheus has: scrape health and the alert state. */
const PROMETHEUS_OWN = ['up', 'ALERTS', 'ALERTS_FOR_STATE'];

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
}

export function ruleFiles(): string[] {
  const dir = join(PROMETHEUS_DIR, 'rules');
  return readdirSync(dir).filter((f) => f.endsWith('.rules.yml')).map((f) => join(dir, f));
}

export function rulesOf(file: string): Rule[] {
  const doc = parseYaml(readFileSync(file, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((group) => group.rules);
}

/** Metric names PipelineMetrics exports (histograms with their _bucket/_sum/_count series). */
export function pipelineMetricNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of new PipelineMetrics().registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

export function knownMetricNames(): Set<string> {
  const recorded = ruleFiles().flatMap(rulesOf).flatMap((rule) => (rule.record ? [rule.record] : []));
  return new Set([...pipelineMetricNames(), ...EXPORTED_ELSEWHERE.keys(), ...recorded, ...PROMETHEUS_OWN]);
}

/** The driftwatch metric and recording-rule names an expression reads. */
export function driftwatchNamesIn(expr: string): string[] {
  return [...new Set(expr.match(/\bdriftwatch(?:_|:)[a-zA-Z0-9_:]+/g) ?? [])];
}
