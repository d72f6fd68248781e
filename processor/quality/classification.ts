/**
 * Classification quality of one window, as Evidently 0.7.21's
 * ClassificationQualityMetric + ClassificationConfusionMatrix compute it
 * (legacy/calculations/classification_performance.py: get_prediction_data,
 * calculate_metrics, calculate_matrix), with scikit-learn 1.9's formulas.
 *
 * Three input shapes (exactly one prediction field):
 * - predictedLabels: a label per row. Labels = sorted union of target and
 *   predicted labels. No probabilities: roc_auc and log_loss are null.
 * - positiveProbability: P(positiveLabel) per row, binary. Predicted label =
 *   positiveLabel when p ≥ threshold (inclusive, as Evidently), else
 *   negativeLabel. Probability columns are [p, 1 − p] for [positive, negative]
 *   (Evidently's two-column frame; 1 − p is computed in float64 like pandas).
 * - probabilities + classes: a row-major rows × classes.length matrix.
 *   Two classes: binary, thresholded on the positiveLabel column as above.
 *   More: the predicted label is the first class with the largest probability
 *   (pandas idxmax); threshold does not apply.
 *
 * Rows whose target or prediction is missing (null, undefined, NaN, ±inf; any
 * probability column non-finite) are dropped first (Evidently's _cleanup_data).
 * Labels compare by their text (1 and "1" are the same label); they sort
 * numerically when every label given is a number, else in string order.
 *
 * Metrics (n = kept rows):
 * - accuracy = matches / n.
 * - exactly two labels (labels mode: union of target and predictions; probability
 *   modes: the classes) → precision, recall, F1 of positiveLabel (default 1),
 *   0 on zero division (scikit-learn's zero_division="warn" value);
 *   otherwise macro averages over the labels present in target ∪ predictions
 *   (scikit-learn's unique_labels), 0 on zero division per class. So a window
 *   whose rows all carry one label reports that label's precision, as Evidently.
 * - roc_auc = mean over probability columns of the binary ROC AUC of
 *   (target == column class) against that column (Evidently binarises the target
 *   and calls roc_auc_score(average="macro")). scikit-learn gives NaN when any
 *   column's class is absent from (or is all of) the target; we return null.
 * - log_loss = mean over rows of −Σ_j y_ij · ln clip(p_ij, ε, 1 − ε), ε = float64
 *   machine epsilon, no renormalisation of rows (scikit-learn 1.9 `_log_loss`).
 *   Probabilities outside [0, 1] are an error, as in scikit-learn.
 * - confusion_matrix[i][j] = rows with actual labels[i] and predicted labels[j],
 *   labels sorted (Evidently's calculate_matrix).
 * Zero kept rows: count 0, NaN accuracy/precision/recall/F1, null AUC and loss.
 */
import type { ClassificationQuality } from './types.js';

export type ClassLabel = string | number;

export interface ClassificationInput {
  /** Actual labels, one per row. */
  readonly target: ArrayLike<ClassLabel | null | undefined>;
  readonly predictedLabels?: ArrayLike<ClassLabel | null | undefined>;
  /** Binary: probability of positiveLabel, one per row. */
  readonly positiveProbability?: ArrayLike<number>;
  /** Row-major matrix, rows × classes.length; requires classes. */
  readonly probabilities?: ArrayLike<number>;
  /** The class of each probabilities column, in column order. */
  readonly classes?: readonly ClassLabel[];
  /** Default 1 (Evidently's pos_label default). */
  readonly positiveLabel?: ClassLabel;
  /** Only with positiveProbability; default 0. */
  readonly negativeLabel?: ClassLabel;
  /** Binary only; default 0.5. */
  readonly threshold?: number;
}

export const DEFAULT_PROBABILITY_THRESHOLD = 0.5;
const FLOAT64_EPSILON = 2.220446049250313e-16;

/** Kept rows: label keys, and for probability modes the probability columns. */
interface PreparedRows {
  readonly actual: string[];
  readonly predicted: string[];
  /** Evidently's prediction.labels: the classes of a probability model, else null. */
  readonly classes: string[] | null;
  /** columns[j][r] = probability of classes[j] on kept row r. */
  readonly columns: Float64Array[] | null;
}

