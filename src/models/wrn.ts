import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../core/model';
import { Random } from '../core/random';
import { batchNormEval, batchNormTrain, updateRunningStats, type BatchNormParams } from './batchNorm';
import type {
  BatchNormStats,
  ForwardOptions,
  ForwardResult,
  ImageClassifier,
  ModelState,
  WrnConfig,
} from './types';
import { validateWrnConfig, wrnBlocks, wrnStateEntries, type BlockSpec, type StateEntry } from './wrnSpec';

let instanceCounter = 0;

/**
 * Initial value of one state entry, as PyTorch's WideResNet.__init__ does: convs Kaiming-normal (fan_out,
 * std √(2/(k²·out))), BN γ=1 β=0 running (0, 1), fc weight U(±1/√in) (nn.Linear's default), fc bias 0.
 */
function initialValue(e: StateEntry, rng: Random): tf.Tensor {
  const size = e.tfShape.reduce((a, b) => a * b, 1);
  switch (e.kind) {
    case 'conv': {
      const [k, , , out] = e.tfShape;
      return tf.tensor(rng.normalArray(size, 0, Math.sqrt(2 / (k * k * out))), e.tfShape);
    }
    case 'fcWeight': {
      const bound = 1 / Math.sqrt(e.tfShape[0]);
      return tf.tensor(rng.uniformArray(size, -bound, bound), e.tfShape);
    }
    case 'bnWeight':
    case 'bnVar':
      return tf.ones(e.tfShape);
    default:
      return tf.zeros(e.tfShape);
  }
}

/**
 * Pre-activation WideResNet-depth-width (pytorch-ood / Hendrycks `wrn.py`, OOD_SPEC.md §4), functional on
 * tfjs-core. Input [N, 32, 32, 3] NHWC float32 (normalised); all convs bias-free with explicit symmetric
 * padding (pad 1 for 3×3, 0 for 1×1 — tfjs 'same' would pad bottom/right only at stride 2).
 */
export class WideResNet implements ImageClassifier {
  readonly config: WrnConfig;
  private readonly entries: StateEntry[];
  private readonly vars = new Map<string, tf.Variable>();
  private readonly blocks: BlockSpec[];
  private numBatchesTracked = 0;

  /** @param seed seeds the initial weights (through `Random`). */
  constructor(config: WrnConfig, seed = 0) {
    validateWrnConfig(config);
    this.config = { ...config };
    this.entries = wrnStateEntries(config).filter((e) => e.kind !== 'bnCount');
    this.blocks = wrnBlocks(config);
    const prefix = `wrn${instanceCounter++}/`;
    const rng = new Random(seed);
    for (const e of this.entries) {
      const init = initialValue(e, rng);
      this.vars.set(e.key, tf.variable(init, e.trainable, prefix + e.key));
      init.dispose();
    }
  }

  /** The variable of a state_dict key (e.g. `block1.layer.0.conv1.weight`); throws for unknown keys. */
  variable(key: string): tf.Variable {
    return this.v(key);
  }

  /** The four variables of the BatchNorm named `name` (e.g. `block1.layer.0.bn1`, `bn1` for the head). */
  batchNorm(name: string): BatchNormParams {
    return this.bnParams(name);
  }

  /** The BasicBlocks in forward order. */
  get blockSpecs(): readonly BlockSpec[] {
    return this.blocks;
  }

  private v(key: string): tf.Variable {
    const found = this.vars.get(key);
    if (!found) throw new Error(`WideResNet has no variable '${key}'`);
    return found;
  }

  private bnParams(name: string): BatchNormParams {
    return {
      gamma: this.v(`${name}.weight`),
      beta: this.v(`${name}.bias`),
      runningMean: this.v(`${name}.running_mean`),
      runningVar: this.v(`${name}.running_var`),
    };
  }

