/** Quality metrics of a window: regression, classification, data quality. */
export { regressionQuality, MAPE_EPSILON, MAPE_NEAR_ZERO_TERM } from './regression.js';
export {
  classificationQuality,
  binaryRocAuc,
  DEFAULT_PROBABILITY_THRESHOLD,
  type ClassificationInput,
  type ClassLabel,
} from './classification.js';
export { dataQuality, parseNumber, MAX_UNSEEN_VALUES } from './data-quality.js';
export type { ClassificationQuality, ColumnDataQuality, DataQuality, RegressionQuality } from './types.js';
