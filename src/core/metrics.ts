/**
 * OOD evaluation metrics exactly as OOD_SPEC.md §3 defines them (pytorch-ood's `OODMetrics` on top of torchmetrics'
 * `binary_roc` / `binary_precision_recall_curve` / `auc`), computed in float64 on the CPU.
 *
 * Conventions: **OOD is the positive class** (label 1), ID is label 0; **higher score = more OOD**; a sample is
 * predicted OOD when `score ≥ threshold`. All metrics are fractions in [0, 1].
 *
 * Deliberate difference to torchmetrics: torchmetrics applies a sigmoid to *all* scores as soon as one lies outside
 * [0, 1]. We do not. Every metric here depends on the scores only through their order (and ties), and a sigmoid is
 * monotone, so the results agree — except where torchmetrics' float32 sigmoid saturates (s ≳ 17 → 1, s ≲ −88 → 0)
 * and merges distinct scores into artificial ties (relevant for large Mahalanobis/ViM/energy magnitudes). Our numbers
 * are what torchmetrics would give without that saturation.
 */

/** The four numbers pytorch-ood's `OODMetrics.compute()` reports, as fractions. */
export interface OodMetrics {
  AUROC: number;
  /** v0.2.0 naming: ID is the positive class, scored with −s. (Named the other way round in pytorch-ood ≤ 0.1.9.) */
  'AUPR-IN': number;
  /** v0.2.0 naming: OOD is the positive class, scored with s. */
  'AUPR-OUT': number;
  /** FPR at the first ROC point whose TPR (OOD detection rate) is ≥ 0.95; no interpolation. */
  FPR95TPR: number;
}

/** The metric names in display order. */
export const METRIC_NAMES: readonly (keyof OodMetrics)[] = ['AUROC', 'AUPR-IN', 'AUPR-OUT', 'FPR95TPR'];

/** ROC curve: one point per distinct score (ties collapsed), preceded by (0, 0). */
export interface RocCurve {
  /** False-positive rate FP/N_ID, non-decreasing, from 0 to 1. */
  fpr: Float64Array;
  /** True-positive rate TP/N_OOD, non-decreasing, from 0 to 1. */
  tpr: Float64Array;
  /** Threshold t of each point (predict OOD iff score ≥ t), decreasing; thresholds[0] = +Infinity. */
  thresholds: Float64Array;
}

/** Precision–recall curve in torchmetrics/sklearn order: recall non-increasing, ending with (recall 0, precision 1). */
export interface PrCurve {
  precision: Float64Array;
  recall: Float64Array;
  /** Threshold of each point but the last (appended) one, increasing; length = precision.length − 1. */
  thresholds: Float64Array;
}

/** Cumulative counts at each distinct threshold, highest score first (the shared core of ROC and PR). */
interface ClfCurve {
  tps: Float64Array;
  fps: Float64Array;
  thresholds: Float64Array;
}

/**
 * Checks the inputs of every metric: equal non-zero lengths, finite scores, labels exactly 0 or 1, both present.
 * @throws Error naming the problem.
 */
export function validateScoresLabels(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new Error(`OOD metrics: length mismatch, ${scores.length} scores vs ${labels.length} labels`);
  }
  if (scores.length === 0) throw new Error('OOD metrics: empty input (no scores)');
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1) {
      throw new Error(`OOD metrics: label at index ${i} is ${l}; labels must be 1 (OOD) or 0 (ID)`);
    }
    positives += l;
    if (!Number.isFinite(scores[i])) {
      throw new Error(`OOD metrics: score at index ${i} is ${scores[i]}; scores must be finite (no NaN/Inf)`);
    }
  }
  if (positives === 0)
    throw new Error('OOD metrics: only ID samples (label 0) given; both classes are needed');
  if (positives === labels.length) {
    throw new Error('OOD metrics: only OOD samples (label 1) given; both classes are needed');
  }
}

/**
 * Sorts by descending score and accumulates true/false positives at the last index of every tied group
 * (torchmetrics' `_binary_clf_curve`). `positive(i)` says whether sample i counts as positive; `sign` = ±1
 * multiplies the scores (−1 gives the AUPR-IN view).
 */
