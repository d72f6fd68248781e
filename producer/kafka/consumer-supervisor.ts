/**
 * Keeping a consumer group member alive through a broker outage.
 *
 * kafkajs restarts a crashed consumer by itself only when the error that
 * crashed it is retriable. While the broker is down, re-joining the group
 * ends in "Failed to find group coordinator" (KafkaJSGroupCoordinatorNotFound,
 * non-retriable: kafkajs/src/cluster/index.js findGroupCoordinatorMetadata),
 * so after an outage longer than the client's retry budget (seconds) the
 * consumer stops for good while the process around it stays up, consuming
 * nothing. The supervisor restarts it — connect, run with the same settings
 * — with capped exponential backoff (1 s → 30 s) for as long as the cause is
 * the cluster being unreachable (broker-outage.ts). Any other crash goes to
 * `onGiveUp`; after `stop()` (the service shutting down) crashes are expected
 * and nothing is restarted.
 *
 * A restarted member re-reads from the group's committed offsets; the
 * services are built for that (the processor drops rows it already holds,
 * the sink's writes are idempotent upserts).
 */
import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { backoffDelayMs } from '../../sink/service/backoff.js';
import { isBrokerUnavailable } from './broker-outage.js';

/**
 * How every driftwatch consumer runs: one batch at a time, nothing resolved or
 * committed by kafkajs itself — the handler resolves and commits what it has
 * stored or published.
 */
export function manualBatches(eachBatch: (payload: EachBatchPayload) => Promise<void>): ConsumerRunConfig {
  return { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch };
}

export interface SupervisorOptions {
  readonly runConfig: ConsumerRunConfig;
  readonly log: Logger;
  /** A crash that a restart cannot cure (or a restart refused for such a reason). */
  readonly onGiveUp: (error: Error) => void;
  /** Masks secrets in error text before it is logged. */
  readonly scrub?: (text: string) => string;
  /** First and longest wait between restarts (ms); default 1 s and 30 s. */
  readonly initialMs?: number;
  readonly maxMs?: number;
}

export class ConsumerSupervisor {
  /** Restarts since the consumer last joined its group (the backoff's exponent). */
  private attempts = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly consumer: Consumer, private readonly options: SupervisorOptions) {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.attempts = 0;
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => this.onCrash(payload.error, payload.restart));
  }

  /** The first `run`; later ones are the supervisor's. */
  run(): Promise<void> {
    return this.consumer.run(this.options.runConfig);
  }

  /** The service is shutting down: no more restarts, a pending one cancelled (call before disconnecting). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onCrash(error: Error, kafkajsRestarts: boolean): void {
    const { log, onGiveUp } = this.options;
    const message = this.scrub(error.message);
    if (kafkajsRestarts || this.stopped) {
      log.warn({ err: message, restart: kafkajsRestarts }, 'Kafka consumer crashed');
      return;
    }
    if (!isBrokerUnavailable(error)) {
      log.error({ err: message }, 'Kafka consumer crashed; not a broker outage, so not restarting it');
      onGiveUp(error);
      return;
    }
    this.schedule(error);
  }

  private schedule(cause: Error): void {
    const { log, onGiveUp } = this.options;
    const delayMs = backoffDelayMs(this.attempts++, { initialMs: this.options.initialMs ?? 1000, maxMs: this.options.maxMs ?? 30_000 });
    log.warn({ err: this.scrub(cause.message), attempt: this.attempts, retryInMs: delayMs }, 'Kafka consumer stopped: brokers unreachable; restarting it');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      // A join that fails inside run() crashes again (and comes back to onCrash);
      // a connect that fails throws here.
      this.consumer.connect()
        .then(() => (this.stopped ? undefined : this.consumer.run(this.options.runConfig)))
        .catch((error: Error) => {
          if (this.stopped) return;
          if (isBrokerUnavailable(error)) this.schedule(error);
          else onGiveUp(error);
        });
    }, delayMs);
  }

  private scrub(text: string): string {
    return this.options.scrub ? this.options.scrub(text) : text;
  }
}
