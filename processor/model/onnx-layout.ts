/**
 * How a frame maps onto an ONNX model's inputs and how its outputs map back
 * onto predictions: decided once at load time from the session's own
 * input/output metadata, the model's metadata_props (written by
 * data/scripts/train_models.py) and the caller's options, which win.
 *
 * metadata_props understood (all optional):
 *   task             "regression" | "classification"
 *   feature_columns  JSON list of column names, in the model's order
 *   classes          JSON list of class labels as text, in the probability columns' order
 *   positive_label   the positive class of a binary classifier
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ModelTask } from './types.js';

/** Element types we can feed from a frame. */
export type InputElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'string';
const FEEDABLE: ReadonlySet<string> = new Set<InputElementType>(['float32', 'float64', 'int64', 'int32', 'string']);

export interface ModelInput {
  readonly name: string;
  readonly type: InputElementType;
  /** Declared shape; symbolic or unknown dimensions are strings. */
  readonly shape: readonly (number | string)[];
}

/**
 * `per-column`: one input per feature column, named like the column (what
 * skl2onnx makes from a ColumnTransformer). `matrix`: one input holding all
 * feature columns side by side, [rows, columns.length].
 */
export type InputLayout =
  | { readonly kind: 'per-column'; readonly inputs: readonly ModelInput[] }
  | { readonly kind: 'matrix'; readonly input: ModelInput };

export type OutputLayout =
  | { readonly task: 'regression'; readonly valueOutput: string }
  | {
      readonly task: 'classification';
      /** Predicted labels (int or string tensor), when the model has them. */
      readonly labelOutput: string | undefined;
      /** Probabilities [rows, classes], when the model has them. */
      readonly probabilityOutput: string | undefined;
      /** Known when the model has probabilities: their column order. */
      readonly classes: readonly string[] | undefined;
      /** Binary models only. */
      readonly positiveLabel: string | undefined;
    };

export interface LayoutOptions {
  readonly task?: ModelTask;
  /** Feature columns in the model's order; overrides metadata feature_columns. */
  readonly inputColumns?: readonly string[];
  readonly classes?: readonly string[];
  readonly positiveLabel?: string;
}

export interface ModelLayout {
  readonly inputColumns: readonly string[];
  readonly input: InputLayout;
  readonly output: OutputLayout;
}

type SessionInfo = Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>;
type TensorMetadata = InferenceSession.ValueMetadata & { isTensor: true };

export function resolveLayout(
  session: SessionInfo,
  metadata: ReadonlyMap<string, string>,
  options: LayoutOptions,
  source: string,
): ModelLayout {
  const inputs = session.inputMetadata.map((value) => modelInput(value, source));
  const declared = options.inputColumns ?? jsonStringList(metadata, 'feature_columns', source);
  const { input, inputColumns } = resolveInputs(inputs, declared, source);
  const output = resolveOutputs(session.outputMetadata.map((value) => tensorOutput(value, source)), metadata, options, source);
  return { inputColumns, input, output };
}

function modelInput(value: InferenceSession.ValueMetadata, source: string): ModelInput {
  if (!value.isTensor || !FEEDABLE.has(value.type)) {
    const type = value.isTensor ? value.type : 'a non-tensor value';
    throw new Error(`${source}: input "${value.name}" is ${type}; only float, double, int32, int64 and string tensors are supported`);
  }
  return { name: value.name, type: value.type as InputElementType, shape: value.shape };
}

function tensorOutput(value: InferenceSession.ValueMetadata, source: string): TensorMetadata {
  if (!value.isTensor) {
    throw new Error(
      `${source}: output "${value.name}" is not a tensor (a ZipMap of probabilities?); export the classifier with zipmap disabled`,
    );
  }
  return value;
}