function clfCurve(scores: ArrayLike<number>, positive: (i: number) => boolean, sign: 1 | -1): ClfCurve {
  const n = scores.length;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = sign * scores[i];
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[b] - s[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (positive(i)) tp++;
    else fp++;
    // close the tied group at its last member
    if (k === n - 1 || s[order[k + 1]] !== s[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(s[i]);
    }
  }
  return {
    tps: Float64Array.from(tps),
    fps: Float64Array.from(fps),
    thresholds: Float64Array.from(thresholds),
  };
}

/**
 * ROC curve with OOD (label 1) as positive: sort descending, ties collapsed into one point, (0, 0) prepended.
 * @param scores [N] outlier scores (higher = more OOD), finite. @param labels [N] 1 = OOD, 0 = ID.
 * @throws Error on invalid input (see {@link validateScoresLabels}).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  validateScoresLabels(scores, labels);
  return rocFromClf(clfCurve(scores, (i) => labels[i] === 1, 1));
}

function rocFromClf(c: ClfCurve): RocCurve {
  const m = c.tps.length;
  const p = c.tps[m - 1];
  const nNeg = c.fps[m - 1];
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  const thresholds = new Float64Array(m + 1);
  thresholds[0] = Infinity;
  for (let k = 0; k < m; k++) {
    fpr[k + 1] = c.fps[k] / nNeg;
    tpr[k + 1] = c.tps[k] / p;
    thresholds[k + 1] = c.thresholds[k];
  }
  return { fpr, tpr, thresholds };
}

function prFromClf(c: ClfCurve): PrCurve {
  const m = c.tps.length;
  const p = c.tps[m - 1];
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thresholds = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const j = m - 1 - k; // reversed: lowest threshold (recall 1) first
    precision[k] = c.tps[j] / (c.tps[j] + c.fps[j]);
    recall[k] = c.tps[j] / p;
    thresholds[k] = c.thresholds[j];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds };
}

/**
 * Exact precision–recall curve (torchmetrics' `binary_precision_recall_curve`): one point per distinct threshold,
 * recall decreasing, with (recall 0, precision 1) appended.
 * @param scores [N] scores; the positive class is `positive` (default 1 = OOD, as AUPR-OUT). For AUPR-IN pass
 *   `positive = 0`: ID becomes the positive class and the scores are negated (−s), as pytorch-ood v0.2.0 does.
 * @throws Error on invalid input.
 */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  positive: 0 | 1 = 1,
): PrCurve {
  validateScoresLabels(scores, labels);
  return prFromClf(clfCurve(scores, (i) => labels[i] === positive, positive === 1 ? 1 : -1));
}

/**
 * Trapezoidal area under y(x) (torchmetrics' / sklearn's `auc`). x must be monotone (either direction); for a
 * non-increasing x the sign is flipped so the area is positive, as both libraries do.
 * @throws Error if x is not monotone or the lengths differ.
 */
export function trapezoidArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`trapezoidArea: ${x.length} x values vs ${y.length} y values`);
  let up = true;
  let down = true;
  let sum = 0;
  for (let i = 1; i < x.length; i++) {
    const dx = x[i] - x[i - 1];
    if (dx < 0) up = false;
    if (dx > 0) down = false;
    sum += (dx * (y[i] + y[i - 1])) / 2;
  }
  if (!up && !down) throw new Error('trapezoidArea: x is neither non-decreasing nor non-increasing');
  return up ? sum : -sum;
}

/** FPR at the first ROC index whose TPR ≥ k (left searchsorted, no interpolation), as pytorch-ood's `fpr_at_tpr`. */
export function fprAtTpr(roc: RocCurve, k = 0.95): number {
  for (let i = 0; i < roc.tpr.length; i++) if (roc.tpr[i] >= k) return roc.fpr[i];
  throw new Error(`fprAtTpr: TPR never reaches ${k}`);
}

/**
 * AUROC, AUPR-IN, AUPR-OUT and FPR95TPR of one ID-vs-OOD evaluation, OOD_SPEC §3 (pytorch-ood v0.2.0 naming).
 * No sigmoid is applied to the scores (see the module comment: only ranks matter, and we avoid torchmetrics'
 * float32 saturation ties).
 * @param scores [N] outlier scores, higher = more OOD, finite (any typed or plain array; read as float64).
 * @param labels [N] 1 = OOD (positive), 0 = ID; both classes must be present.
 * @returns fractions in [0, 1].
 * @throws Error on length mismatch, empty input, a single class, NaN/±Inf scores, or labels other than 0/1.
 */
export function oodMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>): OodMetrics {
  validateScoresLabels(scores, labels);
  const out = clfCurve(scores, (i) => labels[i] === 1, 1);
  const roc = rocFromClf(out);
  const prOut = prFromClf(out);
  const prIn = prFromClf(clfCurve(scores, (i) => labels[i] === 0, -1));
  return {
    AUROC: trapezoidArea(roc.fpr, roc.tpr),
    'AUPR-IN': trapezoidArea(prIn.recall, prIn.precision),
    'AUPR-OUT': trapezoidArea(prOut.recall, prOut.precision),
    FPR95TPR: fprAtTpr(roc, 0.95),
  };
}

/**
 * Unweighted mean over datasets, per metric (the paper's "Average" over its 8 OOD sets).
 * @throws Error on an empty list.
 */
export function meanMetrics(list: readonly OodMetrics[]): OodMetrics {
  if (list.length === 0) throw new Error('meanMetrics: empty list (no datasets to average)');
  const mean = { AUROC: 0, 'AUPR-IN': 0, 'AUPR-OUT': 0, FPR95TPR: 0 };
  for (const name of METRIC_NAMES) {
    let s = 0;
    for (const m of list) s += m[name];
    mean[name] = s / list.length;
  }
  return mean;
}

/**
 * {@link oodMetrics} of one ID set against one OOD set, with both counts: the scores are concatenated ID first
 * (label 0) then OOD (label 1); values are read exactly (float32 scores stay the same numbers).
 * @param idScores [nId] outlier scores of the ID samples (higher = more OOD). @param oodScores [nOod] of the OOD ones.
 */
export function idVsOodMetrics(
  idScores: ArrayLike<number>,
  oodScores: ArrayLike<number>,
): OodMetrics & { nId: number; nOod: number } {
  const nId = idScores.length;
  const nOod = oodScores.length;
  const all = new Float64Array(nId + nOod);
  for (let i = 0; i < nId; i++) all[i] = idScores[i];
  for (let i = 0; i < nOod; i++) all[nId + i] = oodScores[i];
  return { ...oodMetrics(all, new Uint8Array(nId + nOod).fill(1, nId)), nId, nOod };
}
