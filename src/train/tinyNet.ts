import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../core/random';
import type { BatchNormStats, ForwardOptions, ForwardResult, ModelState } from '../models/types';
import type { TrainableClassifier } from './types';

/**
 * A tiny CNN with the classifier interface, for tests and smoke runs (not a research model):
 * conv3×3 (pad 1, C→k, no bias) → BN(ε 1e-5, PyTorch momentum 0.1, unbiased running var) → ReLU →
 * global average pool → dense(k→classes). Input [N, H, W, C] normalised images.
 */
export class TinyNet implements TrainableClassifier {
  private readonly conv: tf.Variable;
  private readonly gamma: tf.Variable;
  private readonly beta: tf.Variable;
  private readonly runMean: tf.Variable;
  private readonly runVar: tf.Variable;
  private readonly fcW: tf.Variable;
  private readonly fcB: tf.Variable;

  constructor(seed: number, inChannels = 3, width = 4, classes = 10) {
    const rng = new Random(seed);
    const he = (n: number, fanIn: number) => rng.normalArray(n, 0, Math.sqrt(2 / fanIn));
    const v = (name: string, t: tf.Tensor, trainable = true) =>
      tf.variable(t, trainable, `tiny_${seed}_${name}_${TinyNet.count}`);
    TinyNet.count++;
    this.conv = v('conv', tf.tensor4d(he(9 * inChannels * width, 9 * inChannels), [3, 3, inChannels, width]));
    this.gamma = v('gamma', tf.ones([width]));
    this.beta = v('beta', tf.zeros([width]));
    this.runMean = v('rmean', tf.zeros([width]), false);
    this.runVar = v('rvar', tf.ones([width]), false);
    this.fcW = v('fcw', tf.tensor2d(he(width * classes, width), [width, classes]));
    this.fcB = v('fcb', tf.zeros([classes]));
  }

  private static count = 0;

  forward(x: tf.Tensor4D, options: ForwardOptions): ForwardResult {
    return tf.tidy(() => {
      const padded = tf.pad(x, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const h = tf.conv2d(padded, this.conv as tf.Tensor4D, 1, 'valid');
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      let stats: BatchNormStats | undefined;
      if (options.training) {
        const m = tf.moments(h, [0, 1, 2]);
        mean = m.mean;
        variance = m.variance;
        const n = h.shape[0] * h.shape[1] * h.shape[2];
        if (options.collectStats !== false) {
          const unbiased = tf.mul(variance, n / Math.max(1, n - 1)) as tf.Tensor1D;
          stats = {
            entries: [{ name: 'bn', mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(unbiased) }],
          };
        }
      } else {
        mean = this.runMean;
        variance = this.runVar;
      }
      const bn = tf.add(
        tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), this.gamma),
        this.beta,
      );
      const features = tf.mean(tf.relu(bn), [1, 2]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(features, this.fcW as tf.Tensor2D), this.fcB) as tf.Tensor2D;
      return { logits, features, ...(stats ? { batchStats: stats } : {}) } as unknown as tf.TensorContainer;
    }) as unknown as ForwardResult;
  }

  trainableVariables(): tf.Variable[] {
    return [this.conv, this.gamma, this.beta, this.fcW, this.fcB];
  }

  applyBatchNormStats(stats: BatchNormStats): void {
    const s = stats.entries[0];
    tf.tidy(() => {
      this.runMean.assign(tf.add(tf.mul(this.runMean, 0.9), tf.mul(s.mean, 0.1)));
      this.runVar.assign(tf.add(tf.mul(this.runVar, 0.9), tf.mul(s.variance, 0.1)));
    });
    tf.dispose([s.mean, s.variance]);
    this.tracked++;
  }

  private tracked = 0;

  private named(): Record<string, tf.Variable> {
    return {
      conv: this.conv,
      gamma: this.gamma,
      beta: this.beta,
      runMean: this.runMean,
      runVar: this.runVar,
      fcW: this.fcW,
      fcB: this.fcB,
    };
  }

  getState(): ModelState {
    const tensors = new Map<string, tf.Tensor>();
    for (const [k, v] of Object.entries(this.named())) tensors.set(k, v.clone());
    return { tensors, numBatchesTracked: this.tracked };
  }

  setState(state: ModelState): void {
    for (const [k, v] of Object.entries(this.named())) {
      const t = state.tensors.get(k);
      if (!t) throw new Error(`TinyNet.setState: missing "${k}"`);
      v.assign(t);
    }
    this.tracked = state.numBatchesTracked;
  }

  dispose(): void {
    Object.values(this.named()).forEach((v) => v.dispose());
  }
}
