/**
 * Compare two frames column by column, like one Evidently data-drift report.
 * The one entry point shared by `driftwatch drift`, `run` and the processor.
 */
import type { Frame } from '../frame.js';
import { requireColumn } from '../frame.js';
import { columnDrift, datasetDrift, DEFAULT_DRIFT_SHARE, type DriftOptions } from './column-drift.js';
import { profileColumn } from './profile.js';
import type { ColumnProfile, ColumnType, DatasetDriftResult } from './types.js';

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/** Reference profiles of the given columns, built once and reused for every window. */
export function profileReference(reference: Frame, columns: readonly ColumnSpec[]): Map<string, ColumnProfile> {
  const profiles = new Map<string, ColumnProfile>();
  for (const { name, type } of columns) {
    profiles.set(name, profileColumn(requireColumn(reference, name, 'the reference data'), type));
  }
  return profiles;
}

/**
 * Drift of every column of `current` against precomputed reference profiles.
 * `currentProfileOf` may supply a column's current profile instead of the
 * frame (the approximate mode's sketched columns); asked one column at a
 * time, so only one such profile need be alive.
 */
export function driftAgainstProfiles(
  referenceProfiles: ReadonlyMap<string, ColumnProfile>,
  current: Frame,
  columns: readonly ColumnSpec[],
  options: DriftOptions = {},
  currentProfileOf?: (name: string) => ColumnProfile | undefined,
): DatasetDriftResult {
  // Every numerical column's sorted values go to this one buffer: a column's profile is dropped once it is tested,
  // and a new one per column (8 MB a million rows) piles up as garbage faster than the collector frees it.
  let sortedValues: Float64Array | undefined;
  const results = columns.map(({ name, type }) => {
    const reference = referenceProfiles.get(name);
    if (!reference) throw new Error(`no reference profile for column "${name}"`);
    const supplied = currentProfileOf?.(name);
    if (supplied) return columnDrift(name, type, reference, supplied, options);
    const column = requireColumn(current, name, 'the current data');
    if (type === 'numerical') sortedValues ??= new Float64Array(column.values.length);
    const currentProfile = profileColumn(column, type, sortedValues);
    return columnDrift(name, type, reference, currentProfile, options);
  });
  return datasetDrift(results, options.driftShare ?? DEFAULT_DRIFT_SHARE);
}

export function compareFrames(
  reference: Frame,
  current: Frame,
  columns: readonly ColumnSpec[],
  options: DriftOptions = {},
): DatasetDriftResult {
  return driftAgainstProfiles(profileReference(reference, columns), current, columns, options);
}

/**
 * Column types as Evidently infers them when the user does not say:
 * a numeric dtype is numerical, anything else categorical.
 */
export function inferColumnSpecs(frame: Frame, names: readonly string[], categorical: ReadonlySet<string>): ColumnSpec[] {
  return names.map((name) => {
    const column = requireColumn(frame, name);
    const type: ColumnType = categorical.has(name) || column.kind !== 'number' ? 'categorical' : 'numerical';
    return { name, type };
  });
}
