/**
 * One toy model run on the fast engine: the MLP of `src/models/fastMlp` (WebAssembly SIMD kernels, no tfjs)
 * trained on a ToyData with CE / OE / OE+noise / AOE / AOE-PGD, plus its evaluation. Same semantics, random
 * streams and settings as the tfjs reference `TfjsToyRun` (trainerTfjs.ts), which uses the core tfjs functions
 * (energy, outlierExposureLoss, energyGradientStep, energyPgd, gaussianNoiseStep); trainer.test.ts checks the
 * two against each other (gradients, losses, AOE signs, short trajectories). Runs in the worker and in Node.
 */
import type { Random } from '../../core/random';
import { FastMlp } from '../../models/fastMlp/fastMlp';
import { energiesOf, meanEnergyGrad, oeLossGrad } from '../../models/fastMlp/losses';
import type { MlpWeights } from '../../models/mlp';
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

export type { ToyTrainSettings } from './runCommon';

/** Rows the engine holds at once at least (evaluation grids are processed in chunks of this many). */
const MIN_ROWS = 2048;

export class ToyRun implements EvaluableRun {
  readonly data: ToyData;
  settings: ToyTrainSettings;
  /** The network (weights via `getWeights` / `setWeights`). */
  readonly model: FastMlp;
  private readonly initial: MlpWeights;
  private batchRng!: Random;
  private perturbRng!: Random;
  private readonly labels: Int32Array;
  private readonly outBuf: Float32Array;
  /** Optimiser steps taken since the last reset. */
  steps = 0;
  /** Loss of the most recent step (nats), NaN before the first. */
  lastLoss = NaN;

  /**
   * @param start the weights every reset returns to; default `ToyRun.start(data, settings)` (pass it when several
   *   runs share one start, to compute the pre-training once).
   */
  constructor(data: ToyData, settings: ToyTrainSettings, start?: MlpWeights) {
    this.data = data;
    this.settings = { ...settings };
    this.initial = start ?? ToyRun.start(data, settings);
    const nId = data.train.y.length;
    const nOut = data.outliers.length / 2;
    this.model = new FastMlp(mlpConfig(data, settings), this.initial, Math.max(MIN_ROWS, nId + nOut));
    this.labels = new Int32Array(nId);
    this.outBuf = new Float32Array(2 * nOut);
    this.reset();
  }

  /**
   * The seeded start of a run: He/Glorot initial weights, then — when `settings.pretrain` > 0 — that many steps of
   * plain cross-entropy training on the ID data (constant lr). Every method and ε starts from these same weights.
   */
  static start(data: ToyData, settings: ToyTrainSettings): MlpWeights {
    const init = seededInit(data, settings);
    if (!(settings.pretrain > 0)) return init;
    const ce = new ToyRun(data, { ...settings, method: 'CE', schedule: 'constant', pretrain: 0 }, init);
    ce.train(settings.pretrain);
    return ce.model.getWeights();
  }

  /** Back to the seeded initial weights, a fresh optimiser and the same batch order: a reset run repeats exactly. */
  reset(): void {
    this.model.setWeights(this.initial);
    this.model.resetOptimizer();
    ({ batchRng: this.batchRng, perturbRng: this.perturbRng } = runStreams(this.settings.seed));
    this.steps = 0;
    this.lastLoss = NaN;
  }

  /**
   * Jump to a state this run reached before from its seeded start with the same settings (a memoised retrain):
   * weights, step count and loss exactly; Adam's moments and the batch stream start afresh.
   */
  restore(weights: MlpWeights, steps: number, loss: number): void {
    this.reset();
    this.model.setWeights(weights);
    this.steps = steps;
    this.lastLoss = loss;
  }

