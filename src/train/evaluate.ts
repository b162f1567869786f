import * as tf from '@tensorflow/tfjs-core';
import { energy } from '../core/energy';
import { gatherImages, normalizer, toImageTensor } from './batches';
import { oodMetrics, type OodMetrics } from '../core/metrics';
import { assertClassesAgree, classMismatch } from './agreement';
import type { ImageSet, TrainableClassifier, TrainingData } from './types';

/** Eval-mode outputs of a whole image set. */
export interface SetScores {
  /** [N] energy −logsumexp(f) (higher = more OOD). */
  energy: Float32Array;
  /** [N] −max softmax (higher = more OOD). */
  msp: Float32Array;
  /** [N] argmax class. */
  predicted: Int32Array;
}

/** Below this many OOD images an AUROC is flagged as unreliable (a 1-image set scores 0 or 100 by chance). */
export const MIN_RELIABLE_OOD = 100;

/** How much an OOD set's AUROC can be trusted: its size and an approximate 95 % interval. */
export interface SetReliability {
  /** OOD images scored. */
  count: number;
  /** Hanley–McNeil 95 % interval of the Energy AUROC (normal approximation; zero width at AUROC 0 or 1). */
  aurocCi: [number, number];
  /** Set when count < {@link MIN_RELIABLE_OOD}: a caution to show beside the metrics. */
  caution: string | null;
}

/** Results of `evaluate`: accuracy on the ID test set and OOD metrics per set and detector. */
export interface EvaluationResult {
  accuracy: number;
  testCount: number;
  /** metrics[setName][detector] */
  metrics: Record<string, Record<'Energy' | 'MSP', OodMetrics>>;
  /** reliability[setName]: count, AUROC interval and caution. */
  reliability: Record<string, SetReliability>;
}

/**
 * Hanley & McNeil (1982) standard error of an AUROC A with nPos OOD (positive) and nNeg ID scores:
 * SE² = [A(1−A) + (nPos−1)(Q1−A²) + (nNeg−1)(Q2−A²)] / (nPos·nNeg), Q1 = A/(2−A), Q2 = 2A²/(1+A).
 * @returns the 95 % interval A ± 1.96·SE clipped to [0, 1].
 */
export function aurocInterval(a: number, nPos: number, nNeg: number): [number, number] {
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (nPos - 1) * (q1 - a * a) + (nNeg - 1) * (q2 - a * a)) / (nPos * nNeg);
  const se = Math.sqrt(Math.max(0, v));
  return [Math.max(0, a - 1.96 * se), Math.min(1, a + 1.96 * se)];
}

/** The class count a model's head produces, when the model says (WideResNet config); null otherwise. */
function headWidth(model: TrainableClassifier): number | null {
  const c = (model as { config?: { numClasses?: number } }).config;
  return typeof c?.numClasses === 'number' ? c.numClasses : null;
}

/**
 * Score a set in eval mode (running BN statistics, no dropout), in batches of `batchSize`.
 * @param limit score only the first `limit` images (0 = all).
 * @param expectClasses when given, the logits must have this many columns (checked on the first batch,
 *   before any score is kept); a mismatch throws.
 */
export async function scoreSet(
  model: TrainableClassifier,
  set: ImageSet,
  preprocess: (x: tf.Tensor) => tf.Tensor,
  batchSize = 256,
  limit = 0,
  shouldStop: () => boolean = () => false,
  expectClasses?: number,
): Promise<SetScores> {
  const n = limit > 0 ? Math.min(limit, set.n) : set.n;
  const out: SetScores = {
    energy: new Float32Array(n),
    msp: new Float32Array(n),
    predicted: new Int32Array(n),
  };
  for (let start = 0; start < n; start += batchSize) {
    if (shouldStop()) throw new Error('Evaluation cancelled.');
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const [e, m, p] = tf.tidy(() => {
      const x = preprocess(toImageTensor(gatherImages(set, idx, null), set)) as tf.Tensor4D;
      const logits = model.forward(x, { training: false }).logits;
      if (expectClasses !== undefined && logits.shape[1] !== expectClasses)
        throw new Error(
          classMismatch(logits.shape[1] as number, [set], 'evaluate') ??
            `Cannot evaluate: the model gives ${logits.shape[1]} logits, the data has ${expectClasses} classes.`,
        );
      return [energy(logits), tf.neg(tf.max(tf.softmax(logits), 1)), tf.argMax(logits, 1)];
    });
    const [ev, mv, pv] = await Promise.all([e.data(), m.data(), p.data()]);
    tf.dispose([e, m, p]);
    out.energy.set(ev as Float32Array, start);
    out.msp.set(mv as Float32Array, start);
    out.predicted.set(pv as Int32Array, start);
  }
  return out;
}

function pair(id: Float32Array, ood: Float32Array): { scores: Float32Array; labels: Uint8Array } {
  const scores = new Float32Array(id.length + ood.length);
  scores.set(id, 0);
  scores.set(ood, id.length);
  const labels = new Uint8Array(scores.length);
  labels.fill(1, id.length);
  return { scores, labels };
}

/**
 * ID accuracy on `data.test` plus Energy and MSP OOD metrics of each OOD test set against it, with each set's
 * count and AUROC interval. Refuses (throws, before scoring anything) when the model's head and the ID data
 * disagree on the number of classes.
 * @param limit cap per set (0 = all) so a CPU user can evaluate quickly.
 */
export async function evaluate(
  model: TrainableClassifier,
  data: TrainingData,
  limit = 0,
  shouldStop?: () => boolean,
): Promise<EvaluationResult> {
  const width = headWidth(model);
  if (width !== null) assertClassesAgree(width, [data.test], 'evaluate');
  const pre = normalizer(data.normalization.mean, data.normalization.std);
  const id = await scoreSet(model, data.test, pre, 256, limit, shouldStop, data.numClasses);
  let correct = 0;
  const labels = data.test.labels;
  if (!labels) throw new Error('The ID test set has no labels.');
  for (let i = 0; i < id.predicted.length; i++) correct += id.predicted[i] === labels[i] ? 1 : 0;
  const metrics: EvaluationResult['metrics'] = {};
  const reliability: EvaluationResult['reliability'] = {};
  for (const [name, set] of Object.entries(data.oodTests)) {
    const ood = await scoreSet(model, set, pre, 256, limit, shouldStop);
    const e = pair(id.energy, ood.energy);
    const m = pair(id.msp, ood.msp);
    metrics[name] = { Energy: oodMetrics(e.scores, e.labels), MSP: oodMetrics(m.scores, m.labels) };
    const count = ood.energy.length;
    reliability[name] = {
      count,
      aurocCi: aurocInterval(metrics[name].Energy.AUROC, count, id.energy.length),
      caution:
        count < MIN_RELIABLE_OOD
          ? `only ${count} OOD image${count === 1 ? '' : 's'}: its AUROC can swing by chance (fewer than ${MIN_RELIABLE_OOD})`
          : null,
    };
  }
  return { accuracy: correct / id.predicted.length, testCount: id.predicted.length, metrics, reliability };
}
