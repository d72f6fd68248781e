/**
 * Tumbling event-time window assigner (Flink: TumblingEventTimeWindows, offset 0).
 *
 * Windows are `[start, start + size)` in epoch milliseconds, aligned to the
 * epoch: start = floor(t / size) · size. An event exactly at a window's end
 * belongs to the next window. Negative times (before 1970) round towards −∞,
 * so t = −1 with size 10 lands in [−10, 0), not [0, 10).
 */

export interface TimeWindow {
  /** Epoch ms, inclusive. */
  readonly start: number;
  /** Epoch ms, exclusive. */
  readonly end: number;
}

/**
 * Start of the window holding `eventTime`. Computed with a remainder rather
 * than a division so integer inputs give an exact integer result even where
 * t / size would round (Flink's TimeWindow.getWindowStartWithOffset does the same).
 */
export function tumblingWindowStart(eventTime: number, size: number): number {
  const remainder = eventTime % size;
  return remainder < 0 ? eventTime - remainder - size : eventTime - remainder;
}

export function tumblingWindow(eventTime: number, size: number): TimeWindow {
  const start = tumblingWindowStart(eventTime, size);
  return { start, end: start + size };
}

/** A window size must be a positive, finite number of milliseconds. */
export function checkWindowSize(size: number): number {
  if (!Number.isFinite(size) || size <= 0) {
    throw new Error(`window size must be a positive number of milliseconds, got ${size}`);
  }
  return size;
}