function resolveInputs(
  inputs: readonly ModelInput[],
  declared: readonly string[] | undefined,
  source: string,
): { input: InputLayout; inputColumns: readonly string[] } {
  const inputNames = inputs.map((input) => input.name);
  const only = inputs.length === 1 ? inputs[0]! : undefined;
  const width = only ? lastDimension(only) : undefined;
  // One input that is not simply one column wide, or whose name is not a
  // declared column, holds every feature side by side.
  if (only && declared && (declared.length > 1 || !declared.includes(only.name))) {
    if (width !== undefined && width !== declared.length) {
      throw new Error(`${source}: input "${only.name}" takes ${width} columns but ${declared.length} feature columns are declared (${declared.join(', ')})`);
    }
    return { input: { kind: 'matrix', input: only }, inputColumns: declared };
  }
  if (!declared) {
    if (only && width !== undefined && width > 1) {
      throw new Error(`${source}: input "${only.name}" takes ${width} columns; name them with the inputColumns option or metadata_props feature_columns`);
    }
    return { input: { kind: 'per-column', inputs }, inputColumns: inputNames };
  }
  const missing = declared.filter((column) => !inputNames.includes(column));
  const extra = inputNames.filter((name) => !declared.includes(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length ? `declared columns with no model input: ${missing.join(', ')}` : '',
      extra.length ? `model inputs not declared: ${extra.join(', ')}` : '',
    ].filter(Boolean);
    throw new Error(`${source}: feature columns do not match the model's inputs (${parts.join('; ')})`);
  }
  const byName = new Map(inputs.map((input) => [input.name, input]));
  return { input: { kind: 'per-column', inputs: declared.map((column) => byName.get(column)!) }, inputColumns: declared };
}

function lastDimension(input: ModelInput): number | undefined {
  const last = input.shape.length >= 2 ? input.shape[input.shape.length - 1] : undefined;
  return typeof last === 'number' && last > 0 ? last : undefined;
}

const FLOAT_TYPES: ReadonlySet<string> = new Set(['float32', 'float64', 'float16']);
const LABEL_TYPES: ReadonlySet<string> = new Set(['int64', 'int32', 'string', 'bool']);

function resolveOutputs(
  outputs: readonly TensorMetadata[],
  metadata: ReadonlyMap<string, string>,
  options: LayoutOptions,
  source: string,
): OutputLayout {
  const labelOutput = outputs.find((output) => LABEL_TYPES.has(output.type));
  const floatOutputs = outputs.filter((output) => FLOAT_TYPES.has(output.type));
  const task = options.task ?? metadataTask(metadata, source) ?? (labelOutput ? 'classification' : 'regression');
  if (task === 'regression') {
    const value = floatOutputs[0];
    if (!value) throw new Error(`${source}: a regression model needs a float output; outputs: ${describe(outputs)}`);
    return { task, valueOutput: value.name };
  }
  const probabilities = floatOutputs.find((output) => output.name.toLowerCase().includes('prob')) ?? floatOutputs[0];
  if (!labelOutput && !probabilities) {
    throw new Error(`${source}: a classifier needs a label or probability output; outputs: ${describe(outputs)}`);
  }
  const width = probabilities && probabilities.shape.length === 2 ? probabilities.shape[1] : undefined;
  let classes = options.classes ?? jsonStringList(metadata, 'classes', source);
  if (!classes && probabilities && typeof width === 'number' && width > 0) {
    // Without a class list, probability column i is taken to be class "i"
    // (what scikit-learn does for labels 0..k-1).
    classes = Array.from({ length: width }, (_, i) => String(i));
  }
  if (probabilities && !classes) {
    throw new Error(`${source}: cannot tell the classes of output "${probabilities.name}"; pass the classes option or metadata_props classes`);
  }
  if (classes && typeof width === 'number' && width !== classes.length) {
    throw new Error(`${source}: output "${probabilities!.name}" has ${width} columns but ${classes.length} classes are declared (${classes.join(', ')})`);
  }
  let positiveLabel = options.positiveLabel ?? metadata.get('positive_label');
  if (classes && classes.length === 2) {
    // scikit-learn's convention: the positive class of a binary model is the greater label, its second class.
    positiveLabel ??= classes[1];
    if (!classes.includes(positiveLabel!)) {
      throw new Error(`${source}: positive label "${positiveLabel}" is not one of the classes (${classes.join(', ')})`);
    }
  }
  return { task, labelOutput: labelOutput?.name, probabilityOutput: probabilities?.name, classes, positiveLabel };
}

function metadataTask(metadata: ReadonlyMap<string, string>, source: string): ModelTask | undefined {
  const task = metadata.get('task');
  if (task === undefined || task === 'regression' || task === 'classification') return task;
  throw new Error(`${source}: metadata_props task is "${task}"; expected regression or classification`);
}

function jsonStringList(metadata: ReadonlyMap<string, string>, key: string, source: string): string[] | undefined {
  const text = metadata.get(key);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
    throw new Error(`${source}: metadata_props ${key} must be a JSON list of strings, got ${JSON.stringify(text)}`);
  }
  return value as string[];
}

function describe(outputs: readonly TensorMetadata[]): string {
  return outputs.map((output) => `${output.name} (${output.type})`).join(', ') || 'none';
}
