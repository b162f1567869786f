import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradient functions; training needs them all.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { crossEntropy, outlierExposureLoss } from '../core/losses';
import type { Random } from '../core/random';
import type { ExperimentConfig } from './config';
import { perturbOutliers } from './perturb';
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

/**
 * One training step: perturb the outliers (per method; attacks run the train-mode model and discard their BN
 * statistics), run ID and perturbed outliers through ONE train-mode forward pass so BatchNorm normalises with
 * the statistics of both, compute the OE loss (CE for method CE), check it is finite, then apply the
 * optimizer with learning rate `lr` and commit the pass's BN statistics. A non-finite loss changes nothing.
 * Tensor-neutral: leaves the tensor count unchanged (apart from optimizer buffers created on the first step).
 */
export async function trainStep(
  model: TrainableClassifier,
  optimizer: Sgd,
  batch: StepBatch,
  config: ExperimentConfig,
  lr: number,
  rng: Random,
  preprocess: (t: tf.Tensor) => tf.Tensor,
): Promise<StepOutcome> {
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
    const applied = Number.isFinite(loss);
    if (applied) {
      optimizer.step(grads, lr);
      if (stats) model.applyBatchNormStats(stats); // disposes them
      stats = undefined;
    }
    return { loss, correct, applied };
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
    if (correctT) tf.dispose(correctT);
    disposeBatchNormStats(stats);
  }
}
