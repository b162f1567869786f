/**
 * ROC curves for plotting: the exact curve (core `rocCurve`, OOD positive, higher score = more OOD), thinned
 * for drawing with a bounded area change (core `thinCurve`), with the FPR95 operating point (the first point
 * whose TPR ≥ 0.95, as `fprAtTpr`) and the exact AUROC of the full curve.
 */
import { fprAtTpr, rocCurve, trapezoidArea } from '../../core/metrics';
import { thinCurve } from '../../core/curveThinning';

export interface PlotRoc {
  fpr: number[];
  tpr: number[];
  /** Exact AUROC of the full curve (not of the thinned one). */
  auroc: number;
  /** The FPR95 point: FPR at the first TPR ≥ 0.95, that TPR, and the score threshold there. */
  fpr95: { fpr: number; tpr: number; threshold: number };
  /** Points of the full curve before thinning. */
  fullPoints: number;
}

/** ROC of ID scores (negatives) vs OOD scores (positives), thinned to about `maxPoints` for plotting. */
export function plotRoc(idScores: ArrayLike<number>, oodScores: ArrayLike<number>, maxPoints = 300): PlotRoc {
  const scores = new Float64Array(idScores.length + oodScores.length);
  const labels = new Uint8Array(scores.length);
  for (let i = 0; i < idScores.length; i++) scores[i] = idScores[i];
  for (let i = 0; i < oodScores.length; i++) {
    scores[idScores.length + i] = oodScores[i];
    labels[idScores.length + i] = 1;
  }
  const roc = rocCurve(scores, labels);
  const fpr95 = fprAtTpr(roc, 0.95);
  let k = 0;
  while (roc.tpr[k] < 0.95) k++;
  const thin = thinCurve(roc.fpr, roc.tpr, { maxPoints, areaTolerance: 1e-6 });
  return {
    fpr: Array.from(thin.x),
    tpr: Array.from(thin.y),
    auroc: trapezoidArea(roc.fpr, roc.tpr),
    fpr95: { fpr: fpr95, tpr: roc.tpr[k], threshold: roc.thresholds[k] },
    fullPoints: roc.fpr.length,
  };
}
