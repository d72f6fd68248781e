/**
 * Turning an ONNX model's output tensors into ModelOutput (processor/model/types.ts).
 *
 * Regression: the value output, one number per row.
 * Classification: labels come from the model's label output when it has one,
 * else the class with the highest probability (the first on ties, like
 * numpy's argmax). `prediction` is the probability of the positive class for a
 * binary model, of the predicted class for a multiclass one; a model without
 * probabilities predicts 1/0 (is the positive label) when binary, NaN otherwise.
 */
import type { Tensor } from 'onnxruntime-node';
import type { ModelOutput } from './types.js';
import type { OutputLayout } from './onnx-layout.js';

type Outputs = Readonly<Record<string, Tensor>>;

/** Collects the outputs of successive batches into arrays over all rows. */
export class OutputCollector {
  private readonly prediction: Float64Array;
  private readonly labels: string[] | undefined;
  private probabilities: Float64Array | undefined;

  constructor(
    private readonly layout: OutputLayout,
    private readonly rowCount: number,
    private readonly source: string,
  ) {
    this.prediction = new Float64Array(rowCount);
    this.labels = layout.task === 'classification' ? new Array<string>(rowCount) : undefined;
    if (layout.task === 'classification' && layout.probabilityOutput && layout.classes) {
      this.probabilities = new Float64Array(rowCount * layout.classes.length);
    }
  }

  /** Adds the outputs of rows [firstRow, firstRow + rows). */
  add(outputs: Outputs, firstRow: number, rows: number): void {
    const layout = this.layout;
    if (layout.task === 'regression') {
      const values = this.numbers(outputs, layout.valueOutput, rows, 1);
      this.prediction.set(values, firstRow);
      return;
    }
    const classes = layout.classes;
    const width = classes?.length ?? 0;
    const probabilities = layout.probabilityOutput ? this.numbers(outputs, layout.probabilityOutput, rows, width) : undefined;
    const labels = layout.labelOutput ? this.texts(outputs, layout.labelOutput, rows) : undefined;
    if (probabilities) this.probabilities!.set(probabilities, firstRow * width);
    const positiveIndex = classes && layout.positiveLabel !== undefined ? classes.indexOf(layout.positiveLabel) : -1;
    for (let i = 0; i < rows; i++) {
      const row = probabilities?.subarray(i * width, (i + 1) * width);
      const label = labels ? labels[i]! : classes![argmax(row!)]!;
      this.labels![firstRow + i] = label;
      this.prediction[firstRow + i] = predictionOf(label, row, classes, positiveIndex, layout.positiveLabel);
    }
  }

  finish(): ModelOutput {
    if (this.layout.task === 'regression') return { prediction: this.prediction };
    return {
      prediction: this.prediction,
      labels: this.labels!,
      ...(this.layout.classes ? { classes: [...this.layout.classes] } : {}),
      ...(this.probabilities ? { probabilities: this.probabilities } : {}),
    };
  }

  private tensor(outputs: Outputs, name: string): Tensor {
    const tensor = outputs[name];
    if (!tensor) throw new Error(`${this.source}: output "${name}" missing from the model's results`);
    return tensor;
  }

  private numbers(outputs: Outputs, name: string, rows: number, width: number): Float64Array {
    const tensor = this.tensor(outputs, name);
    const data = tensor.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array) || data.length !== rows * width) {
      throw new Error(
        `${this.source}: output "${name}" is ${tensor.type} [${tensor.dims.join(', ')}]; expected ${rows * width} numbers (${rows} rows × ${width})`,
      );
    }
    return Float64Array.from(data);
  }

  private texts(outputs: Outputs, name: string, rows: number): string[] {
    const tensor = this.tensor(outputs, name);
    const data = tensor.data as ArrayLike<unknown>;
    if (data.length !== rows) {
      throw new Error(`${this.source}: output "${name}" has ${data.length} values for ${rows} rows`);
    }
    return Array.from(data, (value) => String(value));
  }
}

function argmax(row: Float64Array): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j]! > row[best]!) best = j;
  return best;
}

function predictionOf(
  label: string,
  row: Float64Array | undefined,
  classes: readonly string[] | undefined,
  positiveIndex: number,
  positiveLabel: string | undefined,
): number {
  const binary = classes?.length === 2 || (classes === undefined && positiveLabel !== undefined);
  if (!row) return binary ? Number(label === positiveLabel) : NaN;
  if (binary && positiveIndex >= 0) return row[positiveIndex]!;
  const labelIndex = classes!.indexOf(label);
  return labelIndex >= 0 ? row[labelIndex]! : row[argmax(row)]!;
}
