import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../core/random';
import { BN_EPSILON } from './batchNorm';
import { bnReluBackward, bnReluForward, fusedBnReluAvailable } from './bnReluFused';
import type { BatchNormStats } from './types';
import { conv2dInputGradient } from './convInputPolyphase';
import type { WideResNet } from './wrn';

/**
 * Hand-written training-mode forward and backward pass of a WideResNet (the same network as
 * `WideResNet.forward`, see wrn.ts), for memory and speed: tfjs's autodiff tape keeps every intermediate of the
 * forward pass (≈ 10 per BatchNorm) AND every intermediate gradient alive until the whole backward pass ends,
 * which at the paper's batch (128 + 128) exhausts the 4 GB WASM heap. Here the forward pass keeps exactly what
 * the backward pass needs — per block its input h, a = relu(bn1(h)), o = conv1(a) and b = dropout(relu(bn2(o)))
 * plus per-BN mean and 1/σ — and the backward pass frees each saved tensor and each gradient as soon as it is
 * consumed. BN+ReLU(+dropout) backward is fused into one formula per BN:
 *   g = dy · [y > 0] / keep,  x̂ = (x − μ)·σ⁻¹,  dβ = Σ g,  dγ = Σ g·x̂,  dx = γσ⁻¹·(g − dβ/n − x̂·dγ/n)
 * (sums over N·H·W, n = N·H·W, biased batch variance as PyTorch); y is the layer's output after ReLU and
 * dropout, so [y > 0] is both the ReLU's and the dropout mask's support. On backends with the fused BN+ReLU
 * kernels (WASM: SIMD over the heap; CPU: loops; bnReluFused.ts) both directions are one kernel each; elsewhere
 * the same formulas run as tfjs ops.
 *
 * The passes are async: between layers they call `between` (yield to the event loop, check an abort signal),
 * so a cancel reaches a long step within a layer's time. Dropout consumes `rng.seed()` once per block in block
 * order, exactly as `WideResNet.forward`, so both paths draw the same masks from the same rng.
 */

/** What one backward pass should produce. */
export interface BackpropOptions {
  /** ∂loss/∂x (the AOE attack). */
  inputGrad: boolean;
  /** ∂loss/∂w for every trainable variable, keyed by variable name (the training step). */
  weightGrads: boolean;
  /** Return the BN batch statistics for the running estimates (the training step; not the attack). */
  collectStats: boolean;
  /** Seeds dropout (required when the model has dropout). */
  rng?: Random;
  /** Called between layers; may yield and may throw to abort (see src/train/interrupt.ts). */
  between?: () => Promise<void>;
  /** Use the fused BN+ReLU kernels (bnReluFused.ts); default: when the active backend has them registered. */
  fusedBnRelu?: boolean;
}

/** Result of `wrnLossAndGradients`; the caller owns (and disposes) every tensor. */
export interface BackpropResult {
  /** The scalar loss. */
  loss: tf.Scalar;
  /** [N, C] logits of the pass (train mode). */
  logits: tf.Tensor2D;
  /** [N, 32, 32, 3] ∂loss/∂x when asked. */
  inputGrad?: tf.Tensor4D;
  /** ∂loss/∂w per trainable variable name when asked. */
  grads?: tf.NamedTensorMap;
  /** Per-BN batch statistics (kept tensors) when asked; commit with `applyBatchNormStats`. */
  stats?: BatchNormStats;
}

interface BnSaved {
  name: string;
  /** BN input [N,H,W,C]. */
  x: tf.Tensor4D;
  /** Output after ReLU (and dropout) [N,H,W,C]. */
  y: tf.Tensor4D;
  mean: tf.Tensor1D;
  invStd: tf.Tensor1D;
  /** 1 / keep-probability of the dropout after this BN+ReLU (1 without dropout). */
  scale: number;
}

