/**
 * Normed Wasserstein distance (Evidently "wasserstein",
 * legacy/calculations/stattests/wasserstein_distance_norm.py):
 *
 *   score = W1(ref, cur) / max(std(ref), 0.001)
 *
 * W1 is scipy.stats.wasserstein_distance = ∫ |F_ref − F_cur| dx over the
 * empirical CDFs; std is numpy's population std (ddof 0) of the reference.
 * Drift when score ≥ threshold (default 0.1).
 *
 * Reference: Villani, "Optimal Transport: Old and New" (2009), ch. 6.
 */
import { cdfDistance } from '../../stats/cdf-distance.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

/** Evidently's floor on the normaliser, so a constant reference does not divide by zero. */
const MIN_NORM = 0.001;

export const wasserstein: StatTest = {
  name: 'wasserstein',
  title: 'Wasserstein distance (normed)',
  columnTypes: ['numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'distance',
  driftRule: 'd_gte',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('wasserstein', referenceProfile, currentProfile);
    const norm = Math.max(reference.std, MIN_NORM);
    return { score: cdfDistance(1, reference.sorted, current.sorted) / norm };
  },
};
