import * as tf from '@tensorflow/tfjs-core';
import { exactSign } from '../core/sign';
// tfjs-core alone registers no gradient functions; training needs them all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { crossEntropy, outlierExposureLoss } from '../core/losses';
import type { Random } from '../core/random';
import type { ExperimentConfig } from './config';
import { perturbOutliers } from './perturb';
import { energy } from '../core/energy';
import { WideResNet } from '../models/wrn';
import { wrnLossAndGradients } from '../models/wrnBackprop';
import { interruptPoint, throwIfAborted, type AbortSignalLike } from './interrupt';
import { disposeBatchNormStats, type BatchNormStats } from '../models/types';
import type { Sgd } from './optim/sgd';
import type { TrainableClassifier } from './types';

/** One step's inputs. Tensors are owned by the caller. */
export interface StepBatch {
  /** [B, H, W, C] ID images, already augmented and normalised. */
  idX: tf.Tensor4D;
  /** [B] int32 labels. */
  idY: tf.Tensor1D;
  /** [M, H, W, C] training outliers in [0,1] pixel units (null for CE); `preprocess` maps them to network input. */
  outX: tf.Tensor4D | null;
}

export interface StepOutcome {
  /** The loss of this step (nats), read back from the device. */
  loss: number;
  /** Correct train-mode predictions in the ID half. */
  correct: number;
  /** Whether the optimizer step was applied (false when the loss was not finite). */
  applied: boolean;
}

/** How a step can be interrupted (see interrupt.ts). */
export interface StepControl {
  /** Aborting it makes the step throw `StepAborted` within a layer's time, leaving the model unchanged. */
  signal?: AbortSignalLike;
  /** How to yield to the event loop between layers (default: a macrotask, at most every 100 ms). */
  yieldFn?: () => Promise<void>;
  /** Yield at most this often (ms; default 100). */
  yieldEveryMs?: number;
}

/**
 * The update of a step whose loss is known: a finite loss applies the gradients (SGD) and commits the batch's
 * BatchNorm statistics (which the model then owns and disposes); a NaN/Inf loss changes nothing.
 * @returns whether the update was applied.
 */
function applyIfFinite(
  loss: number,
  optimizer: Sgd,
  grads: Record<string, tf.Tensor>,
  lr: number,
  model: TrainableClassifier,
  stats: BatchNormStats | undefined,
): boolean {
  if (!Number.isFinite(loss)) return false;
  optimizer.step(grads, lr);
  if (stats) model.applyBatchNormStats(stats); // disposes them
  return true;
}

/** What a training step takes besides the model (`control` defaults to no signal and no yielding). */
type StepInputs = [
  optimizer: Sgd,
  batch: StepBatch,
  config: ExperimentConfig,
  lr: number,
  rng: Random,
  preprocess: (t: tf.Tensor) => tf.Tensor,
  control?: StepControl,
];

/**
 * One training step: perturb the outliers (per method; attacks run the train-mode model and discard their BN
 * statistics), run ID and perturbed outliers through ONE train-mode forward pass so BatchNorm normalises with
 * the statistics of both, compute the OE loss (CE for method CE), check it is finite, then apply the
 * optimizer with learning rate `lr` and commit the pass's BN statistics. A non-finite loss changes nothing.
 * Tensor-neutral: leaves the tensor count unchanged (apart from optimizer buffers created on the first step).
 *
 * A WideResNet takes the hand-written, memory-lean passes of wrnBackprop.ts (the attack's activations are
 * freed before the training pass starts; the step yields between layers and honours `control.signal`);
 * other models (the test networks) take tfjs autodiff. Both compute the same function with the same rng draws.
 * @throws StepAborted when `control.signal` is aborted before the update (nothing was changed).
 */
export async function trainStep(model: TrainableClassifier, ...inputs: StepInputs): Promise<StepOutcome> {
  const [optimizer, batch, config, lr, rng, preprocess, control = {}] = inputs;
  if (model instanceof WideResNet && config.method !== 'AOE-PGD') return wrnTrainStep(model, ...inputs);
  throwIfAborted(control.signal);
  const variables = model.trainableVariables();
  const nId = batch.idX.shape[0];
  let stats: BatchNormStats | undefined;
  let correctT: tf.Tensor | null = null;
  const attackRng = rng.fork();
  const { value, grads } = tf.tidy(() => {
    let input: tf.Tensor4D = batch.idX;
    if (batch.outX && config.method !== 'CE') {
      const perturbed = perturbOutliers(model, batch.outX, config, attackRng, preprocess);
      input = tf.concat([batch.idX, preprocess(perturbed) as tf.Tensor4D], 0);
    }
    const result = tf.variableGrads(() => {
      const out = model.forward(input, { training: true, rng });
      const idLogits = tf.slice(out.logits, [0, 0], [nId, -1]) as tf.Tensor2D;
      stats = out.batchStats;
      correctT = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(idLogits, 1), batch.idY), 'int32')));
      if (input === batch.idX) return crossEntropy(idLogits, batch.idY);
      const oodLogits = tf.slice(out.logits, [nId, 0], [-1, -1]) as tf.Tensor2D;
      return outlierExposureLoss(idLogits, batch.idY, oodLogits, config.lambda, config.oeReduction);
    }, variables);
    return result;
  });
  try {
    const [loss] = await value.data();
    const [correct] = correctT ? await (correctT as tf.Tensor).data() : [0];
    throwIfAborted(control.signal);
    const applied = applyIfFinite(loss, optimizer, grads, lr, model, stats);
    if (applied) stats = undefined; // handed to the model
    return { loss, correct, applied };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
    if (correctT) tf.dispose(correctT);
    disposeBatchNormStats(stats);
  }
}

