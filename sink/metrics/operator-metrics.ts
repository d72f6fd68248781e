/**
 * The window operator's own bookkeeping as Prometheus counters: rows and
 * labels it set aside without an error — repeated row ids (kept once), labels
 * whose row never came (orphaned), repeated labels, labels after their
 * window's label timeout. The operator keeps running totals (stats()); each
 * sync adds what is new since the last one, so the counters only go up and
 * start from zero in every process, as Prometheus counters do.
 */
import { Counter, type Registry } from 'prom-client';
import type { WindowOperatorStats } from '../../processor/window/window-operator.js';

type Counted = 'duplicateRows' | 'orphanedLabels' | 'duplicateLabels' | 'labelsAfterTimeout';

const SERIES: readonly { readonly stat: Counted; readonly name: string; readonly help: string }[] = [
  { stat: 'duplicateRows', name: 'driftwatch_duplicate_rows_total', help: 'Feature rows whose row id their window already had (counted once, the repeat dropped)' },
  { stat: 'orphanedLabels', name: 'driftwatch_orphaned_labels_total', help: 'Ground-truth labels given up on because no row with their row id arrived in time' },
  { stat: 'duplicateLabels', name: 'driftwatch_duplicate_labels_total', help: 'Labels for a row that already had one (the first is kept)' },
  { stat: 'labelsAfterTimeout', name: 'driftwatch_labels_after_timeout_total', help: 'Labels that arrived after their window stopped taking labels' },
];

export class OperatorMetrics {
  private readonly counters: Record<Counted, Counter>;
  private readonly reported: Record<Counted, number> = { duplicateRows: 0, orphanedLabels: 0, duplicateLabels: 0, labelsAfterTimeout: 0 };

  constructor(registry: Registry) {
    this.counters = Object.fromEntries(SERIES.map(({ stat, name, help }) =>
      [stat, new Counter({ name, help, labelNames: ['model'], registers: [registry] })])) as Record<Counted, Counter>;
  }

  /** Adds to each counter what the operator's totals gained since the previous call. */
  sync(model: string, stats: Pick<WindowOperatorStats, Counted>): void {
    for (const { stat } of SERIES) {
      const gained = stats[stat] - this.reported[stat];
      if (gained > 0) this.counters[stat].inc({ model }, gained);
      this.reported[stat] = stats[stat];
    }
  }
}
