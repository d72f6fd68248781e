/**
 * A retrain request: what the processor publishes on `<prefix>.retrain` and
 * the sink stores in `retrain_requests`, once per drift episode (see
 * episode-tracker.ts). A plain record; the wire format is codec.ts.
 */
import type { WindowMetrics } from '../results.js';

/** A column that drifted in a window, with the test that said so. */
export interface DriftedColumn {
  readonly column: string;
  readonly stattest: string;
  /** p-value or distance, per the test; null when not finite. */
  readonly score: number | null;
  readonly threshold: number;
}

/** One drifted window of an episode. */
export interface EpisodeWindow {
  /** Epoch ms, inclusive. */
  readonly windowStart: number;
  /** Epoch ms, exclusive. */
  readonly windowEnd: number;
  readonly shareOfDriftedColumns: number;
  readonly driftedColumns: readonly DriftedColumn[];
}

export interface RetrainRequest {
  readonly model: string;
  /** Start of the episode's first drifted window (epoch ms): with `model`, the request's natural key. */
  readonly episodeStart: number;
  /** The consecutive drifted windows that raised it, in event-time order (at least `consecutiveWindows`). */
  readonly windows: readonly EpisodeWindow[];
  /** Every column that drifted in at least one of those windows, ascending. */
  readonly driftedColumns: readonly string[];
  /** The configured number of drifted windows in a row (retrain.consecutive_windows). */
  readonly consecutiveWindows: number;
  /** Wall-clock time the request was raised (epoch ms). */
  readonly raisedAt: number;
}

/** The part of a fired window an episode keeps. */
export function episodeWindowOf(metrics: WindowMetrics): EpisodeWindow {
  return {
    windowStart: metrics.windowStart,
    windowEnd: metrics.windowEnd,
    shareOfDriftedColumns: metrics.drift.share_of_drifted_columns,
    driftedColumns: metrics.drift.columns
      .filter((column) => column.drift_detected)
      .map((column) => ({
        column: column.column,
        stattest: column.stattest,
        score: column.score !== null && Number.isFinite(column.score) ? column.score : null,
        threshold: column.threshold,
      })),
  };
}

export function retrainRequestOf(model: string, windows: readonly EpisodeWindow[], consecutiveWindows: number, raisedAt: number): RetrainRequest {
  if (windows.length === 0) throw new Error(`retrain request of model ${model}: an episode has at least one window`);
  const columns = new Set<string>();
  for (const window of windows) for (const drifted of window.driftedColumns) columns.add(drifted.column);
  return {
    model,
    episodeStart: windows[0]!.windowStart,
    windows: [...windows],
    driftedColumns: [...columns].sort(),
    consecutiveWindows,
    raisedAt,
  };
}
