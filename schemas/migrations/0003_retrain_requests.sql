-- Retrain requests: one row per drift episode of a model (processor/retrain/).
-- The processor raises a request when retrain.consecutive_windows windows in a
-- row (event-time order) show dataset drift and publishes it on
-- <prefix>.retrain; the sink (or `driftwatch run`) records it here.
--
-- Natural key (model, episode_start): episode_start is the start of the
-- episode's first drifted window. The writer inserts with ON CONFLICT DO
-- NOTHING, so a re-delivered message (a sink restart, a re-read batch) is a
-- no-op and the first raise of an episode is the one kept: a retraining job
-- polling this table starts once per episode.
--
-- (Version 0002 is left to the roles migration.)

CREATE TABLE retrain_requests (
  model                text        NOT NULL,
  episode_start        timestamptz NOT NULL,
  -- End of the last window in the request (the one that completed the run).
  last_window_end      timestamptz NOT NULL,
  window_count         integer     NOT NULL CHECK (window_count >= 1),
  -- retrain.consecutive_windows when it was raised.
  consecutive_windows  integer     NOT NULL CHECK (consecutive_windows >= 1),
  -- Every column that drifted in at least one of the windows, ascending.
  drifted_columns      text[]      NOT NULL,
  -- Per window: windowStart, windowEnd (epoch ms), shareOfDriftedColumns and
  -- driftedColumns [{column, stattest, score, threshold}], as on the topic.
  windows              jsonb       NOT NULL,
  -- Wall-clock time the processor raised it.
  raised_at            timestamptz NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, episode_start),
  CHECK (last_window_end > episode_start)
);
-- "Requests raised lately" (a retraining job's poll, a Grafana table).
CREATE INDEX retrain_requests_raised ON retrain_requests (raised_at);
