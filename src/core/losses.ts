import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-sample cross-entropy with integer labels: ℓ_i = logsumexp(f_i) − f_i,y_i.
 * @param logits [N, C]; @param labels [N] int32 class indices in 0..C−1.
 * @returns [N] losses (nats).
 */
export function crossEntropyPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logProbs = tf.logSoftmax(logits, 1);
    const picked = tf.sum(tf.mul(logProbs, tf.oneHot(tf.cast(labels, 'int32'), numClasses)), 1);
    return tf.neg(picked) as tf.Tensor1D;
  });
}

/** Mean cross-entropy over the batch (scalar, nats). Shapes as `crossEntropyPerSample`. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(crossEntropyPerSample(logits, labels)) as tf.Scalar);
}

/**
 * Per-sample outlier-exposure term: cross-entropy from the softmax to the uniform distribution,
 * logsumexp(f_i) − mean_c f_i,c = −(1/C)·Σ_c log softmax(f_i)_c (≥ log C; equal to log C exactly when all
 * logits are equal). It is the negative of paper Eq. 5 as printed; OE training minimises this quantity.
 * @param logits [M, C] logits of outliers. @returns [M] (nats).
 */
export function uniformCrossEntropyPerSample(logits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.logSumExp(logits, 1), tf.mean(logits, 1)) as tf.Tensor1D);
}

/**
 * How the ID and OOD terms of the OE loss are averaged.
 * - `'separate'` (default, the paper's Eq. 5 and Hendrycks et al.): mean_ID CE + λ·mean_OOD L_OE.
 * - `'whole-batch'` (pytorch-ood's `OutlierExposureLoss`, what the AOE code runs): (Σ_ID CE + λ·Σ_OOD L_OE)/(N+M);
 *   with N = M this is half of `'separate'`.
 */
export type OeReduction = 'separate' | 'whole-batch';

/**
 * Outlier-exposure loss (paper Eq. 5).
 * @param idLogits [N, C] logits of in-distribution samples; @param idLabels [N] int32 labels.
 * @param oodLogits [M, C] logits of (possibly perturbed) outliers.
 * @param lambda weight λ of the outlier term (paper: 0.5).
 * @returns scalar loss (nats).
 */
export function outlierExposureLoss(
  idLogits: tf.Tensor2D,
  idLabels: tf.Tensor1D,
  oodLogits: tf.Tensor2D,
  lambda = 0.5,
  reduction: OeReduction = 'separate',
): tf.Scalar {
  return tf.tidy(() => {
    const ce = crossEntropyPerSample(idLogits, idLabels);
    const oe = uniformCrossEntropyPerSample(oodLogits);
    if (reduction === 'separate') return tf.add(tf.mean(ce), tf.mul(tf.mean(oe), lambda)) as tf.Scalar;
    const total = tf.add(tf.sum(ce), tf.mul(tf.sum(oe), lambda));
    return tf.div(total, ce.shape[0] + oe.shape[0]) as tf.Scalar;
  });
}

/** Options of the energy-bounded loss. Defaults are Liu et al.'s CIFAR settings (energy_ood/CIFAR/train.py). */
export interface EnergyBoundedLossOptions {
  /** Weight λ of the energy penalty (Liu et al.: 0.1; pytorch-ood's `alpha` defaults to 1.0). */
  lambda?: number;
  /** Margin m_in: ID energies above it are penalised (Liu et al.: −25; pytorch-ood: −1). */
  marginIn?: number;
  /** Margin m_out: OOD energies below it are penalised (Liu et al.: −7; pytorch-ood: −1). */
  marginOut?: number;
  /**
   * - `'separate'` (default, Liu et al.): mean_ID CE + λ·(mean_ID relu(E−m_in)² + mean_OOD relu(m_out−E)²).
   * - `'whole-batch'` (pytorch-ood `EnergyRegularizedLoss`): every per-sample term (CE and penalty for ID,
   *   penalty for OOD) summed and divided by N+M.
   */
  reduction?: OeReduction;
}

/**
 * Energy-bounded ("energy-regularised") OE loss of Liu et al. 2020, with E = −logsumexp(f) (T = 1):
 * squared hinge penalties push ID energies below m_in and OOD energies above m_out. Not used by AOE itself;
 * offered as an alternative training objective. See `EnergyBoundedLossOptions` for the two reductions.
 * @param idLogits [N, C]; @param idLabels [N] int32; @param oodLogits [M, C].
 * @returns scalar loss (CE in nats plus λ·energy²).
 */
export function energyBoundedLoss(
  idLogits: tf.Tensor2D,
  idLabels: tf.Tensor1D,
  oodLogits: tf.Tensor2D,
  options: EnergyBoundedLossOptions = {},
): tf.Scalar {
  const { lambda = 0.1, marginIn = -25, marginOut = -7, reduction = 'separate' } = options;
  return tf.tidy(() => {
    const ce = crossEntropyPerSample(idLogits, idLabels);
    const eIn = tf.neg(tf.logSumExp(idLogits, 1));
    const eOut = tf.neg(tf.logSumExp(oodLogits, 1));
    const penIn = tf.square(tf.relu(tf.sub(eIn, marginIn)));
    const penOut = tf.square(tf.relu(tf.sub(marginOut, eOut)));
    if (reduction === 'separate') {
      return tf.add(tf.mean(ce), tf.mul(tf.add(tf.mean(penIn), tf.mean(penOut)), lambda)) as tf.Scalar;
    }
    const total = tf.add(tf.sum(ce), tf.mul(tf.add(tf.sum(penIn), tf.sum(penOut)), lambda));
    return tf.div(total, ce.shape[0] + eOut.shape[0]) as tf.Scalar;
  });
}
