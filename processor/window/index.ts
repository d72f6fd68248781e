/** Event-time tumbling windows: assigner, watermarks, mergeable accumulators, label join, the operator. */
export { tumblingWindow, tumblingWindowStart, checkWindowSize, type TimeWindow } from './assigner.js';
export { PartitionWatermarks, type WatermarkStrategyConfig } from './watermark.js';
export { WindowAccumulator, type AccumulatorSchema, type LabelOutcome, type TargetKind } from './accumulator.js';
export { ApproximateWindow, SKETCHED_MISSING_COLUMN, encodeWindowFrame, type ApproximateConfig } from './approximate-window.js';
export { SketchedColumn, type SketchedColumnSpec, type SketchedQualityCounts } from './sketched-column.js';
export {
  PendingLabels,
  isLabelFinal,
  pendingLabelExpiry,
  type OrphanedLabels,
  type PendingLabel,
  type TargetValue,
} from './label-join.js';
export { decideWindow, type FireReason, type TriggerDecision, type WindowProgress } from './trigger.js';
export { resolveWindowConfig, DEFAULT_COLUMNS, type WindowConfig, type WindowConfigInput } from './config.js';
export {
  WindowOperator,
  type AddRecordsResult,
  type AddTargetsResult,
  type AdvanceResult,
  type FireEvent,
  type WindowOperatorStats,
} from './window-operator.js';
