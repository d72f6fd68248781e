/**
 * Energy distance (Evidently "ed", legacy/calculations/stattests/energy_distance.py):
 * scipy.stats.energy_distance, not normalised,
 *
 *   D(ref, cur) = √2 · ( ∫ (F_ref − F_cur)² dx )^(1/2)
 *
 * which equals (2E|X−Y| − E|X−X'| − E|Y−Y'|)^(1/2) for the empirical
 * distributions. Drift when D > threshold (default 0.1).
 *
 * Reference: Székely & Rizzo (2013), "Energy statistics: A class of
 * statistics based on distances", J. Stat. Planning and Inference 143(8).
 */
import { cdfDistance } from '../../stats/cdf-distance.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

export const energyDistance: StatTest = {
  name: 'ed',
  title: 'Energy-distance',
  columnTypes: ['numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'distance',
  driftRule: 'd_gt',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('ed', referenceProfile, currentProfile);
    return { score: Math.SQRT2 * cdfDistance(2, reference.sorted, current.sorted) };
  },
};