export function classificationQuality(input: ClassificationInput): ClassificationQuality {
  const numericLabels = { all: true };
  const key = (label: ClassLabel): string => {
    if (typeof label !== 'number') numericLabels.all = false;
    return String(label);
  };
  const positive = key(input.positiveLabel ?? 1);
  const rows = prepareRows(input, key, positive);
  const n = rows.actual.length;
  const labelSet = rows.classes ? new Set(rows.classes) : new Set([...rows.actual, ...rows.predicted]);
  const labels = [...labelSet].sort(numericLabels.all ? (a, b) => Number(a) - Number(b) : undefined);

  const matrix = labels.map(() => labels.map(() => 0));
  const position = new Map(labels.map((label, i) => [label, i]));
  let matches = 0;
  for (let r = 0; r < n; r++) {
    if (rows.actual[r] === rows.predicted[r]) matches++;
    matrix[position.get(rows.actual[r]!)!]![position.get(rows.predicted[r]!)!]! += 1;
  }

  let scores: { precision: number; recall: number; f1: number };
  if (n === 0) scores = { precision: NaN, recall: NaN, f1: NaN };
  else if (labels.length === 2) {
    if (!labelSet.has(positive)) {
      throw new Error(`classification quality: positive label "${positive}" is not one of the labels ${labels.join(', ')}; set positiveLabel`);
    }
    scores = classScores(rows.actual, rows.predicted, positive);
  } else {
    const present = new Set([...rows.actual, ...rows.predicted]);
    const perClass = [...present].map((label) => classScores(rows.actual, rows.predicted, label));
    const average = (pick: (s: (typeof perClass)[number]) => number) =>
      perClass.reduce((sum, s) => sum + pick(s), 0) / perClass.length;
    scores = { precision: average((s) => s.precision), recall: average((s) => s.recall), f1: average((s) => s.f1) };
  }

  let rocAuc: number | null = null;
  let logLoss: number | null = null;
  if (rows.classes && rows.columns && n > 0) {
    const classes = rows.classes;
    const columns = rows.columns;
    const indicators = classes.map((c) => rows.actual.map((a) => a === c));
    const aucs = columns.map((column, j) => binaryRocAuc(indicators[j]!, column));
    rocAuc = aucs.some((a) => a === null) ? null : aucs.reduce<number>((s, a) => s + a!, 0) / aucs.length;
    let total = 0;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < columns.length; j++) {
        if (indicators[j]![r]) total -= Math.log(Math.min(Math.max(columns[j]![r]!, FLOAT64_EPSILON), 1 - FLOAT64_EPSILON));
      }
    }
    logLoss = total / n;
  }

  return {
    count: n,
    accuracy: n > 0 ? matches / n : NaN,
    precision: scores.precision,
    recall: scores.recall,
    f1: scores.f1,
    roc_auc: rocAuc,
    log_loss: logLoss,
    labels,
    confusion_matrix: matrix,
  };
}

function isMissingLabel(label: ClassLabel | null | undefined): label is null | undefined {
  return label === null || label === undefined || (typeof label === 'number' && !Number.isFinite(label));
}