interface BlockSaved {
  bn1: BnSaved;
  bn2: BnSaved;
  /** Whether `bn1.x` (the block input) is also the identity shortcut. */
  identity: boolean;
}

const NHWC = 'NHWC' as const;

function convGradFilter(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: number[],
  stride: number,
  pad: number,
): tf.Tensor4D {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: [stride, stride],
    pad,
    dataFormat: NHWC,
    dimRoundingMode: undefined,
    filterShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * Training-mode loss, logits and gradients of a WideResNet on `x`, through the hand-written passes described
 * in the file comment. Numerically the same function as autodiff through `model.forward(x, {training: true})`
 * (checked in wrnBackprop.test.ts). Leaks nothing, also when `between` throws.
 * @param x [N, 32, 32, 3] normalised input. @param lossOfLogits logits [N, C] → scalar (differentiated by tfjs;
 * it is small). @throws whatever `between` throws (e.g. an abort), after freeing everything.
 */
export async function wrnLossAndGradients(
  model: WideResNet,
  x: tf.Tensor4D,
  lossOfLogits: (logits: tf.Tensor2D) => tf.Scalar,
  opts: BackpropOptions,
): Promise<BackpropResult> {
  const { dropRate } = model.config;
  if (dropRate > 0 && !opts.rng) throw new Error('a training pass with dropout needs a seeded rng');
  const between = opts.between ?? (async () => {});
  const fused = opts.fusedBnRelu ?? fusedBnReluAvailable();
  const live = new Set<tf.Tensor>();
  const own = <T extends tf.Tensor>(t: T): T => (live.add(t), t);
  const free = (...ts: (tf.Tensor | undefined)[]) => {
    for (const t of ts) if (t && live.delete(t)) t.dispose();
  };
  const grads: tf.NamedTensorMap = {};
  const stats: { name: string; mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
  const gradOf = (key: string, g: tf.Tensor) => {
    grads[model.variable(key).name] = g;
  };
  const result: Partial<BackpropResult> = {};
  try {
    /** BN (batch statistics) → ReLU → optional dropout; saves what its backward needs. */
    const bnRelu = (name: string, h: tf.Tensor4D, dropout: boolean): BnSaved => {
      const p = model.batchNorm(name);
      const keep = dropout ? 1 - dropRate : 1;
      const seed = dropout ? opts.rng!.seed() : 0;
      const [y, mean, invStd] = tf.tidy(() => {
        const n = h.shape[0] * h.shape[1] * h.shape[2];
        if (fused) {
          const f = bnReluForward(h, p.gamma, p.beta);
          const out = dropout ? (tf.dropout(f.y, dropRate, undefined, seed) as tf.Tensor4D) : f.y;
          if (opts.collectStats) {
            if (n < 2) throw new Error('BatchNorm in training mode needs more than one value per channel');
            stats.push({
              name,
              mean: tf.keep(f.mean.clone()),
              variance: tf.keep(tf.mul(f.variance, n / (n - 1))) as tf.Tensor1D,
            });
          }
          return [out, f.mean, f.invStd];
        }
        // tf.moments (as WideResNet.forward): pooled per-image sums (channelSum) were faster, but their fp32
        // rounding moved ill-conditioned gradients by 1e-3 relative to autodiff in wrnBackprop.test.ts.
        const { mean: m, variance } = tf.moments(h, [0, 1, 2]) as {
          mean: tf.Tensor1D;
          variance: tf.Tensor1D;
        };
        const centred = tf.sub(h, m);
        const inv = tf.rsqrt(tf.add(variance, BN_EPSILON)) as tf.Tensor1D;
        let out = tf.relu(tf.add(tf.mul(centred, tf.mul(p.gamma, inv)), p.beta)) as tf.Tensor4D;
        if (dropout) out = tf.dropout(out, dropRate, undefined, seed) as tf.Tensor4D;
        if (opts.collectStats) {
          if (n < 2) throw new Error('BatchNorm in training mode needs more than one value per channel');
          stats.push({
            name,
            mean: tf.keep(m.clone()),
            variance: tf.keep(tf.mul(variance, n / (n - 1))) as tf.Tensor1D,
          });
        }
        return [out, m, inv];
      });
      return { name, x: h, y: own(y), mean: own(mean), invStd: own(invStd), scale: 1 / keep };
    };

    // Forward.
    let h = own(tf.conv2d(x, model.variable('conv1.weight') as tf.Tensor4D, 1, 1));
    const saved: BlockSaved[] = [];
    for (const b of model.blockSpecs) {
      await between();
      const bn1 = bnRelu(`${b.prefix}.bn1`, h, false);
      const o = own(tf.conv2d(bn1.y, model.variable(`${b.prefix}.conv1.weight`) as tf.Tensor4D, b.stride, 1));
      const bn2 = bnRelu(`${b.prefix}.bn2`, o, dropRate > 0);
      const next = tf.tidy(() => {
        const out = tf.conv2d(bn2.y, model.variable(`${b.prefix}.conv2.weight`) as tf.Tensor4D, 1, 1);
        const sc = b.hasShortcut
          ? tf.conv2d(bn1.y, model.variable(`${b.prefix}.convShortcut.weight`) as tf.Tensor4D, b.stride, 0)
          : h;
        return tf.add(sc, out) as tf.Tensor4D;
      });
      saved.push({ bn1, bn2, identity: !b.hasShortcut });
      h = own(next);
    }
    const head = bnRelu('bn1', h, false);
    const pooled = own(tf.mean(head.y, [1, 2]) as tf.Tensor2D);
    const fcW = model.variable('fc.weight');
    const logits = own(
      tf.tidy(() => tf.add(tf.matMul(pooled, fcW), model.variable('fc.bias'))) as tf.Tensor2D,
    );
    const lossAndGrad = tf.valueAndGrad((l: tf.Tensor) => lossOfLogits(l as tf.Tensor2D))(logits);
    result.loss = own(lossAndGrad.value as tf.Scalar);
    result.logits = logits;
    const dLogits = own(lossAndGrad.grad as tf.Tensor2D);
    await between();

    // Backward.
    if (opts.weightGrads) {
      gradOf('fc.weight', tf.matMul(pooled, dLogits, true, false));
      gradOf('fc.bias', tf.sum(dLogits, 0));
    }
    const [, hh, ww] = head.y.shape;
    let dy = own(
      tf.tidy(() =>
        tf.mul(
          tf.reshape(tf.matMul(dLogits, fcW, false, true), [dLogits.shape[0], 1, 1, fcW.shape[0]]),
          1 / (hh * ww),
        ),
      ) as tf.Tensor4D,
    );
    free(dLogits, pooled);
    /** BN+ReLU(+dropout) backward; frees the BN's saved output and statistics (not its input). */
    const bnReluBack = (s: BnSaved, dOut: tf.Tensor4D): tf.Tensor4D => {
      const p = model.batchNorm(s.name);
      const [dx, dGamma, dBeta] = tf.tidy(() => {
        if (fused) {
          // The head's dOut is [N, 1, 1, C] (the average pool's gradient): the kernel reads a full tensor.
          const full = tf.util.arraysEqual(dOut.shape, s.x.shape)
            ? dOut
            : (tf.broadcastTo(dOut, s.x.shape) as tf.Tensor4D);
          const f = bnReluBackward(full, s.y, s.x, s.mean, s.invStd, p.gamma, s.scale);
          return [f.dx, f.dGamma, f.dBeta];
        }
        const n = s.x.shape[0] * s.x.shape[1] * s.x.shape[2];
        // g = dOut·[y > 0] (the dropout scale is folded into the per-channel coefficients below).
        const g = tf.mul(dOut, tf.step(s.y));
        const xc = tf.sub(s.x, s.mean); // centred input: Σ g·x − μ·Σ g would cancel catastrophically
        const dB = tf.mul(tf.sum(g, [0, 1, 2]), s.scale);
        const dG = tf.mul(tf.mul(tf.sum(tf.mul(g, xc), [0, 1, 2]), s.invStd), s.scale); // Σ g·x̂ (scaled)
        // dx = γσ⁻¹·(g·scale − dβ/n − x̂·dγ/n) = g·A + xc·B + C with per-channel A, B, C.
        const gInv = tf.mul(p.gamma, s.invStd);
        const A = tf.mul(gInv, s.scale);
        const B = tf.neg(tf.mul(tf.mul(gInv, s.invStd), tf.div(dG, n)));
        const C = tf.neg(tf.mul(gInv, tf.div(dB, n)));
        const d = tf.add(tf.add(tf.mul(g, A), tf.mul(xc, B)), C) as tf.Tensor4D;
        return [d, dG, dB];
      });
      free(s.y, s.mean, s.invStd);
      if (opts.weightGrads) {
        gradOf(`${s.name}.weight`, dGamma);
        gradOf(`${s.name}.bias`, dBeta);
      } else tf.dispose([dGamma, dBeta]);
      return own(dx);
    };
    const convBack = (key: string, input: tf.Tensor4D, g: tf.Tensor4D, stride: number, pad: number) => {
      const w = model.variable(key) as tf.Tensor4D;
      if (opts.weightGrads) gradOf(key, convGradFilter(input, g, w.shape, stride, pad));
      return own(conv2dInputGradient(g, w, input.shape as [number, number, number, number], stride, pad));
    };
    {
      const dh = bnReluBack(head, dy);
      free(dy, head.x);
      dy = dh;
    }
    const specs = model.blockSpecs;
    for (let i = specs.length - 1; i >= 0; i--) {
      await between();
      const b = specs[i];
      const s = saved[i];
      // dy = ∂/∂(block output). Residual branch: conv2 ← dropout·relu·bn2 ← conv1.
      const dB = convBack(`${b.prefix}.conv2.weight`, s.bn2.y, dy, 1, 1);
      const dO = bnReluBack(s.bn2, dB);
      free(dB, s.bn2.x);
      await between();
      let dA = convBack(`${b.prefix}.conv1.weight`, s.bn1.y, dO, b.stride, 1);
      free(dO);
      if (b.hasShortcut) {
        await between();
        const dSc = convBack(`${b.prefix}.convShortcut.weight`, s.bn1.y, dy, b.stride, 0);
        const sum = own(tf.add(dA, dSc) as tf.Tensor4D);
        free(dA, dSc);
        dA = sum;
      }
      const dH = bnReluBack(s.bn1, dA);
      free(dA);
      if (s.identity) {
        const sum = own(tf.add(dH, dy) as tf.Tensor4D);
        free(dH, dy);
        dy = sum;
      } else {
        free(dy);
        dy = dH;
      }
      free(s.bn1.x); // the block's input: the previous block's (or the stem's) output
    }
    const stemW = model.variable('conv1.weight') as tf.Tensor4D;
    if (opts.weightGrads) gradOf('conv1.weight', convGradFilter(x, dy, stemW.shape, 1, 1));
    if (opts.inputGrad)
      result.inputGrad = conv2dInputGradient(dy, stemW, x.shape as [number, number, number, number], 1, 1);
    free(dy);
    if (opts.weightGrads) result.grads = grads;
    if (opts.collectStats) result.stats = { entries: stats };
    live.delete(result.loss);
    live.delete(logits);
    return result as BackpropResult;
  } catch (err) {
    tf.dispose(Object.values(grads));
    tf.dispose(result.inputGrad ? [result.inputGrad] : []);
    for (const e of stats) tf.dispose([e.mean, e.variance]);
    throw err;
  } finally {
    for (const t of live) t.dispose();
  }
}
