/**
 * The numerical-only stat tests take any ColumnProfile by contract; this is
 * the one place that narrows it and says clearly when it does not fit.
 */
import type { ColumnProfile, NumericalProfile } from '../drift/types.js';

export function numericalPair(
  testName: string,
  reference: ColumnProfile,
  current: ColumnProfile,
): [NumericalProfile, NumericalProfile] {
  if (reference.type !== 'numerical' || current.type !== 'numerical') {
    throw new Error(`stat test "${testName}" needs numerical reference and current data`);
  }
  return [reference, current];
}
