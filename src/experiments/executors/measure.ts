/** Turning an evaluation's metrics into the runner's measurements (shared by the toy and WRN executors). */
import type { OodMetrics } from '../../core/metrics';
import type { Measurement, MetricName } from '../types';

/** OOD metrics per detector and set, with the sample counts behind them. */
export type MetricsByDetector = Record<string, Record<string, OodMetrics & { nId: number; nOod: number }>>;

/**
 * One measurement per (detector, set, requested OOD metric); ACC and AREA are not per detector and are skipped.
 * @param at the evaluation's epoch (null = final) and attack budget (null = clean).
 */
export function ood(
  metrics: MetricsByDetector,
  wanted: readonly MetricName[],
  at: { epoch: number | null; budget: number | null },
): Measurement[] {
  const out: Measurement[] = [];
  for (const [detector, bySet] of Object.entries(metrics)) {
    for (const [oodSet, m] of Object.entries(bySet)) {
      for (const metric of wanted) {
        if (metric === 'ACC' || metric === 'AREA') continue;
        out.push({ ...at, detector, oodSet, metric, value: m[metric], nId: m.nId, nOod: m.nOod });
      }
    }
  }
  return out;
}

/** A per-model scalar (ID accuracy, accepted area) as a measurement. */
export function scalar(
  metric: 'ACC' | 'AREA',
  value: number,
  nId: number | null,
  at: { epoch: number | null; budget: number | null },
): Measurement {
  return { ...at, detector: '', oodSet: '', metric, value, nId, nOod: null };
}

/** Index of the largest value of each row of a row-major [rows, cols] matrix (the predicted class). */
export function argmaxRows(m: { data: ArrayLike<number>; rows: number; cols: number }): Int32Array {
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    for (let k = 1; k < m.cols; k++) if (m.data[i * m.cols + k] > m.data[i * m.cols + best]) best = k;
    out[i] = best;
  }
  return out;
}