  forward(x: tf.Tensor4D, opts: ForwardOptions): ForwardResult {
    const { training } = opts;
    const collect = training && opts.collectStats !== false;
    if (x.rank !== 4 || x.shape[1] !== 32 || x.shape[2] !== 32 || x.shape[3] !== 3) {
      throw new Error(`WideResNet expects input [N, 32, 32, 3], got [${x.shape.join(', ')}]`);
    }
    const dropping = training && this.config.dropRate > 0;
    if (dropping && !opts.rng) throw new Error('a training forward with dropout needs a seeded rng');
    const stats: { name: string; mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
    const bn = (name: string, h: tf.Tensor4D): tf.Tensor4D => {
      const p = this.bnParams(name);
      if (!training) return batchNormEval(h, p);
      const r = batchNormTrain(h, p, collect);
      if (r.mean && r.variance) stats.push({ name, mean: r.mean, variance: r.variance });
      return r.y;
    };
    const conv = (h: tf.Tensor4D, key: string, stride: number, pad: number): tf.Tensor4D =>
      tf.conv2d(h, this.v(key) as tf.Tensor4D, stride, pad);

    const result = tf.tidy(() => {
      let h = conv(x, 'conv1.weight', 1, 1);
      for (const b of this.blocks) {
        const a = tf.relu(bn(`${b.prefix}.bn1`, h));
        let out = conv(a, `${b.prefix}.conv1.weight`, b.stride, 1);
        out = tf.relu(bn(`${b.prefix}.bn2`, out));
        if (dropping) out = tf.dropout(out, this.config.dropRate, undefined, opts.rng!.seed()) as tf.Tensor4D;
        out = conv(out, `${b.prefix}.conv2.weight`, 1, 1);
        const shortcut = b.hasShortcut ? conv(a, `${b.prefix}.convShortcut.weight`, b.stride, 0) : h;
        h = tf.add(shortcut, out);
      }
      const pooled = tf.mean(tf.relu(bn('bn1', h)), [1, 2]) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(pooled, this.v('fc.weight')), this.v('fc.bias')) as tf.Tensor2D;
      return { logits, features: pooled };
    });
    return collect ? { ...result, batchStats: { entries: stats } } : result;
  }

  trainableVariables(): tf.Variable[] {
    return this.entries.filter((e) => e.trainable).map((e) => this.v(e.key));
  }

  applyBatchNormStats(stats: BatchNormStats): void {
    for (const e of stats.entries) updateRunningStats(this.bnParams(e.name), e.mean, e.variance);
    for (const e of stats.entries) {
      e.mean.dispose();
      e.variance.dispose();
    }
    this.numBatchesTracked++;
  }

  getState(): ModelState {
    const tensors = new Map<string, tf.Tensor>();
    for (const e of this.entries) tensors.set(e.key, this.v(e.key).clone());
    return { tensors, numBatchesTracked: this.numBatchesTracked };
  }

  setState(state: ModelState): void {
    for (const e of this.entries) {
      const t = state.tensors.get(e.key);
      if (!t) throw new Error(`state is missing '${e.key}' [${e.tfShape.join(', ')}]`);
      if (!tf.util.arraysEqual(t.shape, e.tfShape)) {
        throw new Error(`'${e.key}' has shape [${t.shape.join(', ')}], expected [${e.tfShape.join(', ')}]`);
      }
    }
    const known = new Set(this.entries.map((e) => e.key));
    for (const key of state.tensors.keys()) {
      if (!known.has(key)) throw new Error(`state has unexpected key '${key}'`);
    }
    for (const e of this.entries) this.v(e.key).assign(state.tensors.get(e.key)!);
    this.numBatchesTracked = state.numBatchesTracked;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** Number of trainable scalars of a classifier. */
export function countTrainableParameters(model: ImageClassifier): number {
  return model.trainableVariables().reduce((sum, v) => sum + v.size, 0);
}

/**
 * Adapt a classifier to the method's `LogitsFn` (for perturbations and detectors). In training mode BN uses
 * the batch's statistics and they are discarded (never committed): the AOE attack's train-mode copy.
 * @param rng seeds dropout when `training` and the model has dropout.
 */
export function asLogitsFn(
  model: Pick<ImageClassifier, 'forward'>,
  training: boolean,
  rng?: Random,
): LogitsFn {
  return (x) => tf.tidy(() => model.forward(x as tf.Tensor4D, { training, rng, collectStats: false }).logits);
}
