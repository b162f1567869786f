import * as tf from '@tensorflow/tfjs-core';
import type { LogitsFn } from '../model';
import { odinPredicted, odinPreprocess, type OdinOptions } from '../perturbations/odin';
import type { Detector, DetectorInput } from './types';

export { odinPreprocess } from '../perturbations';
export type { OdinOptions } from '../perturbations/odin';

/**
 * ODIN detector: score = −max_c softmax(f(x̂))_c at **T = 1** (pytorch-ood does not reapply the temperature,
 * unlike the original ODIN), with x̂ = {@link odinPreprocess}(x). Needs `inputs` and the model; `score` reads the
 * scores back synchronously, `scoreAsync` asynchronously (use it in the worker: WebGPU). Given the clean `logits` of the same rows too (e.g. from the forward pass the
 * other detectors share), ŷ is taken from them and the clean forward pass is skipped: same scores, one forward
 * pass fewer per image.
 */
export class ODIN implements Detector {
  readonly name = 'ODIN';
  readonly needs = ['inputs'] as const;
  constructor(
    readonly model: LogitsFn,
    readonly options: OdinOptions = {},
  ) {}

  /** The scores [N] as a tensor (caller disposes); see the class comment. */
  scoreTensor(input: DetectorInput): tf.Tensor1D {
    const x = input.inputs;
    if (!x) throw new Error('ODIN: needs inputs (it perturbs them through the model)');
    const l = input.logits;
    if (l && l.rows !== x.shape[0])
      throw new Error(`ODIN: ${l.rows} rows of logits for ${x.shape[0]} inputs`);
    const predicted = l
      ? {
          index: odinPredicted(l.data, l.rows, l.cols, this.options.temperature ?? 1000),
          numClasses: l.cols,
        }
      : null;
    return tf.tidy(() => {
      const xHat = odinPreprocess(this.model, x, { ...this.options, predicted });
      return tf.neg(tf.max(tf.softmax(this.model(xHat)), 1)) as tf.Tensor1D;
    });
  }

  /** Scores read back synchronously (CPU/WASM; on WebGPU prefer {@link scoreAsync}). */
  score(input: DetectorInput): Float32Array {
    const s = this.scoreTensor(input);
    try {
      return new Float32Array(s.dataSync());
    } finally {
      s.dispose();
    }
  }

  /**
   * The same scores read back asynchronously: on WebGPU a synchronous read goes through a canvas and, on
   * SwiftShader, destroys the device for every later step (the worker's training and analyses share it).
   */
  async scoreAsync(input: DetectorInput): Promise<Float32Array> {
    const s = this.scoreTensor(input);
    try {
      return new Float32Array(await s.data());
    } finally {
      s.dispose();
    }
  }
}
