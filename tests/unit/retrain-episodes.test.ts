/**
 * The retrain episode tracker (processor/retrain/episode-tracker.ts): one
 * request per run of `consecutive_windows` drifted windows in event-time
 * order, none for re-fires, a new episode only after a clean window. The
 * expected requests are worked out by hand from that definition.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EpisodeTracker } from '../../processor/retrain/episode-tracker.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import type { WindowMetrics } from '../../processor/results.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-02-01T00:00:00Z');
const RAISED_AT = Date.parse('2026-03-01T12:00:00Z');

/** Window number `n` (hourly) of `model`; drifted windows have `month` (KS p 0.001) and `origin` (chi² p 0.02) drifted. */
function window(n: number, drifted: boolean, options: { model?: string; revision?: number } = {}): WindowMetrics {
  const columns = [
    { column: 'month', type: 'numerical' as const, stattest: 'ks', score: drifted ? 0.001 : 0.4, threshold: 0.05, drift_detected: drifted, reference_count: 100, current_count: 60 },
    { column: 'origin', type: 'categorical' as const, stattest: 'chisquare', score: drifted ? 0.02 : 0.7, threshold: 0.05, drift_detected: drifted, reference_count: 100, current_count: 60 },
    { column: 'distance', type: 'numerical' as const, stattest: 'ks', score: 0.5, threshold: 0.05, drift_detected: false, reference_count: 100, current_count: 60 },
  ];
  const drifts = columns.filter((c) => c.drift_detected).length;
  return {
    model: options.model ?? 'm', windowStart: T0 + n * HOUR, windowEnd: T0 + (n + 1) * HOUR, revision: options.revision ?? 1,
    rows: 60, labelledRows: 0,
    drift: { columns, number_of_columns: 3, number_of_drifted_columns: drifts, share_of_drifted_columns: drifts / 3, dataset_drift: drifts / 3 >= 0.5, drift_share: 0.5 },
    predictionDrift: null, targetDrift: null, regression: null, classification: null,
    dataQuality: { rows: 60, rows_with_missing: 0, rows_with_missing_share: 0, columns: [] },
  };
}

function tracker(consecutiveWindows = 3, historyWindows?: number): EpisodeTracker {
  return new EpisodeTracker({ consecutiveWindows, historyWindows, now: () => RAISED_AT });
}

/** Feeds windows in order; returns, per window, the episode start of the request it raised (or null). */
function feed(episodes: EpisodeTracker, windows: readonly WindowMetrics[]): (string | null)[] {
  return windows.map((w) => {
    const request = episodes.observe(w);
    return request ? new Date(request.episodeStart).toISOString() : null;
  });
}

const at = (n: number) => new Date(T0 + n * HOUR).toISOString();

test('three drifted windows in a row raise one request, on the third, with every window and column', () => {
  const episodes = tracker(3);
  const requests: RetrainRequest[] = [];
  for (const w of [window(0, false), window(1, true), window(2, true), window(3, true), window(4, true), window(5, true)]) {
    const request = episodes.observe(w);
    if (request) requests.push(request);
  }
  assert.equal(requests.length, 1);
  const [request] = requests;
  assert.deepEqual(request, {
    model: 'm',
    episodeStart: T0 + 1 * HOUR,
    windows: [1, 2, 3].map((n) => ({
      windowStart: T0 + n * HOUR, windowEnd: T0 + (n + 1) * HOUR, shareOfDriftedColumns: 2 / 3,
      driftedColumns: [
        { column: 'month', stattest: 'ks', score: 0.001, threshold: 0.05 },
        { column: 'origin', stattest: 'chisquare', score: 0.02, threshold: 0.05 },
      ],
    })),
    driftedColumns: ['month', 'origin'],
    consecutiveWindows: 3,
    raisedAt: RAISED_AT,
  });
});

test('a clean window ends the episode; the next run of three is a new episode', () => {
  const pattern = [true, true, true, true, false, true, true, false, true, true, true];
  const raised = feed(tracker(3), pattern.map((drifted, n) => window(n, drifted)));
  assert.deepEqual(raised, [null, null, at(0), null, null, null, null, null, null, null, at(8)]);
});

