/**
 * The detector table of the analyses (Table 2 rows for the current model): per detector, every OOD set's
 * metrics plus the unweighted mean over all sets and the near/far means. Pure arithmetic over
 * `evaluateDetectors` output, so the test can recompute it by hand.
 */
import { meanMetrics, type OodMetrics } from '../../core/metrics';
import { oodGroupOf, orderFarToNear } from './oodGroups';

export type MetricsWithCounts = OodMetrics & { nId: number; nOod: number };

export interface DetectorSummary {
  detector: string;
  /** Per OOD set, ordered far → near. */
  sets: { name: string; group: 'near' | 'far' | null; metrics: MetricsWithCounts }[];
  mean: OodMetrics;
  /** Means over the near / far sets (null when no set of that group is loaded). */
  meanNear: OodMetrics | null;
  meanFar: OodMetrics | null;
}

/** Summaries of metrics[detector][set], detectors in the given order. */
export function summariseDetectors(
  metrics: Record<string, Record<string, MetricsWithCounts>>,
): DetectorSummary[] {
  return Object.entries(metrics).map(([detector, bySet]) => {
    const names = orderFarToNear(Object.keys(bySet));
    const sets = names.map((name) => ({ name, group: oodGroupOf(name), metrics: bySet[name] }));
    const of = (g: 'near' | 'far') => sets.filter((s) => s.group === g).map((s) => s.metrics);
    const near = of('near');
    const far = of('far');
    return {
      detector,
      sets,
      mean: meanMetrics(sets.map((s) => s.metrics)),
      meanNear: near.length ? meanMetrics(near) : null,
      meanFar: far.length ? meanMetrics(far) : null,
    };
  });
}