  /** Change training settings in place (ε, λ, method, …); Adam keeps its moments, a new lr applies next step. */
  update(settings: Partial<ToyTrainSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /**
   * Take `n` optimiser steps (synchronous; the caller chunks it to stay responsive).
   * @param constantLr ignore the schedule (continuous training has no end for a cosine to anneal towards).
   */
  train(n: number, constantLr = false): void {
    const { x: idX, y: idY } = this.data.train;
    const nId = idY.length;
    const outliers = this.data.outliers;
    const nOut = outliers.length / 2;
    const net = this.model;
    const k = this.data.numClasses;
    for (let s = 0; s < n; s++) {
      const s0 = this.settings;
      const lr = toyLrAt(s0, this.steps, constantLr);
      const idIdx = toyBatchIndices(this.batchRng, s0.batch, nId);
      const outIdx = toyBatchIndices(this.batchRng, s0.batch, nOut);
      const nb = idIdx ? idIdx.length : nId;
      let mb = 0;
      let xHat: Float32Array | null = null;
      if (s0.method !== 'CE') {
        mb = outIdx ? outIdx.length : nOut;
        const xo = this.outBuf.subarray(0, 2 * mb);
        if (outIdx) {
          for (let j = 0; j < mb; j++) {
            xo[2 * j] = outliers[2 * outIdx[j]];
            xo[2 * j + 1] = outliers[2 * outIdx[j] + 1];
          }
        } else xo.set(outliers);
        // Perturb first: its own forward/backward passes use the engine's input rows.
        xHat = this.perturbPoints(xo, this.perturbRng);
      }
      // ID and outliers in ONE forward/backward pass (row-wise the same numbers as two passes).
      for (let i = 0; i < nb; i++) {
        const src = idIdx ? idIdx[i] : i;
        net.setInputRow(i, idX[2 * src], idX[2 * src + 1]);
        this.labels[i] = idY[src];
      }
      if (xHat) net.setInputPoints(xHat, nb);
      const rows = nb + mb;
      net.forward(rows);
      let loss = oeLossGrad(
        net.logitsView(rows),
        net.logitStride,
        k,
        this.labels,
        nb,
        mb,
        s0.lambda,
        net.dLogitsView(rows),
      );
      net.backward(rows, true, false);
      if (s0.wd) {
        // Coupled L2 (as PyTorch SGD's weight_decay): wd/2·Σθ² in the loss, wd·θ in the gradient.
        const g = net.gradView();
        const p = net.paramView();
        let sq = 0;
        for (let i = 0; i < p.length; i++) {
          sq += p[i] * p[i];
          g[i] += s0.wd * p[i];
        }
        loss += (s0.wd / 2) * sq;
      }
      net.adamStep(lr);
      this.steps++;
      this.lastLoss = loss;
    }
  }

  /**
   * The points as this run's method perturbs them for the current model and ε ([n·2] → new [n·2]): AOE
   * x − ε·sign(∇ₓ mean E) (Eq. 7), AOE-PGD (k steps of 2.5ε/k from a random start in the L∞ ball), Gaussian
   * noise of variance ε (Eq. 10), or a copy (CE, OE). Float32 arithmetic as the tfjs ops do it.
   */
  perturbPoints(points: Float32Array, rng: Random): Float32Array {
    const { method, epsilon, pgdSteps } = this.settings;
    const n = points.length;
    const out = Float32Array.from(points);
    if (epsilon === 0 || (method !== 'AOE' && method !== 'AOE-PGD' && method !== 'OE+noise')) return out;
    const eps = Math.fround(epsilon);
    if (method === 'OE+noise') {
      const delta = rng.normalArray(n, 0, Math.sqrt(epsilon));
      for (let i = 0; i < n; i++) out[i] = points[i] + delta[i];
      return out;
    }
    if (method === 'AOE') {
      const g = this.meanEnergyInputGrad(points);
      for (let i = 0; i < n; i++) out[i] = points[i] - eps * Math.sign(g[i]);
      return out;
    }
    if (!Number.isInteger(pgdSteps) || pgdSteps < 0)
      throw new Error(`AOE-PGD: steps must be an integer ≥ 0, got ${pgdSteps}`);
    const alpha = Math.fround((2.5 * epsilon) / Math.max(1, pgdSteps));
    const noise = rng.uniformArray(n, -epsilon, epsilon);
    const lo = new Float32Array(n);
    const hi = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = points[i] + noise[i];
      lo[i] = points[i] - eps;
      hi[i] = points[i] + eps;
    }
    for (let t = 0; t < pgdSteps; t++) {
      const g = this.meanEnergyInputGrad(out);
      for (let i = 0; i < n; i++) {
        const stepped = Math.fround(out[i] - alpha * Math.sign(g[i]));
        out[i] = Math.min(Math.max(stepped, lo[i]), hi[i]);
      }
    }
    return out;
  }

  /** ∇ₓ mean_i E(x_i) at the points [n·2] → [n·2] (a copy). */
  private meanEnergyInputGrad(points: Float32Array): Float32Array {
    const net = this.model;
    const total = points.length / 2;
    const out = new Float32Array(points.length);
    const k = this.data.numClasses;
    for (let r0 = 0; r0 < total; r0 += net.maxRows) {
      const rows = Math.min(net.maxRows, total - r0);
      net.setInputPoints(points.subarray(2 * r0, 2 * (r0 + rows)));
      net.forward(rows);
      meanEnergyGrad(net.logitsView(rows), net.logitStride, k, rows, net.dLogitsView(rows));
      if (total !== rows) {
        // The mean is over all points, not this chunk: rescale (signs are unchanged; kept for exactness).
        const d = net.dLogitsView(rows);
        for (let i = 0; i < d.length; i++) d[i] *= rows / total;
      }
      net.backward(rows, false, true);
      const g = net.inputGradView(rows);
      const st = net.inputStride;
      for (let i = 0; i < rows; i++) {
        out[2 * (r0 + i)] = g[i * st];
        out[2 * (r0 + i) + 1] = g[i * st + 1];
      }
    }
    return out;
  }

  /** Logits [n, K] of points [n·2]. */
  logits(points: Float32Array): Float32Array {
    const net = this.model;
    const total = points.length / 2;
    const k = this.data.numClasses;
    const out = new Float32Array(total * k);
    for (let r0 = 0; r0 < total; r0 += net.maxRows) {
      const rows = Math.min(net.maxRows, total - r0);
      net.setInputPoints(points.subarray(2 * r0, 2 * (r0 + rows)));
      net.forward(rows);
      const l = net.logitsView(rows);
      const st = net.logitStride;
      for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) out[(r0 + i) * k + c] = l[i * st + c];
    }
    return out;
  }

  /** Energies E(x) = −logsumexp f(x) of points [N·2] (float32, higher = more OOD). */
  energies(points: Float32Array): Float32Array {
    const k = this.data.numClasses;
    return energiesOf(this.logits(points), k, k, points.length / 2);
  }

  /** Full evaluation on a size×size grid (see `evaluateToy`). */
  evaluate(gridSize: number, viewHalf: number): ToyEvaluation {
    return evaluateToy(this, gridSize, viewHalf);
  }

  /** Nothing to free (the engine's memory is garbage-collected); kept so both engines share one interface. */
  dispose(): void {}
}