test('two drifted windows, a clean one, two drifted: no request (never three in a row)', () => {
  assert.deepEqual(feed(tracker(3), [true, true, false, true, true].map((d, n) => window(n, d))), [null, null, null, null, null]);
});

test('consecutive_windows 1: every episode raises on its first window', () => {
  assert.deepEqual(feed(tracker(1), [true, true, false, true].map((d, n) => window(n, d))), [at(0), null, null, at(3)]);
});

test('re-fires of windows in a raised episode (late labels, late rows) raise nothing', () => {
  const episodes = tracker(3);
  assert.deepEqual(feed(episodes, [0, 1, 2].map((n) => window(n, true))), [null, null, at(0)]);
  assert.deepEqual(feed(episodes, [0, 1, 2].map((n) => window(n, true, { revision: 2 }))), [null, null, null]);
  // The same windows again after a re-delivery, and the episode growing.
  assert.deepEqual(feed(episodes, [window(3, true), window(1, true, { revision: 3 }), window(4, true)]), [null, null, null]);
});

test('re-fires before the episode is complete count each window once', () => {
  const episodes = tracker(3);
  assert.deepEqual(feed(episodes, [window(0, true), window(0, true, { revision: 2 }), window(1, true), window(1, true, { revision: 2 })]), [null, null, null, null]);
  assert.deepEqual(feed(episodes, [window(2, true)]), [at(0)]);
});

test('event-time order, not arrival order: the request lists the windows by start', () => {
  const episodes = tracker(3);
  assert.deepEqual(feed(episodes, [window(2, true), window(0, true)]), [null, null]);
  const request = episodes.observe(window(1, true));
  assert.ok(request);
  assert.equal(request.episodeStart, T0);
  assert.deepEqual(request.windows.map((w) => w.windowStart), [0, 1, 2].map((n) => T0 + n * HOUR));
});

test('a span with no rows has no window: it neither breaks nor extends an episode', () => {
  // Hours 0, 1 and 3 drifted, hour 2 had no data: three drifted windows in a row.
  assert.deepEqual(feed(tracker(3), [window(0, true), window(1, true), window(3, true)]), [null, null, at(0)]);
});

test('a re-fire that turns a window drifted can complete an episode; one that clears it does not re-raise the halves', () => {
  const episodes = tracker(3);
  assert.deepEqual(feed(episodes, [window(0, true), window(1, false), window(2, true)]), [null, null, null]);
  assert.deepEqual(feed(episodes, [window(1, true, { revision: 2 })]), [at(0)]);
  // Late rows clear window 1 again, then both halves grow to three windows: still the one episode.
  assert.deepEqual(feed(episodes, [window(1, false, { revision: 3 }), window(3, true), window(4, true)]), [null, null, null]);
  // A clean window and three new drifted ones: a new episode.
  assert.deepEqual(feed(episodes, [window(5, false), window(6, true), window(7, true), window(8, true)]), [null, null, null, at(6)]);
});

test('models are tracked apart', () => {
  const episodes = tracker(2);
  const raised = feed(episodes, [window(0, true, { model: 'a' }), window(0, true, { model: 'b' }), window(1, false, { model: 'b' }), window(1, true, { model: 'a' })]);
  assert.deepEqual(raised, [null, null, null, at(0)]);
});

test('history is bounded: a re-fire older than every window kept is ignored', () => {
  const episodes = tracker(2, 4);
  assert.deepEqual(feed(episodes, [0, 1, 2, 3, 4, 5].map((n) => window(n, n >= 4))), [null, null, null, null, null, at(4)]);
  // Window 0 is forgotten: its re-fire changes nothing and raises nothing.
  assert.equal(episodes.observe(window(0, true, { revision: 2 })), null);
  assert.equal(episodes.observe(window(6, true)), null);
});

test('consecutive_windows must be a whole number ≥ 1', () => {
  assert.throws(() => tracker(0), /retrain\.consecutive_windows must be a whole number ≥ 1, got 0/);
  assert.throws(() => tracker(2.5), /got 2\.5/);
});