/** `trainStep` for a WideResNet through the hand-written passes (same semantics and rng draws as autodiff). */
async function wrnTrainStep(
  model: WideResNet,
  ...[optimizer, batch, config, lr, rng, preprocess, control = {}]: StepInputs
): Promise<StepOutcome> {
  const between = interruptPoint({
    signal: control.signal,
    yieldFn: control.yieldFn,
    everyMs: control.yieldEveryMs,
  });
  await between();
  const nId = batch.idX.shape[0];
  const attackRng = rng.fork();
  let input: tf.Tensor4D = batch.idX;
  if (batch.outX && config.method !== 'CE') {
    const perturbed =
      config.method === 'AOE'
        ? await aoeStep(model, batch.outX, config, attackRng, preprocess, between)
        : perturbOutliers(model, batch.outX, config, attackRng, preprocess);
    input = tf.tidy(() => tf.concat([batch.idX, preprocess(perturbed) as tf.Tensor4D], 0));
    perturbed.dispose();
  }
  const lossOf = (logits: tf.Tensor2D) => {
    const idLogits = tf.slice(logits, [0, 0], [nId, -1]) as tf.Tensor2D;
    if (input === batch.idX) return crossEntropy(idLogits, batch.idY);
    const oodLogits = tf.slice(logits, [nId, 0], [-1, -1]) as tf.Tensor2D;
    return outlierExposureLoss(idLogits, batch.idY, oodLogits, config.lambda, config.oeReduction);
  };
  let r;
  try {
    r = await wrnLossAndGradients(model, input, lossOf, {
      inputGrad: false,
      weightGrads: true,
      collectStats: true,
      rng,
      between,
    });
  } finally {
    if (input !== batch.idX) input.dispose();
  }
  const grads = r.grads!;
  let stats: BatchNormStats | undefined = r.stats;
  try {
    const correctT = tf.tidy(() =>
      tf.sum(tf.cast(tf.equal(tf.argMax(tf.slice(r.logits, [0, 0], [nId, -1]), 1), batch.idY), 'int32')),
    );
    const [loss] = await r.loss.data();
    const [correct] = await correctT.data();
    correctT.dispose();
    throwIfAborted(control.signal);
    const applied = applyIfFinite(loss, optimizer, grads, lr, model, stats);
    if (applied) stats = undefined; // handed to the model
    return { loss, correct, applied };
  } finally {
    tf.dispose([r.loss, r.logits, ...Object.values(grads)]);
    disposeBatchNormStats(stats);
  }
}

/**
 * The AOE perturbation (paper Eq. 7, as `energyGradientStep`) on the train-mode WideResNet through the
 * hand-written input-gradient pass: x̂ = x − ε·sign(∇ₓ mean E(preprocess(x))). Its activations are freed
 * before it returns. @param x [M,32,32,3] pixels. @returns a new tensor (caller disposes).
 */
async function aoeStep(
  model: WideResNet,
  x: tf.Tensor4D,
  config: ExperimentConfig,
  rng: Random,
  preprocess: (t: tf.Tensor) => tf.Tensor,
  between: () => Promise<void>,
): Promise<tf.Tensor4D> {
  if (config.epsilon === 0) return x.clone();
  const xin = tf.tidy(() => preprocess(x) as tf.Tensor4D);
  // An identity preprocessing (the authors' raw outliers: ε in network-input units) hands back x itself.
  const identity = xin === x;
  let r;
  try {
    r = await wrnLossAndGradients(model, xin, (logits) => tf.mean(energy(logits)) as tf.Scalar, {
      inputGrad: true,
      weightGrads: false,
      collectStats: false,
      rng,
      between,
    });
  } finally {
    if (!identity) xin.dispose();
  }
  const gIn = r.inputGrad!;
  tf.dispose([r.loss, r.logits]);
  try {
    return tf.tidy(() => {
      // Chain through the preprocessing (vector-Jacobian product), so ε stays in pixel units; an identity
      // has no op to differentiate and passes the gradient through.
      const gPix = identity ? gIn : tf.grad((px: tf.Tensor) => preprocess(px))(x, gIn);
      const moved = tf.sub(x, tf.mul(exactSign(gPix), config.epsilon));
      return (config.clamp ? tf.clipByValue(moved, 0, 1) : moved) as tf.Tensor4D;
    });
  } finally {
    gIn.dispose();
  }
}
