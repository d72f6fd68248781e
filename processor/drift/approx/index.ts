/** Optional approximate drift for very large windows: mergeable sketches → the usual profiles and tests. */
export { NumericalSketch, DEFAULT_RELATIVE_ACCURACY, noCollapseBinLimit, type NumericalSketchOptions, type NumericalSketchParts, type WeightedValues } from './numerical-sketch.js';
export { CategoryCounts, sketchProfile, DEFAULT_MAX_PROFILE_ROWS } from './sketch-profile.js';
export { WindowSketch, medianOf, type WindowSketchOptions } from './window-sketch.js';
