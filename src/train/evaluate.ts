import * as tf from '@tensorflow/tfjs-core';
import { energy } from '../core/energy';
import { gatherImages, normalizer, toImageTensor } from './batches';
import { oodMetrics, type OodMetrics } from '../core/metrics';
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

/** Results of `evaluate`: accuracy on the ID test set and OOD metrics per set and detector. */
export interface EvaluationResult {
  accuracy: number;
  testCount: number;
  /** metrics[setName][detector] */
  metrics: Record<string, Record<'Energy' | 'MSP', OodMetrics>>;
}

/**
 * Score a set in eval mode (running BN statistics, no dropout), in batches of `batchSize`.
 * @param limit score only the first `limit` images (0 = all).
 */
export async function scoreSet(
  model: TrainableClassifier,
  set: ImageSet,
  preprocess: (x: tf.Tensor) => tf.Tensor,
  batchSize = 256,
  limit = 0,
  shouldStop: () => boolean = () => false,
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
 * ID accuracy on `data.test` plus Energy and MSP OOD metrics of each OOD test set against it.
 * @param limit cap per set (0 = all) so a CPU user can evaluate quickly.
 */
export async function evaluate(
  model: TrainableClassifier,
  data: TrainingData,
  limit = 0,
  shouldStop?: () => boolean,
): Promise<EvaluationResult> {
  const pre = normalizer(data.normalization.mean, data.normalization.std);
  const id = await scoreSet(model, data.test, pre, 256, limit, shouldStop);
  let correct = 0;
  const labels = data.test.labels;
  if (!labels) throw new Error('The ID test set has no labels.');
  for (let i = 0; i < id.predicted.length; i++) correct += id.predicted[i] === labels[i] ? 1 : 0;
  const metrics: EvaluationResult['metrics'] = {};
  for (const [name, set] of Object.entries(data.oodTests)) {
    const ood = await scoreSet(model, set, pre, 256, limit, shouldStop);
    const e = pair(id.energy, ood.energy);
    const m = pair(id.msp, ood.msp);
    metrics[name] = { Energy: oodMetrics(e.scores, e.labels), MSP: oodMetrics(m.scores, m.labels) };
  }
  return { accuracy: correct / id.predicted.length, testCount: id.predicted.length, metrics };
}
