/** Evaluation of a toy run: the energy landscape on a grid, τ, accepted area, accuracy, AUROC, histograms. */
import { Random } from '../../core/random';
import { energiesOf } from '../../models/fastMlp/losses';
import { acceptThreshold, acceptedArea, accuracy, gridPoints, histogram, type Histogram } from './landscape';
import { oodMetrics, rocCurve } from '../../core/metrics';
import { thinCurve } from '../../core/curveThinning';
import type { EvaluableRun } from './runCommon';

/** Everything the view shows for one model state. Arrays are plain typed arrays (transferable). */
export interface ToyEvaluation {
  steps: number;
  loss: number;
  gridSize: number;
  viewHalf: number;
  /** [G²] energies, row-major, row 0 at the top. */
  gridEnergy: Float32Array;
  /** [G²·K] softmax probabilities p(y|x) at the grid cells. */
  gridProbs: Float32Array;
  numClasses: number;
  /** Threshold accepting exactly ⌈0.95·N⌉ ID training points (E < τ ⇒ accepted as ID). */
  tau: number;
  /** Fraction of the view with E < τ. */
  acceptedArea: number;
  /** Accuracy on held-out ID points (fraction). */
  accuracy: number;
  /** Energy detector on held-out ID vs held-out OOD (near + far); fractions. */
  AUROC: number;
  FPR95TPR: number;
  AUROCNear: number;
  AUROCFar: number;
  /** ROC curve of held-out ID vs OOD (≤ 200 points). */
  roc: { fpr: number[]; tpr: number[] };
  /** Histogram of energies: [ID training, training outliers, perturbed outliers]. */
  hist: Histogram;
  /** Training outliers as the method perturbs them now ([M·2]; equal to the outliers for CE/OE). */
  perturbed: Float32Array;
}

/**
 * Evaluate `run` on a size×size grid over [−viewHalf, viewHalf]² (either engine; energies and softmax from the
 * run's float32 logits, accumulated in float64). Leaks no tensors.
 */
export function evaluateToy(run: EvaluableRun, gridSize: number, viewHalf: number): ToyEvaluation {
  const k = run.data.numClasses;
  const grid = gridPoints(gridSize, viewHalf);
  const gridLogits = run.logits(grid);
  const cells = gridSize * gridSize;
  const gridEnergy = energiesOf(gridLogits, k, k, cells);
  const gridProbs = softmaxRows(gridLogits, k, cells);
  const energies = (points: Float32Array) => energiesOf(run.logits(points), k, k, points.length / 2);
  const idE = energies(run.data.train.x);
  const tau = acceptThreshold(idE);
  const testIdE = energies(run.data.testId.x);
  const ood = new Float32Array(run.data.testNear.length + run.data.testFar.length);
  ood.set(run.data.testNear);
  ood.set(run.data.testFar, run.data.testNear.length);
  const nearE = energies(run.data.testNear);
  const farE = energies(run.data.testFar);
  const testLogits = run.logits(run.data.testId.x);
  const scores = concat(testIdE, nearE, farE);
  const labels = new Uint8Array(scores.length).fill(1, testIdE.length);
  const m = safeMetrics(scores, labels);
  const near = safeMetrics(
    concat(testIdE, nearE),
    new Uint8Array(testIdE.length + nearE.length).fill(1, testIdE.length),
  );
  const far = safeMetrics(
    concat(testIdE, farE),
    new Uint8Array(testIdE.length + farE.length).fill(1, testIdE.length),
  );
  const roc = safeRoc(scores, labels);
  const outE = energies(run.data.outliers);
  // A fixed display stream, so drawing never changes the training's random numbers.
  const perturbed = run.perturbPoints(run.data.outliers, new Random(7));
  const pertE = energies(perturbed);
  return {
    steps: run.steps,
    loss: run.lastLoss,
    gridSize,
    viewHalf,
    gridEnergy,
    gridProbs,
    numClasses: k,
    tau,
    acceptedArea: acceptedArea(gridEnergy, tau),
    accuracy: accuracy(testLogits, run.data.testId.y, k),
    AUROC: m.AUROC,
    FPR95TPR: m.FPR95TPR,
    AUROCNear: near.AUROC,
    AUROCFar: far.AUROC,
    roc,
    hist: histogram([idE, outE, pertE], 30),
    perturbed,
  };
}

/** Row-wise softmax of n rows of K logits (float64 accumulation). */
function softmaxRows(logits: Float32Array, k: number, n: number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[i * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[i * k + c] - max);
    for (let c = 0; c < k; c++) out[i * k + c] = Math.exp(logits[i * k + c] - max) / sum;
  }
  return out;
}

function concat(...arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function safeMetrics(scores: Float32Array, labels: Uint8Array): { AUROC: number; FPR95TPR: number } {
  try {
    return oodMetrics(scores, labels);
  } catch {
    return { AUROC: NaN, FPR95TPR: NaN };
  }
}

function safeRoc(scores: Float32Array, labels: Uint8Array): { fpr: number[]; tpr: number[] } {
  try {
    const r = rocCurve(scores, labels);
    // 1e-6 of area error is invisible in a plot and brings a ROC down to ~200 points.
    const t = thinCurve(r.fpr, r.tpr, { maxPoints: 200, areaTolerance: 1e-6 });
    return { fpr: Array.from(t.x), tpr: Array.from(t.y) };
  } catch {
    return { fpr: [], tpr: [] };
  }
}
