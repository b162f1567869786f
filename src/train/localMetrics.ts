/**
 * LOCAL STAND-IN for `oodMetrics` in src/core/metrics.ts (another engineer's; same signature and result
 * names). Swap the import in evaluate.ts when it lands. Semantics as OOD_SPEC §3: OOD positive, predicted
 * OOD when score ≥ t, tied scores collapse into one ROC/PR point, trapezoid areas, FPR95 without
 * interpolation.
 */
export interface OodMetrics {
  AUROC: number;
  'AUPR-IN': number;
  'AUPR-OUT': number;
  FPR95TPR: number;
}

interface Counts {
  tp: number[];
  fp: number[];
}

/** Cumulative TP/FP counts at each distinct threshold, scores sorted descending (ties collapsed). */
function sweep(scores: ArrayLike<number>, positive: (i: number) => boolean, sign: number): Counts {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => sign * scores[b] - sign * scores[a],
  );
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < idx.length; k++) {
    if (positive(idx[k])) t++;
    else f++;
    const next = idx[k + 1];
    if (k === idx.length - 1 || scores[next] !== scores[idx[k]]) {
      tp.push(t);
      fp.push(f);
    }
  }
  return { tp, fp };
}

function trapezoid(x: number[], y: number[]): number {
  let s = 0;
  for (let i = 1; i < x.length; i++) s += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return Math.abs(s);
}

function aupr(c: Counts): number {
  const P = c.tp[c.tp.length - 1];
  const recall = [0, ...c.tp.map((t) => t / P)];
  const precision = [1, ...c.tp.map((t, i) => t / (t + c.fp[i]))];
  return trapezoid(recall, precision);
}

/**
 * @param scores [N] outlier scores (higher = more OOD). @param labels [N] 1 = OOD, 0 = ID (both present).
 * @returns fractions in [0,1].
 */
export function oodMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): OodMetrics {
  if (scores.length !== labels.length || scores.length === 0) throw new Error('oodMetrics: bad input');
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isFinite(scores[i])) throw new Error('oodMetrics: scores must be finite');
    pos += labels[i] === 1 ? 1 : 0;
  }
  const neg = labels.length - pos;
  if (pos === 0 || neg === 0) throw new Error('oodMetrics needs both ID (0) and OOD (1) samples');
  const out = sweep(scores, (i) => labels[i] === 1, 1);
  const fpr = [0, ...out.fp.map((f) => f / neg)];
  const tpr = [0, ...out.tp.map((t) => t / pos)];
  let fpr95 = 1;
  for (let i = 0; i < tpr.length; i++) {
    if (tpr[i] >= 0.95) {
      fpr95 = fpr[i];
      break;
    }
  }
  return {
    AUROC: trapezoid(fpr, tpr),
    'AUPR-IN': aupr(sweep(scores, (i) => labels[i] === 0, -1)),
    'AUPR-OUT': aupr(out),
    FPR95TPR: fpr95,
  };
}
