/** What the rest of the pipeline knows of a model: columns in, predictions out. */
import type { Frame } from '../frame.js';

export type ModelTask = 'regression' | 'classification';

export interface ModelOutput {
  /**
   * One number per row: the predicted value (regression), or for
   * classification the probability of the positive class (binary) /
   * of the predicted class (multiclass).
   */
  readonly prediction: Float64Array;
  /** Classification: the predicted label per row, as text. */
  readonly labels?: string[];
  /** Classification: class labels in the model's order, as text. */
  readonly classes?: string[];
  /** Classification: probabilities, row-major, rows × classes.length. */
  readonly probabilities?: Float64Array;
}

export interface ModelRunner {
  readonly name: string;
  readonly task: ModelTask;
  /** Feature columns the model reads, in the order the model expects. */
  readonly inputColumns: readonly string[];
  /** Predict every row of the frame (batched inside as needed). */
  predict(frame: Frame): Promise<ModelOutput>;
  close(): Promise<void>;
}
