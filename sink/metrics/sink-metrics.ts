/**
 * Metrics of `driftwatch sink` itself, next to the latest-window gauges of
 * PipelineMetrics and registered in the same registry. Labels stay bounded:
 * topic names (a handful per deployment) and a fixed list of outcomes.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class SinkMetrics {
  readonly invalidMessages: Counter<'topic'>;
  readonly recordsWritten: Counter<'topic' | 'outcome'>;
  readonly batchWriteDuration: Histogram<'topic'>;
  readonly databaseRetries: Counter;
  readonly databaseUp: Gauge;
  readonly lastCommitTime: Gauge<'topic'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.invalidMessages = new Counter({
      name: 'driftwatch_sink_invalid_messages_total',
      help: 'Messages the sink could not decode or store, sent to the dead-letter topic',
      labelNames: ['topic'], registers,
    });
    this.recordsWritten = new Counter({
      name: 'driftwatch_sink_records_total',
      help: 'Records taken from Kafka, by outcome: written, ignored (Postgres held a more complete window state), superseded (a more complete state of the window in the same batch), dead_letter',
      labelNames: ['topic', 'outcome'], registers,
    });
    this.batchWriteDuration = new Histogram({
      name: 'driftwatch_sink_batch_write_duration_seconds',
      help: 'Time to write one consumed batch to Postgres, retries included',
      labelNames: ['topic'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120], registers,
    });
    this.databaseRetries = new Counter({
      name: 'driftwatch_sink_database_retries_total',
      help: 'Failed Postgres writes that were retried after a backoff', registers,
    });
    this.databaseUp = new Gauge({
      name: 'driftwatch_sink_database_up',
      help: '1 while the last Postgres write (or connection attempt) succeeded, 0 while retrying', registers,
    });
    this.lastCommitTime = new Gauge({
      name: 'driftwatch_sink_last_commit_timestamp_seconds',
      help: 'Wall-clock time of the last offset commit (after the rows were in Postgres)',
      labelNames: ['topic'], registers,
    });
  }
}
