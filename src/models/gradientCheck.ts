import * as tf from '@tensorflow/tfjs-core';
import { outlierExposureLoss } from '../core/losses';
import { Random } from '../core/random';
import { WideResNet } from './wrn';
import { wrnConfig } from './wrnSpec';

/**
 * Gradients of a whole-batch OE loss (λ = 0.5) of a seeded WRN-10-1 (dropout 0, training-mode BN) on 2 ID + 2
 * outlier images, w.r.t. every trainable weight (by state_dict key) and the input ('input'), on the ACTIVE
 * backend. Deterministic for a seed on every backend, so two backends can be compared. Read back asynchronously
 * (the self-test runs in the worker, where a synchronous WebGPU read destroys SwiftShader's device).
 */
export async function wrnOeGradients(seed = 5): Promise<Map<string, Float32Array>> {
  const config = wrnConfig('WRN-10-1', { dropRate: 0 });
  const rng = new Random(seed);
  const xv = rng.uniformArray(4 * 32 * 32 * 3, -1, 1);
  // The initial weights are drawn in JS by `Random`, so every backend starts from identical values.
  const model = new WideResNet(config, seed);
  const x = tf.tensor4d(xv, [4, 32, 32, 3]);
  const labels = tf.tensor1d([1, 7], 'int32');
  const vars = model.trainableVariables();
  const loss = (input: tf.Tensor4D) => {
    const { logits } = model.forward(input, { training: true, collectStats: false });
    const [a, b] = tf.split(logits, 2);
    return outlierExposureLoss(a as tf.Tensor2D, labels, b as tf.Tensor2D, 0.5, 'whole-batch');
  };
  const { value, grads } = tf.variableGrads(() => loss(x), vars);
  const out = new Map<string, Float32Array>();
  try {
    for (const v of vars)
      out.set(v.name.slice(v.name.indexOf('/') + 1), (await grads[v.name].data()) as Float32Array);
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
  const gx = tf.grad((input: tf.Tensor) => loss(input as tf.Tensor4D))(x);
  try {
    out.set('input', (await gx.data()) as Float32Array);
  } finally {
    tf.dispose([gx, x, labels]);
    model.dispose();
  }
  return out;
}

/** Result of `compareGradientsWithCpu`. */
export interface GradientCheck {
  backend: string;
  /** Worst over tensors of max|g − g_cpu| / max|g_cpu|. */
  worstRelError: number;
  /** The tensor where it occurs. */
  worstTensor: string;
  tensors: number;
  /** Wall time of the gradient computation on `backend` (ms; includes one-off kernel setup). */
  ms: number;
}

/**
 * Compute `wrnOeGradients` on the active backend and on 'cpu' (the reference), and compare them. The active
 * backend is restored afterwards.
 */
export async function compareGradientsWithCpu(seed = 5): Promise<GradientCheck> {
  const backend = tf.getBackend();
  const t0 = Date.now();
  const got = await wrnOeGradients(seed);
  const ms = Date.now() - t0;
  await tf.setBackend('cpu');
  let want: Map<string, Float32Array>;
  try {
    want = await wrnOeGradients(seed);
  } finally {
    await tf.setBackend(backend);
  }
  let worstRelError = 0;
  let worstTensor = '';
  for (const [k, w] of want) {
    const g = got.get(k)!;
    let d = 0;
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      d = Math.max(d, Math.abs(g[i] - w[i]));
      s = Math.max(s, Math.abs(w[i]));
    }
    if (d / s > worstRelError || !worstTensor) [worstRelError, worstTensor] = [d / s, k];
  }
  return { backend, worstRelError, worstTensor, tensors: want.size, ms };
}
