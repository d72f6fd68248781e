/**
 * Which window the "latest window" gauges show, per model. A window moves the
 * gauges only when it is at least as new as the one they show: a later
 * windowStart, or the same window at least as complete (see
 * compareWindowCompleteness). A replay of old windows (a new consumer group, a
 * restart from older offsets) therefore never moves them backwards.
 */
import type { WindowMetrics } from '../../processor/results.js';
import { compareWindowCompleteness } from '../postgres/writer.js';

type WindowState = Pick<WindowMetrics, 'windowStart' | 'rows' | 'labelledRows'>;

export class LatestWindows {
  private readonly latest = new Map<string, WindowState>();

  /** True when `metrics` is at least as new as the latest seen for its model; it then becomes the latest. */
  advance(metrics: WindowMetrics): boolean {
    const held = this.latest.get(metrics.model);
    if (held && (metrics.windowStart < held.windowStart || (metrics.windowStart === held.windowStart && compareWindowCompleteness(metrics, held) < 0))) {
      return false;
    }
    this.latest.set(metrics.model, { windowStart: metrics.windowStart, rows: metrics.rows, labelledRows: metrics.labelledRows });
    return true;
  }
}
