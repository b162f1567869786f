/**
 * The bookkeeping both toy-run engines share — settings, the seeded start, the random streams, step count and
 * loss, reset / restore / update, evaluation — around each engine's own network, optimiser and numerics (kept
 * apart in the subclasses: `engines.test.ts` checks one against the other).
 */
import type { Random } from '../../core/random';
import type { MlpWeights } from '../../models/mlp';
import type { ToyData } from './data';
import { evaluateToy, type ToyEvaluation } from './evaluate';
import { runStreams, seededInit, type EvaluableRun, type ToyTrainSettings } from './runCommon';

/** A concrete engine's constructor, as `ToyRunBase.start` builds its pre-training run with it. */
type ToyRunClass = new (data: ToyData, settings: ToyTrainSettings, start?: MlpWeights) => ToyRunBase;

export abstract class ToyRunBase implements EvaluableRun {
  readonly data: ToyData;
  settings: ToyTrainSettings;
  /** The network (weights via `getWeights` / `setWeights`). */
  abstract readonly model: { getWeights(): MlpWeights; setWeights(weights: MlpWeights): void };
  /** The weights every reset returns to. */
  protected readonly initial: MlpWeights;
  protected batchRng!: Random;
  protected perturbRng!: Random;
  /** Optimiser steps taken since the last reset. */
  steps = 0;
  /** Loss of the most recent step (nats), NaN before the first. */
  lastLoss = NaN;

  /** @param initial the weights every reset returns to (the subclass builds its network from them). */
  protected constructor(data: ToyData, settings: ToyTrainSettings, initial: MlpWeights) {
    this.data = data;
    this.settings = { ...settings };
    this.initial = initial;
  }

  /**
   * The seeded start of a run on this engine: He/Glorot initial weights, then — when `settings.pretrain` > 0 —
   * that many steps of plain cross-entropy training on the ID data (constant lr), as the paper fine-tunes a
   * classifier pre-trained on the ID data. Every method and ε starts from these same weights. Deterministic.
   */
  static start(this: ToyRunClass, data: ToyData, settings: ToyTrainSettings): MlpWeights {
    const init = seededInit(data, settings);
    if (!(settings.pretrain > 0)) return init;
    const ce = new this(data, { ...settings, method: 'CE', schedule: 'constant', pretrain: 0 }, init);
    ce.train(settings.pretrain);
    const w = ce.model.getWeights();
    ce.dispose();
    return w;
  }

  /** The batch-order and perturbation streams back to their seeded start. */
  protected reseed(): void {
    ({ batchRng: this.batchRng, perturbRng: this.perturbRng } = runStreams(this.settings.seed));
  }

  /** Back to the seeded initial weights, a fresh optimiser and the same batch order: a reset run repeats exactly. */
  reset(): void {
    this.model.setWeights(this.initial);
    this.resetOptimizer();
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

  /** Change training settings in place (ε, λ, method, …); Adam keeps its moments, a new lr applies next step. */
  update(settings: Partial<ToyTrainSettings>): void {
    this.settings = { ...this.settings, ...settings };
  }

  /** Full evaluation on a size×size grid (see `evaluateToy`). */
  evaluate(gridSize: number, viewHalf: number): ToyEvaluation {
    return evaluateToy(this, gridSize, viewHalf);
  }

  /** A fresh optimiser (Adam moments and step count zero) at `settings.lr`. */
  protected abstract resetOptimizer(): void;
  /**
   * Take `n` optimiser steps (synchronous; the caller chunks it to stay responsive).
   * @param constantLr ignore the schedule (continuous training has no end for a cosine to anneal towards).
   */
  abstract train(n: number, constantLr?: boolean): void;
  abstract logits(points: Float32Array): Float32Array;
  abstract perturbPoints(points: Float32Array, rng: Random): Float32Array;
  /** Energies E(x) = −logsumexp f(x) of points [N·2] (float32, higher = more OOD). */
  abstract energies(points: Float32Array): Float32Array;
  /** Free what the engine holds. */
  abstract dispose(): void;
}
