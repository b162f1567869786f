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
import { evaluateToy, type ToyEvaluation } from './evaluate';
import {
  mlpConfig,
  runStreams,
  seededInit,
  toyBatchIndices,
  toyLrAt,
  type EvaluableRun,
  type ToyTrainSettings,
} from './runCommon';

export class TfjsToyRun implements EvaluableRun {
  readonly data: ToyData;
  settings: ToyTrainSettings;
  readonly model: Mlp;
  private readonly initial: MlpWeights;
  private optimizer: tf.Optimizer;
  private batchRng!: Random;
  private perturbRng!: Random;
  private readonly xTrain: tf.Tensor2D;
  private readonly yTrain: tf.Tensor1D;
  private readonly xOut: tf.Tensor2D;
  /** Optimiser steps taken since the last reset. */
  steps = 0;
  /** Loss of the most recent step (nats), NaN before the first. */
  lastLoss = NaN;

  /**
   * @param start the weights every reset returns to; default `TfjsToyRun.start(data, settings)` (pass it when several
   *   runs share one start, to compute the pre-training once).
   */
  constructor(data: ToyData, settings: ToyTrainSettings, start?: MlpWeights) {
    this.data = data;
    this.settings = { ...settings };
    const cfg = mlpConfig(data, settings);
    this.initial = start ?? TfjsToyRun.start(data, settings);
    this.model = new Mlp(cfg, this.initial);
    this.optimizer = tf.train.adam(settings.lr);
    this.xTrain = tf.tensor2d(data.train.x, [data.train.y.length, 2]);
    this.yTrain = tf.tensor1d(data.train.y, 'int32');
    this.xOut = tf.tensor2d(data.outliers, [data.outliers.length / 2, 2]);
    this.reseed();
  }

  /**
   * The seeded start of a run: He/Glorot initial weights, then — when `settings.pretrain` > 0 — that many steps of
   * plain cross-entropy training on the ID data (constant lr), as the paper fine-tunes a classifier pre-trained
   * on the ID data. Every method and ε starts from these same weights. Deterministic.
   */
  static start(data: ToyData, settings: ToyTrainSettings): MlpWeights {
    const init = seededInit(data, settings);
    if (!(settings.pretrain > 0)) return init;
    const ce = new TfjsToyRun(data, { ...settings, method: 'CE', schedule: 'constant', pretrain: 0 }, init);
    ce.train(settings.pretrain);
    const w = ce.model.getWeights();
    ce.dispose();
    return w;
  }

  /** Learning rate of the step after `this.steps` steps: constant, or cosine-annealed to 0 over `settings.steps`. */
  private lrAt(step: number, constant: boolean): number {
    return toyLrAt(this.settings, step, constant);
  }

  private reseed(): void {
    ({ batchRng: this.batchRng, perturbRng: this.perturbRng } = runStreams(this.settings.seed));
  }

  /** Back to the seeded initial weights, a fresh optimiser and the same batch order: a reset run repeats exactly. */
  reset(): void {
    this.model.setWeights(this.initial);
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.settings.lr);
    this.reseed();
    this.steps = 0;
    this.lastLoss = NaN;
  }

  /**
   * Jump to a state this run reached before from its seeded start with the same settings (a memoised retrain):
   * the weights, step count and loss are restored exactly; Adam's moments and the batch stream start afresh, so
   * training further from here differs slightly from training on without the jump.
   */
  restore(weights: MlpWeights, steps: number, loss: number): void {
    this.reset();
    this.model.setWeights(weights);
    this.steps = steps;
    this.lastLoss = loss;
  }

  /** Change training settings in place (ε, λ, method, …); a new lr applies from the next step. */
  update(settings: Partial<ToyTrainSettings>): void {
    const lrChanged = settings.lr !== undefined && settings.lr !== this.settings.lr;
    this.settings = { ...this.settings, ...settings };
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

  /**
   * Take `n` optimiser steps (synchronous; the caller chunks it to stay responsive).
   * @param constantLr ignore the schedule (continuous training has no end for a cosine to anneal towards).
   */
  train(n: number, constantLr = false): void {
    const opt = this.optimizer as unknown as { learningRate: number };
    const nId = this.data.train.y.length;
    const nOut = this.data.outliers.length / 2;
    for (let s = 0; s < n; s++) {
      const last = s === n - 1;
      opt.learningRate = this.lrAt(this.steps, constantLr);
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

  /** Energies E(x) = −logsumexp f(x) of points [N·2] (float32, higher = more OOD). */
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

  /** Full evaluation on a size×size grid (see `evaluateToy`). */
  evaluate(gridSize: number, viewHalf: number): ToyEvaluation {
    return evaluateToy(this, gridSize, viewHalf);
  }

  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
    this.xTrain.dispose();
    this.yTrain.dispose();
    this.xOut.dispose();
  }
}
