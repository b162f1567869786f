/** OOD detectors behind one interface ({@link Detector}); higher score = more OOD everywhere. */
export type { Detector, DetectorField, DetectorFitData, DetectorInput, Matrix } from './types';
export { matrixFromTensor, scoreAsync } from './types';
export { EnergyBased, KLMatching, MaxLogit, MaxSoftmax } from './logitBased';
export { SHE } from './she';
export { DICE, percentileLinear } from './dice';
export { Mahalanobis, mahalanobisPreprocess, signStep } from './mahalanobis';
export type { FeaturesFn, InputPreprocessOptions } from './mahalanobis';
export { ViM } from './vim';
export { ODIN, odinPreprocess } from './odin';
export type { OdinOptions } from './odin';
