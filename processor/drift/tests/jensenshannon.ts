/**
 * Jensen-Shannon distance (Evidently "jensenshannon",
 * legacy/calculations/stattests/jensenshannon.py), as
 * scipy.spatial.distance.jensenshannon(p, q) with the natural log:
 *
 *   p ← p/Σp,  q ← q/Σq,  m = (p + q)/2
 *   JS = √( (Σ rel_entr(p, m) + Σ rel_entr(q, m)) / 2 )
 *
 * over Evidently's binned proportions without zero fill (binning.ts), so an
 * empty bin contributes rel_entr(0, m) = 0. Bounded by √ln 2. Drift when ≥ threshold.
 *
 * Reference: Lin (1991), "Divergence measures based on the Shannon entropy".
 */
import { binnedShares } from '../binning.js';
import type { StatTest } from '../types.js';
import { normalised, relativeEntropy } from './kl-div.js';

export const jensenshannon: StatTest = {
  name: 'jensenshannon',
  title: 'Jensen-Shannon distance',
  columnTypes: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'distance',
  driftRule: 'd_gte',
  compute(reference, current) {
    const shares = binnedShares(reference, current, false);
    const p = normalised(shares.reference);
    const q = normalised(shares.current);
    const m = p.map((pi, i) => (pi + q[i]!) / 2.0);
    const divergence = relativeEntropy(p, m) + relativeEntropy(q, m);
    return { score: Math.sqrt(divergence / 2.0) };
  },
};
