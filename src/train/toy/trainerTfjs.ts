/**
 * The tfjs reference engine of a toy run: an MLP trained on a ToyData with CE / OE / OE+noise / AOE / AOE-PGD
 * through the SAME core tfjs functions the WideResNet path uses (energy, outlierExposureLoss,
 * energyGradientStep, energyPgd, gaussianNoiseStep), plus its evaluation. The app trains with the fast engine
 * (`ToyRun`, trainer.ts); this one stays to check it (trainer.test.ts) and for `toyEngine=tfjs`.
 * Runs unchanged in the worker and in Node. Call `dispose()` when done.
 *
 * Needs tfjs gradients registered by the entry point (tfjs-core ships none): the worker and the unit tests import
 * '@tensorflow/tfjs-core/dist/register_all_gradients' (ESM); Node CLIs import '@tensorflow/tfjs' (its CJS build
 * registers them; the ESM file's directory imports do not load under plain Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../../core/random';
import { energy } from '../../core/energy';
import { crossEntropy, outlierExposureLoss } from '../../core/losses';
import { perturbWithMethod } from '../perturb';
import { Mlp, type MlpWeights } from '../../models/mlp';
import type { ToyData } from './data';
import { mlpConfig, toyBatchIndices, toyLrAt, type ToyTrainSettings } from './runCommon';
import { ToyRunBase } from './runBase';

export class TfjsToyRun extends ToyRunBase {
  readonly model: Mlp;
  private optimizer: tf.Optimizer;
  private readonly xTrain: tf.Tensor2D;
  private readonly yTrain: tf.Tensor1D;
  private readonly xOut: tf.Tensor2D;

  /**
   * @param start the weights every reset returns to; default `TfjsToyRun.start(data, settings)` (pass it when several
   *   runs share one start, to compute the pre-training once).
   */
  constructor(data: ToyData, settings: ToyTrainSettings, start?: MlpWeights) {
    super(data, settings, start ?? TfjsToyRun.start(data, settings));
    this.model = new Mlp(mlpConfig(data, settings), this.initial);
    this.optimizer = tf.train.adam(settings.lr);
    this.xTrain = tf.tensor2d(data.train.x, [data.train.y.length, 2]);
    this.yTrain = tf.tensor1d(data.train.y, 'int32');
    this.xOut = tf.tensor2d(data.outliers, [data.outliers.length / 2, 2]);
    this.reseed();
  }

  protected resetOptimizer(): void {
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.settings.lr);
  }

  override update(settings: Partial<ToyTrainSettings>): void {
    const lrChanged = settings.lr !== undefined && settings.lr !== this.settings.lr;
    super.update(settings);
    if (lrChanged) {
      // Adam keeps its moments; only the rate changes.
      (this.optimizer as unknown as { learningRate: number }).learningRate = this.settings.lr;
    }
  }

  /**
   * The training outliers as this run's method perturbs them for the current model and ε: AOE x − ε·sign(∇E),
   * AOE-PGD, Gaussian noise, or the outliers themselves (CE, OE).
   * @param x [M, 2] outliers. @returns a new [M, 2] tensor.
   */
  perturb(x: tf.Tensor2D, rng: Random = this.perturbRng): tf.Tensor2D {
    const { method, epsilon, pgdSteps } = this.settings;
    // The shared method table; the toy uses the paper's noise (variance ε), PGD α = 2.5ε/k and no clamp.
    return perturbWithMethod(method, this.model.applyInputGrad, x, {
      epsilon,
      random: rng,
      pgdSteps,
    }) as tf.Tensor2D;
  }

  train(n: number, constantLr = false): void {
    const opt = this.optimizer as unknown as { learningRate: number };
    const nId = this.data.train.y.length;
    const nOut = this.data.outliers.length / 2;
    for (let s = 0; s < n; s++) {
      const last = s === n - 1;
      opt.learningRate = toyLrAt(this.settings, this.steps, constantLr);
      const cost: tf.Scalar | null = tf.tidy(() => {
        const idIdx = this.batchIndices(nId);
        const outIdx = this.batchIndices(nOut);
        const xId = idIdx ? tf.gather(this.xTrain, idIdx) : this.xTrain;
        const yId = idIdx ? tf.gather(this.yTrain, idIdx) : this.yTrain;
        const xo = outIdx ? tf.gather(this.xOut, outIdx) : this.xOut;
        const useOutliers = this.settings.method !== 'CE';
        const xHat = useOutliers ? this.perturb(xo) : null;
        return this.optimizer.minimize(
          () => {
            let loss: tf.Scalar;
            if (xHat) {
              // ID and outliers in ONE forward/backward pass (row-wise the same numbers as two passes, but
              // half the matMul/bias/ReLU kernels: tfjs per-op overhead dominates a net this small).
              const n = xId.shape[0];
              const logits = this.model.apply(tf.concat([xId, xHat], 0));
              const idLogits = tf.slice(logits, [0, 0], [n, -1]);
              const oodLogits = tf.slice(logits, [n, 0], [-1, -1]);
              loss = outlierExposureLoss(idLogits, yId, oodLogits, this.settings.lambda);
            } else loss = crossEntropy(this.model.apply(xId), yId);
            if (!this.settings.wd) return loss;
            // Coupled L2 (as PyTorch SGD's weight_decay): wd/2·Σθ², gradient wd·θ.
            const l2 = tf.addN(this.model.variables.map((v) => tf.sum(tf.square(v))));
            return tf.add(loss, tf.mul(l2, this.settings.wd / 2)) as tf.Scalar;
          },
          last,
          this.model.variables,
        ) as tf.Scalar;
      });
      this.steps++;
      if (cost) {
        this.lastLoss = cost.dataSync()[0];
        cost.dispose();
      }
    }
  }

  /** Random batch indices (with a fresh permutation prefix), or null for the full set when batch ≥ n. */
  private batchIndices(n: number): tf.Tensor1D | null {
    const idx = toyBatchIndices(this.batchRng, this.settings.batch, n);
    return idx ? tf.tensor1d(idx, 'int32') : null;
  }

  energies(points: Float32Array): Float32Array {
    if (points.length === 0) return new Float32Array(0);
    return tf.tidy(() => {
      const logits = this.model.apply(tf.tensor2d(points, [points.length / 2, 2]));
      return energy(logits).dataSync() as Float32Array;
    });
  }

  /** Logits [n, K] of points [n·2]. */
  logits(points: Float32Array): Float32Array {
    if (points.length === 0) return new Float32Array(0);
    return tf.tidy(
      () => this.model.apply(tf.tensor2d(points, [points.length / 2, 2])).dataSync() as Float32Array,
    );
  }

  /** `perturb` on plain points [n·2] → new [n·2]. */
  perturbPoints(points: Float32Array, rng: Random): Float32Array {
    if (points.length === 0) return new Float32Array(0);
    return tf.tidy(() =>
      Float32Array.from(this.perturb(tf.tensor2d(points, [points.length / 2, 2]), rng).dataSync()),
    );
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
    this.xTrain.dispose();
    this.yTrain.dispose();
    this.xOut.dispose();
  }
}
