/**
 * LOCAL STAND-IN for `oodMetrics` that another engineer is adding to src/core/metrics.ts (same signature and
 * conventions as OOD_SPEC.md §3: label 1 = OOD = positive, higher score = more OOD, rule "score ≥ t ⇒ OOD",
 * tied scores collapse into one ROC point, trapezoidal areas, FPR95TPR = FPR at the first TPR ≥ 0.95).
 * Swap the import for the core one once it lands.
 */

export interface OodMetrics {
  AUROC: number;
  'AUPR-IN': number;
  'AUPR-OUT': number;
  FPR95TPR: number;
}

/** ROC curve (fpr, tpr ascending, starting at (0, 0)), thresholds descending. */
export function rocCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): { fpr: number[]; tpr: number[] } {
  const { tp, fp, pos, neg } = cumulative(scores, labels);
  return { fpr: [0, ...fp.map((v) => v / neg)], tpr: [0, ...tp.map((v) => v / pos)] };
}

/** Flat OOD metrics (fractions in [0, 1]). Throws unless both classes are present. */
export function oodMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): OodMetrics {
  const { fpr, tpr } = rocCurve(scores, labels);
  let auroc = 0;
  for (let i = 1; i < fpr.length; i++) auroc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
  const idx = tpr.findIndex((t) => t >= 0.95);
  const neg = Array.from(scores, (s) => -s);
  const flipped = Array.from(labels, (l) => (l === 1 ? 0 : 1));
  return {
    AUROC: auroc,
    'AUPR-IN': aupr(neg, flipped),
    'AUPR-OUT': aupr(scores, labels),
    FPR95TPR: fpr[idx],
  };
}

function cumulative(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] === 1 ? 1 : 0;
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new Error('oodMetrics needs both ID (0) and OOD (1) samples');
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i];
    if (labels[j] === 1) t++;
    else f++;
    if (i + 1 === n || scores[order[i + 1]] !== scores[j]) {
      tp.push(t);
      fp.push(f);
    }
  }
  return { tp, fp, pos, neg };
}

/** Trapezoidal area under the exact PR curve with (recall 0, precision 1) prepended. */
function aupr(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { tp, fp, pos } = cumulative(scores, labels);
  let area = 0;
  let r0 = 0;
  let p0 = 1;
  for (let i = 0; i < tp.length; i++) {
    const r = tp[i] / pos;
    const p = tp[i] / (tp[i] + fp[i]);
    area += ((r - r0) * (p + p0)) / 2;
    r0 = r;
    p0 = p;
  }
  return area;
}
