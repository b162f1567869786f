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
import { mlpConfig, toyBatchIndices, toyLrAt, type ToyTrainSettings } from './runCommon';
import { ToyRunBase } from './runBase';

export type { ToyTrainSettings } from './runCommon';

/** Rows the engine holds at once at least (evaluation grids are processed in chunks of this many). */
const MIN_ROWS = 2048;

export class ToyRun extends ToyRunBase {
  readonly model: FastMlp;
  private readonly labels: Int32Array;
  private readonly outBuf: Float32Array;

  /**
   * @param start the weights every reset returns to; default `ToyRun.start(data, settings)` (pass it when several
   *   runs share one start, to compute the pre-training once).
   */
  constructor(data: ToyData, settings: ToyTrainSettings, start?: MlpWeights) {
    super(data, settings, start ?? ToyRun.start(data, settings));
    const nId = data.train.y.length;
    const nOut = data.outliers.length / 2;
    this.model = new FastMlp(mlpConfig(data, settings), this.initial, Math.max(MIN_ROWS, nId + nOut));
    this.labels = new Int32Array(nId);
    this.outBuf = new Float32Array(2 * nOut);
    this.reset();
  }

  protected resetOptimizer(): void {
    this.model.resetOptimizer();
  }

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

  energies(points: Float32Array): Float32Array {
    const k = this.data.numClasses;
    return energiesOf(this.logits(points), k, k, points.length / 2);
  }

  /** Nothing to free (the engine's memory is garbage-collected); kept so both engines share one interface. */
  dispose(): void {}
}
