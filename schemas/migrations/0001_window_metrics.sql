-- driftwatch public contract: one row set per fired window. Dashboards and users
-- query these tables, so names and meanings only change through a new migration.
--
-- Every per-window table is keyed by (model, window_start, …) so the sink writes
-- with INSERT … ON CONFLICT … DO UPDATE: a re-fired window replaces its rows and
-- never doubles them. `revision` is the firing that produced a row; the writer
-- refuses to overwrite a row with an older revision (late, reordered re-fires).
-- The primary keys lead with (model, window_start), so they also serve Grafana's
-- "this model, this time range" queries.

CREATE TABLE windows (
  model           text        NOT NULL,
  window_start    timestamptz NOT NULL,
  window_end      timestamptz NOT NULL,
  row_count       integer     NOT NULL CHECK (row_count >= 0),
  labelled_count  integer     NOT NULL CHECK (labelled_count >= 0),
  revision        integer     NOT NULL CHECK (revision >= 1),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start),
  CHECK (window_end > window_start)
);
-- "All models in this time range" (overview panels, retention jobs).
CREATE INDEX windows_time ON windows (window_start);

-- Feature, prediction and target drift share one shape; `kind` tells them apart.
CREATE TABLE column_drift (
  model            text             NOT NULL,
  window_start     timestamptz      NOT NULL,
  kind             text             NOT NULL CHECK (kind IN ('feature', 'prediction', 'target')),
  column_name      text             NOT NULL,
  column_type      text             NOT NULL CHECK (column_type IN ('numerical', 'categorical')),
  stattest         text             NOT NULL,
  -- p-value or distance, per the test; null when the column could not be tested.
  score            double precision,
  threshold        double precision NOT NULL,
  drift_detected   boolean          NOT NULL,
  -- The underlying statistic when it differs from the score (KS D, chi² …); may be 'Infinity'.
  statistic        double precision,
  reference_count  integer          NOT NULL,
  current_count    integer          NOT NULL,
  error            text,
  revision         integer          NOT NULL,
  updated_at       timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start, kind, column_name)
);
-- Per-feature panels: one column of one model over time.
CREATE INDEX column_drift_model_column_time ON column_drift (model, column_name, window_start);

CREATE TABLE dataset_drift (
  model                      text             NOT NULL,
  window_start               timestamptz      NOT NULL,
  number_of_columns          integer          NOT NULL,
  number_of_drifted_columns  integer          NOT NULL,
  share_of_drifted_columns   double precision NOT NULL,
  dataset_drift              boolean          NOT NULL,
  drift_share                double precision NOT NULL,
  revision                   integer          NOT NULL,
  updated_at                 timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start)
);

-- Long format (one row per metric) so a panel picks metrics with WHERE metric IN (…).
-- `task` keeps regression and classification metrics of the same name apart (count).
CREATE TABLE model_quality (
  model         text             NOT NULL,
  window_start  timestamptz      NOT NULL,
  task          text             NOT NULL CHECK (task IN ('regression', 'classification')),
  metric        text             NOT NULL,
  -- Null when the metric is undefined for the window (ROC AUC with one class …).
  value         double precision,
  revision      integer          NOT NULL,
  updated_at    timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start, task, metric)
);

-- The classification confusion matrix: matrix[i][j] = rows with actual labels[i]
-- predicted labels[j]. Kept whole as jsonb because its size depends on the labels.
CREATE TABLE confusion_matrix (
  model         text        NOT NULL,
  window_start  timestamptz NOT NULL,
  labels        jsonb       NOT NULL,
  matrix        jsonb       NOT NULL,
  revision      integer     NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start)
);

-- Per-column data quality of the window's rows.
CREATE TABLE data_quality (
  model               text             NOT NULL,
  window_start        timestamptz      NOT NULL,
  column_name         text             NOT NULL,
  missing_count       integer          NOT NULL,
  missing_share       double precision NOT NULL,
  -- Numerical columns only (outside the reference [min, max]); null for categorical.
  out_of_range_count  integer,
  out_of_range_share  double precision,
  -- Categorical columns only: categories never seen in the reference.
  unseen_count        integer          NOT NULL,
  unseen_values       jsonb            NOT NULL DEFAULT '[]'::jsonb,
  type_violations     integer          NOT NULL,
  revision            integer          NOT NULL,
  updated_at          timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start, column_name)
);
CREATE INDEX data_quality_model_column_time ON data_quality (model, column_name, window_start);

-- Dataset-level data quality of the window.
CREATE TABLE dataset_quality (
  model                    text             NOT NULL,
  window_start             timestamptz      NOT NULL,
  row_count                integer          NOT NULL,
  rows_with_missing        integer          NOT NULL,
  rows_with_missing_share  double precision NOT NULL,
  revision                 integer          NOT NULL,
  updated_at               timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, window_start)
);

-- One scored row. Keyed by (model, row_id): replaying a row replaces it.
CREATE TABLE predictions (
  model         text             NOT NULL,
  row_id        text             NOT NULL,
  event_time    timestamptz      NOT NULL,
  window_start  timestamptz      NOT NULL,
  prediction    double precision NOT NULL,
  label         text,
  -- Ground truth once joined (class labels as their numeric value), else null.
  target        double precision,
  updated_at    timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (model, row_id)
);
CREATE INDEX predictions_model_window ON predictions (model, window_start);
