/**
 * Outlier perturbations, each a pure function (model: LogitsFn, x, options) → NEW tensor of x's shape that
 * leaks no tensors: the AOE energy step (Eq. 7), the Gaussian-noise baseline (Eq. 10), energy PGD, the
 * test-time FGSM adversary of §5.5, and ODIN's input pre-processing. Implementations live in ./perturbations/.
 *
 * All but the noise baseline call `tf.grad`: the entry point must register tfjs gradients once (tfjs-core ships
 * none): `import '@tensorflow/tfjs-core/dist/register_all_gradients'` (tests/setup.ts and the worker do).
 */
export type { ClampRange, Preprocess } from './perturbations/common';
export { energyGradientStep, type EnergyGradientStepOptions } from './perturbations/energyStep';
export { gaussianNoiseStep, type GaussianNoiseMode, type GaussianNoiseOptions } from './perturbations/noise';
export { energyPgd, projectedSignIterations, type EnergyPgdOptions } from './perturbations/pgd';
export {
  fgsmOutlierExposure,
  type FgsmObjective,
  type FgsmOutlierExposureOptions,
} from './perturbations/fgsm';
export { odinPredicted, odinPreprocess, type OdinOptions } from './perturbations/odin';
