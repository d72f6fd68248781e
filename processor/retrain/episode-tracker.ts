/**
 * Drift episodes → retrain requests. Pure: no I/O, the clock is injected.
 *
 * An episode is a run of consecutive drifted windows of one model in
 * event-time order (ordered by window start). Consecutive means adjacent
 * among the windows that fired: a span with no rows has no window and neither
 * breaks nor extends an episode. When a run reaches `consecutiveWindows`
 * windows the tracker raises ONE request for it; the run's later windows join
 * the same episode and raise nothing. A window that is not drifted ends the
 * run, and the next drifted window may start a new episode.
 *
 * Windows re-fire (late rows within the allowed lateness, late labels): the
 * latest firing of a window replaces its earlier verdict, wherever it sits in
 * the order. A re-fire never raises a second request for an episode: a run
 * that holds any window already part of a raised episode IS that episode
 * (it may have grown or merged with another; it raised once). If a re-fire
 * clears the drift of a window inside a raised episode, the windows on either
 * side stay marked as raised, so the split does not raise again either.
 *
 * Memory: per model the latest `historyWindows` windows by start. A re-fire
 * of a window older than all of those is ignored (its episode, if any, was
 * decided long ago).
 *
 * Not kept across restarts: a restarted processor re-derives only its open
 * windows, so an episode in progress counts again from the first window it
 * fires; one raised before the restart may then be raised again with a later
 * episode start (the sink keys requests by model and episode start).
 */
import type { WindowMetrics } from '../results.js';
import { episodeWindowOf, retrainRequestOf, type EpisodeWindow, type RetrainRequest } from './request.js';

export interface EpisodeTrackerOptions {
  /** Drifted windows in a row that raise a request (≥ 1). */
  readonly consecutiveWindows: number;
  /** Windows remembered per model; default consecutiveWindows + 64. */
  readonly historyWindows?: number;
  /** Wall clock for `raisedAt` (epoch ms). */
  readonly now?: () => number;
}

interface TrackedWindow {
  readonly summary: EpisodeWindow;
  readonly drifted: boolean;
  /** Part of an episode that already raised its request. */
  raised: boolean;
}

export class EpisodeTracker {
  private readonly consecutiveWindows: number;
  private readonly historyWindows: number;
  private readonly now: () => number;
  /** Per model, windows ascending by start. */
  private readonly models = new Map<string, TrackedWindow[]>();

  constructor(options: EpisodeTrackerOptions) {
    const { consecutiveWindows } = options;
    if (!Number.isInteger(consecutiveWindows) || consecutiveWindows < 1) {
      throw new Error(`retrain.consecutive_windows must be a whole number ≥ 1, got ${consecutiveWindows}`);
    }
    this.consecutiveWindows = consecutiveWindows;
    this.historyWindows = Math.max(options.historyWindows ?? consecutiveWindows + 64, consecutiveWindows);
    this.now = options.now ?? Date.now;
  }

  /** A fired window (first firing or re-fire); returns the request it raises, if any. */
  observe(metrics: WindowMetrics): RetrainRequest | null {
    let windows = this.models.get(metrics.model);
    if (!windows) this.models.set(metrics.model, (windows = []));
    const index = this.place(windows, metrics);
    if (index === null) return null;
    const current = windows[index]!;
    if (!current.drifted) return null;
    let first = index;
    while (first > 0 && windows[first - 1]!.drifted) first--;
    let last = index;
    while (last < windows.length - 1 && windows[last + 1]!.drifted) last++;
    const run = windows.slice(first, last + 1);
    const alreadyRaised = run.some((window) => window.raised);
    if (alreadyRaised || run.length >= this.consecutiveWindows) {
      for (const window of run) window.raised = true;
    }
    if (alreadyRaised || run.length < this.consecutiveWindows) return null;
    return retrainRequestOf(metrics.model, run.map((window) => window.summary), this.consecutiveWindows, this.now());
  }

  /** Inserts or replaces the window; its index, or null when it is older than the history kept. */
  private place(windows: TrackedWindow[], metrics: WindowMetrics): number | null {
    const start = metrics.windowStart;
    let low = 0;
    let high = windows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (windows[middle]!.summary.windowStart < start) low = middle + 1;
      else high = middle;
    }
    const summary = episodeWindowOf(metrics);
    const drifted = metrics.drift.dataset_drift;
    const existing = windows[low];
    if (existing && existing.summary.windowStart === start) {
      windows[low] = { summary, drifted, raised: existing.raised };
      return low;
    }
    if (low === 0 && windows.length >= this.historyWindows) return null;
    windows.splice(low, 0, { summary, drifted, raised: false });
    if (windows.length <= this.historyWindows) return low;
    windows.shift();
    return low - 1;
  }
}
