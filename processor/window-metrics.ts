/**
 * Finalize a fired window: its rows (features, prediction, joined target)
 * against the reference profiles → one WindowMetrics record. Pure and
 * deterministic; `run`, the Kafka processor and the merge step all call it.
 */
import { sketchProfile } from './drift/approx/sketch-profile.js';
import { columnDrift, type DriftOptions } from './drift/column-drift.js';
import { driftAgainstProfiles, type ColumnSpec } from './drift/compare.js';
import { profileColumn } from './drift/profile.js';
import type { ColumnDriftResult, ColumnProfile } from './drift/types.js';
import { requireColumn, type Frame } from './frame.js';
import type { ModelTask } from './model/types.js';
import { classificationQuality, dataQuality, regressionQuality } from './quality/index.js';
import type { ClassificationQuality, RegressionQuality } from './quality/types.js';
import type { WindowMetrics } from './results.js';
import { SKETCHED_MISSING_COLUMN } from './window/approximate-window.js';
import type { SketchedColumn } from './window/sketched-column.js';

export interface MonitorSpec {
  readonly model: string;
  readonly task: ModelTask;
  readonly features: readonly ColumnSpec[];
  /** Column holding the model's output: value (regression) or positive-class probability (binary). */
  readonly predictionColumn: string;
  readonly targetColumn: string;
  readonly drift: DriftOptions;
  /** Binary classification: the positive label and the probability threshold. */
  readonly positiveLabel?: string | number;
  readonly negativeLabel?: string | number;
  readonly threshold?: number;
}

export interface FiredWindow {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly revision: number;
  readonly frame: Frame;
  /** An approximate window's sketched columns (absent from `frame`); see window/approximate-window.ts. */
  readonly sketches?: ReadonlyMap<string, SketchedColumn>;
}

/**
 * Reference profiles keyed by column name: every feature, and the prediction
 * and target columns when the reference holds them.
 */
export type ReferenceProfiles = ReadonlyMap<string, ColumnProfile>;

export function computeWindowMetrics(window: FiredWindow, reference: ReferenceProfiles, spec: MonitorSpec): WindowMetrics {
  const { frame, sketches } = window;
  const sketchedProfileOf = sketches && ((name: string) => {
    const sketched = sketches.get(name);
    return sketched && sketchProfile(sketched.sketch);
  });
  const drift = driftAgainstProfiles(reference, frame, spec.features, spec.drift, sketchedProfileOf);
  const target = requireColumn(frame, spec.targetColumn, `window ${new Date(window.windowStart).toISOString()}`);
  const labelledRows = countPresent(target.values);
  const relativeAccuracy = sketches && sketchRelativeAccuracy(sketches);
  return {
    model: spec.model,
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
    revision: window.revision,
    rows: frame.rowCount,
    labelledRows,
    drift,
    predictionDrift: outputDrift(frame, spec.predictionColumn, reference, spec.drift),
    targetDrift: labelledRows > 0 ? outputDrift(frame, spec.targetColumn, reference, spec.drift) : null,
    regression: spec.task === 'regression' && labelledRows > 0 ? regressionOf(frame, spec) : null,
    classification: spec.task === 'classification' && labelledRows > 0 ? classificationOf(frame, spec) : null,
    dataQuality: dataQuality(frame, spec.features, reference, sketches && {
      columns: sketches,
      rowMissing: requireColumn(frame, SKETCHED_MISSING_COLUMN).values as Float64Array,
    }),
    // Only when approximate: exact windows keep the shape they had before the field existed.
    ...(relativeAccuracy !== undefined && { approximateRelativeAccuracy: relativeAccuracy }),
  };
}

/**
 * The sketches' relative accuracy: one setting (`window.approximate`) builds
 * every sketched column, and sketches of another α refuse to merge. Undefined
 * when nothing is sketched (no numerical feature): the window is exact.
 */
function sketchRelativeAccuracy(sketches: ReadonlyMap<string, SketchedColumn>): number | undefined {
  for (const { sketch } of sketches.values()) return sketch.relativeAccuracy;
  return undefined;
}

/** Prediction or target drift: the same tests as features, typed by the reference profile. */
function outputDrift(frame: Frame, column: string, reference: ReferenceProfiles, options: DriftOptions): ColumnDriftResult | null {
  const referenceProfile = reference.get(column);
  if (!referenceProfile) return null;
  const current = profileColumn(requireColumn(frame, column), referenceProfile.type);
  return columnDrift(column, referenceProfile.type, referenceProfile, current, options);
}

function regressionOf(frame: Frame, spec: MonitorSpec): RegressionQuality {
  const target = requireColumn(frame, spec.targetColumn);
  const prediction = requireColumn(frame, spec.predictionColumn);
  if (target.kind === 'string' || prediction.kind === 'string') {
    throw new Error(`regression quality needs numeric "${spec.targetColumn}" and "${spec.predictionColumn}" columns`);
  }
  return regressionQuality(target.values, prediction.values);
}

function classificationOf(frame: Frame, spec: MonitorSpec): ClassificationQuality {
  const target = requireColumn(frame, spec.targetColumn);
  const prediction = requireColumn(frame, spec.predictionColumn);
  if (prediction.kind === 'string') {
    return classificationQuality({ target: labelsOf(target.values), predictedLabels: prediction.values });
  }
  return classificationQuality({
    target: labelsOf(target.values),
    positiveProbability: prediction.values,
    positiveLabel: spec.positiveLabel ?? 1,
    negativeLabel: spec.negativeLabel ?? 0,
    threshold: spec.threshold,
  });
}

/** Numeric targets with NaN for "not labelled yet" → labels with null. */
function labelsOf(values: Float64Array | (string | null)[]): (string | number | null)[] {
  return Array.from(values as ArrayLike<string | number | null>, (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
}

function countPresent(values: Float64Array | (string | null)[]): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isNaN(v))) count++;
  }
  return count;
}
