import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import { odinPreprocess, type OdinOptions } from '../perturbations/odin';
import type { Detector, DetectorInput } from './types';

export { odinPreprocess } from '../perturbations';
export type { OdinOptions } from '../perturbations/odin';

/**
 * ODIN detector: score = −max_c softmax(f(x̂))_c at **T = 1** (pytorch-ood does not reapply the temperature,
 * unlike the original ODIN), with x̂ = {@link odinPreprocess}(x). Needs `inputs` and the model; reads the scores
 * back synchronously (dataSync).
 */
export class ODIN implements Detector {
  readonly name = 'ODIN';
  readonly needs = ['inputs'] as const;
  constructor(
    readonly model: LogitsFn,
    readonly options: OdinOptions = {},
  ) {}

  score(input: DetectorInput): Float32Array {
    const x = input.inputs;
    if (!x) throw new Error('ODIN: needs inputs (it perturbs them through the model)');
    const s = tf.tidy(() => {
      const xHat = odinPreprocess(this.model, x, this.options);
      return tf.neg(tf.max(tf.softmax(this.model(xHat)), 1));
    });
    const out = new Float32Array(s.dataSync());
    s.dispose();
    return out;
  }
}
