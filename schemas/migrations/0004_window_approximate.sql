-- Whether a window was approximate (config window.approximate): past above_rows
-- its numerical features were kept as quantile sketches, so their drift in
-- column_drift / dataset_drift is approximate, within the sketches' relative
-- accuracy α. The column holds that α; NULL means every number of the window
-- is exact, which is what the rows written before this migration are.
--
-- A new column on an existing table inherits the table's grants (schemas/roles.sql),
-- so the writer and reader roles need nothing more.
--
--   SELECT window_start, approximate_relative_accuracy IS NOT NULL AS approximate FROM windows …

ALTER TABLE windows
  ADD COLUMN approximate_relative_accuracy double precision
    CHECK (approximate_relative_accuracy > 0 AND approximate_relative_accuracy < 1);
