/**
 * Turning rows of a frame into the tensors an ONNX model takes.
 *
 * Conversions: number and timestamp columns become float32 / float64 (NaN
 * stays NaN, which tree ensembles route as missing) or int32 / int64 (a
 * missing or fractional value there is an error: the model cannot be told).
 * String columns feed string inputs, a missing value (null) becoming
 * `missingCategory` ('' by default: an unseen category, which a
 * OneHotEncoder(handle_unknown='ignore') encodes as all zeros). A number column
 * feeding a string input is rendered as text (3 -> "3"); a string column
 * feeding a numerical input is an error.
 */
import { Tensor } from 'onnxruntime-node';
import type { Column, Frame } from '../frame.js';
import type { InputElementType, InputLayout, ModelInput } from './onnx-layout.js';

export interface FeedOptions {
  readonly missingCategory: string;
  /** Names the model in error messages. */
  readonly source: string;
  /** Row number of the frame's first row in the whole input, for error messages. */
  readonly firstRow: number;
}

export function buildFeeds(
  frame: Frame,
  layout: InputLayout,
  inputColumns: readonly string[],
  options: FeedOptions,
): Record<string, Tensor> {
  const rows = frame.rowCount;
  if (layout.kind === 'per-column') {
    const feeds: Record<string, Tensor> = {};
    for (const input of layout.inputs) {
      const column = frameColumn(frame, input.name, options.source);
      const dims = input.shape.length >= 2 ? [rows, 1] : [rows];
      feeds[input.name] = new Tensor(input.type, columnValues(column, input, input.name, options), dims);
    }
    return feeds;
  }
  const { input } = layout;
  const width = inputColumns.length;
  const matrix = allocate(input.type, rows * width);
  inputColumns.forEach((name, j) => {
    const values = columnValues(frameColumn(frame, name, options.source), input, name, options);
    for (let i = 0; i < rows; i++) (matrix as unknown[])[i * width + j] = values[i];
  });
  return { [input.name]: new Tensor(input.type, matrix, [rows, width]) };
}

type TensorValues = Float32Array | Float64Array | Int32Array | BigInt64Array | string[];

function allocate(type: InputElementType, length: number): TensorValues {
  switch (type) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'string':
      return new Array<string>(length);
  }
}

function frameColumn(frame: Frame, name: string, source: string): Column {
  const column = frame.columns.get(name);
  if (!column) {
    throw new Error(`${source} needs column "${name}", which the data does not have (columns: ${[...frame.columns.keys()].join(', ')})`);
  }
  return column;
}

function columnValues(column: Column, input: ModelInput, name: string, options: FeedOptions): TensorValues {
  if (input.type === 'string') {
    if (column.kind === 'string') return column.values.map((value) => value ?? options.missingCategory);
    return Array.from(column.values, (value) => (Number.isNaN(value) ? options.missingCategory : String(value)));
  }
  if (column.kind === 'string') {
    throw new Error(`${options.source}: column "${name}" is text but the model input "${input.name}" is ${input.type}`);
  }
  const values = column.values;
  switch (input.type) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int32':
    case 'int64': {
      const out = allocate(input.type, values.length) as Int32Array | BigInt64Array;
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        if (!Number.isInteger(value)) {
          throw new Error(`${options.source}: column "${name}" row ${options.firstRow + i} is ${value}; model input "${input.name}" takes ${input.type} integers`);
        }
        if (out instanceof BigInt64Array) out[i] = BigInt(value);
        else out[i] = value;
      }
      return out;
    }
  }
}
