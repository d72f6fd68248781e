/**
 * The retrain signal of one processor: the episode tracker set up from the
 * config and the topic its requests go to. The Kafka processor asks it, for
 * every fired window, for the message to publish (one call, one publish).
 */
import type { Message } from 'kafkajs';
import { retrainSettingsOf } from '../../cli/retrain-config.js';
import type { WindowMetrics } from '../results.js';
import { retrainMessage, retrainTopicBeside } from './codec.js';
import { EpisodeTracker } from './episode-tracker.js';

export class RetrainSignal {
  readonly topic: string;
  private readonly tracker: EpisodeTracker;

  constructor(config: object, windowMetricsTopic: string, now?: () => number) {
    this.topic = retrainTopicBeside(windowMetricsTopic);
    this.tracker = new EpisodeTracker({ consecutiveWindows: retrainSettingsOf(config).consecutiveWindows, now });
  }

  /** The `<prefix>.retrain` message when this window completes a new drift episode, else null. */
  messageFor(metrics: WindowMetrics): Message | null {
    const request = this.tracker.observe(metrics);
    return request ? retrainMessage(request) : null;
  }
}
