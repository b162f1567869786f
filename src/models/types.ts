import type * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../core/random';

/**
 * Architecture of a WideResNet-depth-width (OOD_SPEC.md §4). depth = 6n + 4 with n BasicBlocks per group;
 * channels [16, 16k, 32k, 64k] for widen factor k. Input NHWC float32 [N, 32, 32, 3].
 */
export interface WrnConfig {
  readonly kind: 'wrn';
  /** 6n + 4 (40 for the paper's WRN-40-2, 16 for the browser default, 10 for tests). */
  readonly depth: number;
  /** k (2 for WRN-40-2 / WRN-16-2, 1 for WRN-10-1). */
  readonly widenFactor: number;
  /** Number of classes C (10 or 100). */
  readonly numClasses: number;
  /** Dropout probability inside each BasicBlock, active only in training (pytorch-ood default 0.3). */
  readonly dropRate: number;
}

/**
 * Per-BatchNorm statistics of ONE training forward pass, already reduced over N·H·W:
 * `mean` is the batch mean, `variance` the UNBIASED batch variance (÷(n−1)), as PyTorch feeds its running
 * estimates. The tensors are kept (outside any tf.tidy); whoever receives them must either commit them with
 * `applyBatchNormStats` (which disposes them) or throw them away with `disposeBatchNormStats`.
 */
export interface BatchNormStats {
  /** BN name (the PyTorch module path, e.g. `block1.layer.0.bn1`) → its batch statistics [channels]. */
  readonly entries: ReadonlyArray<{ name: string; mean: tf.Tensor1D; variance: tf.Tensor1D }>;
}

/** Options of a forward pass. */
export interface ForwardOptions {
  /** Training mode: BN normalises with the batch's statistics and dropout is active. */
  training: boolean;
  /** Seeds the dropout masks; required when training with dropRate > 0 (every random choice is seeded). */
  rng?: Random;
  /**
   * Whether a training forward returns `batchStats` (default true). Pass false when the stats would be
   * discarded anyway (the AOE attack's train-mode copy), so no kept tensors are created.
   */
  collectStats?: boolean;
}

/** What a forward pass returns. */
export interface ForwardResult {
  /** [N, C] logits f(x). */
  logits: tf.Tensor2D;
  /** [N, D] penultimate features (after the head's BN → ReLU → global average pool; D = 64k for a WRN). */
  features: tf.Tensor2D;
  /** Present only for training forwards with collectStats ≠ false; see `BatchNormStats`. */
  batchStats?: BatchNormStats;
}

/**
 * Everything of a model that is saved: trainable weights and BN running statistics, by PyTorch state_dict key
 * (e.g. `block1.layer.0.conv1.weight`), in the tfjs layout (conv [kh,kw,in,out], fc [in,C]); plus the number of
 * committed BN updates (PyTorch's num_batches_tracked, the same for every BN here).
 */
export interface ModelState {
  tensors: Map<string, tf.Tensor>;
  numBatchesTracked: number;
}

/**
 * An image classifier built functionally on tfjs-core (explicit tf.Variable weights and forward), so it can be
 * differentiated w.r.t. inputs and weights with tf.grad / tf.variableGrads.
 *
 * BatchNorm contract: a training forward never mutates the model. It returns the batch statistics; the caller
 * decides whether to keep them (`applyBatchNormStats`, the real training step) or drop them (the AOE attack's
 * copy, whose running-stat updates must be discarded). This keeps forward passes pure inside tf.grad.
 */
export interface ImageClassifier {
  readonly config: WrnConfig;
  /** @param x [N, 32, 32, 3] float32, already normalised as the model expects. */
  forward(x: tf.Tensor4D, opts: ForwardOptions): ForwardResult;
  /** The trainable weights (conv kernels, BN γ/β, fc weight/bias), in PyTorch state_dict order. */
  trainableVariables(): tf.Variable[];
  /**
   * Commit one training forward's statistics, PyTorch semantics (momentum 0.1):
   * running_mean ← 0.9·running_mean + 0.1·batch_mean, running_var ← 0.9·running_var + 0.1·unbiased_batch_var;
   * increments num_batches_tracked. Disposes `stats`.
   */
  applyBatchNormStats(stats: BatchNormStats): void;
  /** A copy of all weights and running statistics (the caller owns and disposes the tensors). */
  getState(): ModelState;
  /** Overwrite weights and running statistics; keys and shapes must match exactly (throws naming the key). */
  setState(state: ModelState): void;
  /** Free all variables. */
  dispose(): void;
}

/** Dispose a `BatchNormStats` without committing it. */
export function disposeBatchNormStats(stats: BatchNormStats | undefined): void {
  if (!stats) return;
  for (const e of stats.entries) {
    e.mean.dispose();
    e.variance.dispose();
  }
}