function prepareRows(input: ClassificationInput, key: (label: ClassLabel) => string, positive: string): PreparedRows {
  const { target } = input;
  const given = [input.predictedLabels, input.positiveProbability, input.probabilities].filter((p) => p !== undefined);
  if (given.length !== 1) {
    throw new Error('classification quality: give exactly one of predictedLabels, positiveProbability, probabilities');
  }
  const threshold = input.threshold ?? DEFAULT_PROBABILITY_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new Error(`classification quality: threshold ${threshold} is not in [0, 1]`);

  if (input.predictedLabels) {
    const predictedLabels = input.predictedLabels;
    requireRows(predictedLabels.length, target.length, 'predictedLabels');
    const actual: string[] = [];
    const predicted: string[] = [];
    for (let i = 0; i < target.length; i++) {
      const t = target[i];
      const p = predictedLabels[i];
      if (isMissingLabel(t) || isMissingLabel(p)) continue;
      actual.push(key(t));
      predicted.push(key(p));
    }
    return { actual, predicted, classes: null, columns: null };
  }

  let classes: string[];
  let width: number;
  let probabilityAt: (row: number, column: number) => number;
  if (input.positiveProbability) {
    const p = input.positiveProbability;
    requireRows(p.length, target.length, 'positiveProbability');
    classes = [positive, key(input.negativeLabel ?? 0)];
    width = 2;
    probabilityAt = (row, column) => (column === 0 ? p[row]! : 1.0 - p[row]!);
  } else {
    if (!input.classes || input.classes.length < 2) {
      throw new Error('classification quality: probabilities need classes (at least two, one per column)');
    }
    const matrix = input.probabilities!;
    classes = input.classes.map(key);
    width = classes.length;
    requireRows(matrix.length, target.length * width, `probabilities (rows × ${width} classes)`);
    probabilityAt = (row, column) => matrix[row * width + column]!;
  }
  if (new Set(classes).size !== classes.length) throw new Error(`classification quality: duplicate classes ${classes.join(', ')}`);
  const classIndex = new Map(classes.map((c, j) => [c, j]));
  const positiveColumn = classIndex.get(positive);
  if (width === 2 && positiveColumn === undefined) {
    throw new Error(`classification quality: positive label "${positive}" is not one of the classes ${classes.join(', ')}`);
  }

  const actual: string[] = [];
  const predicted: string[] = [];
  const keptRows: number[] = [];
  rows: for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (isMissingLabel(t)) continue;
    for (let j = 0; j < width; j++) {
      const p = probabilityAt(i, j);
      if (!Number.isFinite(p)) continue rows;
      if (p < 0 || p > 1) throw new Error(`classification quality: probability ${p} of class "${classes[j]}" in row ${i} is outside [0, 1]`);
    }
    const actualLabel = key(t);
    if (!classIndex.has(actualLabel)) {
      throw new Error(`classification quality: target label "${actualLabel}" in row ${i} is not one of the classes ${classes.join(', ')}`);
    }
    let best: number;
    if (width === 2) best = probabilityAt(i, positiveColumn!) >= threshold ? positiveColumn! : 1 - positiveColumn!;
    else {
      best = 0;
      for (let j = 1; j < width; j++) if (probabilityAt(i, j) > probabilityAt(i, best)) best = j;
    }
    actual.push(actualLabel);
    predicted.push(classes[best]!);
    keptRows.push(i);
  }
  const columns = classes.map((_, j) => Float64Array.from(keptRows, (row) => probabilityAt(row, j)));
  return { actual, predicted, classes, columns };
}

function requireRows(actual: number, expected: number, field: string): void {
  if (actual !== expected) throw new Error(`classification quality: ${field} has ${actual} values, expected ${expected}`);
}

/** Precision, recall and F1 of one label, 0 on zero division (scikit-learn). */
function classScores(actual: readonly string[], predicted: readonly string[], label: string) {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  for (let r = 0; r < actual.length; r++) {
    const isActual = actual[r] === label;
    const isPredicted = predicted[r] === label;
    if (isActual && isPredicted) truePositives++;
    else if (isPredicted) falsePositives++;
    else if (isActual) falseNegatives++;
  }
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0);
  return {
    precision: ratio(truePositives, truePositives + falsePositives),
    recall: ratio(truePositives, truePositives + falseNegatives),
    f1: ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives),
  };
}

/**
 * Area under the ROC curve of scores against a binary truth, as scikit-learn's
 * roc_curve + auc: one curve point per distinct score (ties share a point),
 * trapezoids between points. Null when the truth holds only one class.
 */
export function binaryRocAuc(truth: readonly boolean[], scores: ArrayLike<number>): number | null {
  const n = truth.length;
  let positives = 0;
  for (const t of truth) if (t) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let area = 0;
  let truePositives = 0;
  let falsePositives = 0;
  let previousTruePositives = 0;
  let previousFalsePositives = 0;
  for (let k = 0; k < n; k++) {
    const row = order[k]!;
    if (truth[row]) truePositives++;
    else falsePositives++;
    const lastOfTie = k === n - 1 || scores[order[k + 1]!]! !== scores[row]!;
    if (lastOfTie) {
      area += (falsePositives - previousFalsePositives) * (truePositives + previousTruePositives) / 2;
      previousTruePositives = truePositives;
      previousFalsePositives = falsePositives;
    }
  }
  return area / (positives * negatives);
}
