/**
 * When a window fires, re-fires, and is purged (Flink: EventTimeTrigger with
 * allowed lateness, plus a label deadline for late ground truth). A pure
 * function of the window's progress and the watermark W:
 *
 * - W ≥ windowEnd: the window is complete and fires for the first time
 *   (reason 'watermark'; 'late-rows' if its only rows came after W had passed
 *   its end — a window that was empty when the watermark passed does not fire,
 *   since no rows means nothing to report, until a late row creates it);
 * - after firing, rows within the allowed lateness re-fire it ('late-rows'), as
 *   do newly joined labels ('labels'); each re-fire is a new revision that
 *   replaces the previous result;
 * - W ≥ windowEnd + labelTimeout: labels are final. If rows are still
 *   unlabelled and nothing else is firing, the window fires once more with
 *   'label-timeout' so consumers know quality is computed on what came in. A
 *   fully labelled window needs no such fire: its last revision is complete;
 * - W ≥ windowEnd + allowedLateness and labels final: the window is purged.
 *
 * Reasons name what changed, most significant first; `labelsFinal` on the
 * fire says whether more label updates can follow.
 */

export type FireReason = 'watermark' | 'late-rows' | 'labels' | 'label-timeout';

export interface WindowProgress {
  readonly windowEnd: number;
  /** Fires so far (0 = never fired). */
  readonly revision: number;
  /** Rows were added after the watermark had passed the window's end, since the last fire. */
  readonly lateRowsSinceFire: boolean;
  /** Labels were joined since the last fire. */
  readonly labelsSinceFire: boolean;
  /** A fire (or a decision not to fire) has already been made with labels final. */
  readonly labelTimeoutHandled: boolean;
  readonly unlabelledRows: number;
}

export interface TriggerBounds {
  readonly allowedLateness: number;
  readonly labelTimeout: number;
}

export interface TriggerDecision {
  readonly fire: FireReason | null;
  readonly labelsFinal: boolean;
  readonly purge: boolean;
}

const WAIT: TriggerDecision = { fire: null, labelsFinal: false, purge: false };

export function decideWindow(progress: WindowProgress, watermark: number, bounds: TriggerBounds): TriggerDecision {
  const { windowEnd } = progress;
  if (watermark < windowEnd) return WAIT;
  const labelsFinal = watermark >= windowEnd + bounds.labelTimeout;
  const purge = labelsFinal && watermark >= windowEnd + bounds.allowedLateness;
  return { fire: fireReason(progress, labelsFinal), labelsFinal, purge };
}

function fireReason(progress: WindowProgress, labelsFinal: boolean): FireReason | null {
  if (progress.revision === 0) return progress.lateRowsSinceFire ? 'late-rows' : 'watermark';
  if (progress.lateRowsSinceFire) return 'late-rows';
  if (progress.labelsSinceFire) return 'labels';
  if (labelsFinal && !progress.labelTimeoutHandled && progress.unlabelledRows > 0) return 'label-timeout';
  return null;
}
