import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../core/random';
import type { LogitsFn } from '../core/model';

/** The hidden layers' activations an MLP can have. */
export const MLP_ACTIVATIONS = ['relu', 'tanh', 'elu'] as const;
export type MlpActivation = (typeof MLP_ACTIVATIONS)[number];

/** A fully connected classifier: inputDim → `depth` hidden layers of `width` units → outputDim logits. */
export interface MlpConfig {
  /** Features per input (2 for the toy's plane). */
  readonly inputDim: number;
  /** Units of each hidden layer (width). */
  readonly width: number;
  /** Number of hidden layers (≥ 0; 0 gives a linear classifier). */
  readonly depth: number;
  /** Logits per input (the number of classes). */
  readonly outputDim: number;
  /** Non-linearity after each hidden layer (none after the last, linear one). */
  readonly activation: MlpActivation;
}

/** Plain weights of an MLP: per layer a kernel [in·out] (row-major [in, out]) and a bias [out]. */
export type MlpWeights = Float32Array[];

/**
 * Seeded initial weights: kernels uniform in ±√(6/fan_in) for ReLU/ELU (He-uniform) and ±√(6/(fan_in+fan_out))
 * for tanh (Glorot-uniform); biases zero. The same `rng` state gives the same weights on every backend.
 */
export function initMlpWeights(cfg: MlpConfig, rng: Random): MlpWeights {
  const sizes = layerSizes(cfg);
  const out: MlpWeights = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const limit = cfg.activation === 'tanh' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
    out.push(rng.uniformArray(fanIn * fanOut, -limit, limit));
    out.push(new Float32Array(fanOut));
  }
  return out;
}

/** [inputDim, width × depth, outputDim]. */
export function layerSizes(cfg: MlpConfig): number[] {
  return [cfg.inputDim, ...Array.from({ length: cfg.depth }, () => cfg.width), cfg.outputDim];
}

/**
 * A multilayer perceptron x [N, inputDim] → logits [N, outputDim] whose parameters are tf.Variables (trainable by
 * any tfjs optimiser). Call `dispose()` when done.
 */
export class Mlp {
  readonly config: MlpConfig;
  readonly variables: tf.Variable[];

  constructor(config: MlpConfig, weights: MlpWeights) {
    this.config = config;
    const sizes = layerSizes(config);
    this.variables = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.variables.push(toVariable(tf.tensor2d(weights[2 * l], [sizes[l], sizes[l + 1]])));
      this.variables.push(toVariable(tf.tensor1d(weights[2 * l + 1])));
    }
  }

  /** Forward pass as a `LogitsFn` (differentiable w.r.t. both the input and the variables). */
  readonly apply: LogitsFn = (x) =>
    tf.tidy(() => {
      let h = x as tf.Tensor2D;
      const layers = this.variables.length / 2;
      for (let l = 0; l < layers; l++) {
        const w = this.variables[2 * l] as tf.Tensor2D;
        const b = this.variables[2 * l + 1];
        const hidden = l + 1 < layers;
        if (!hidden || this.config.activation === 'relu') {
          h = (hidden ? denseRelu : denseLinear)(h, w, b) as tf.Tensor2D;
        } else {
          h = activate(tf.add(tf.matMul(h, w), b), this.config.activation);
        }
      }
      return h;
    });

  /**
   * The same forward pass as `apply`, differentiable w.r.t. the INPUT only (the parameters act as constants, so
   * a backward pass skips ∂W and ∂b): for input-gradient steps such as AOE's x − ε·sign(∇ₓE), which never need
   * the parameter gradients. Falls back to `apply` for tanh/ELU hidden layers.
   */
  readonly applyInputGrad: LogitsFn = (x) => {
    if (this.config.activation !== 'relu') return this.apply(x);
    return tf.tidy(() => {
      let h = x as tf.Tensor2D;
      const layers = this.variables.length / 2;
      for (let l = 0; l < layers; l++) {
        h = denseInputGrad(
          h,
          this.variables[2 * l] as tf.Tensor2D,
          this.variables[2 * l + 1],
          l + 1 < layers,
        );
      }
      return h;
    });
  };

  /** Overwrite the parameters in place (e.g. reset to the seeded initial weights). */
  setWeights(weights: MlpWeights): void {
    this.variables.forEach((v, i) =>
      tf.tidy(() => v.assign(tf.tensor(weights[i], v.shape, 'float32') as tf.Tensor)),
    );
  }

  /** A copy of the current parameters. */
  getWeights(): MlpWeights {
    return this.variables.map((v) => v.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}

/**
 * A dense layer y = act(x·W + b) for act ∈ {ReLU, identity} with its gradient written out:
 * dz = dy ⊙ [y > 0] (ReLU), ∂x = dz·Wᵀ, ∂W = xᵀ·dz, ∂b = Σ_rows dz — the same arithmetic as tfjs's own gradient
 * of `fused.matMul`, but with the transposes as explicit `transpose` kernels: tfjs-wasm runs a matMul with a
 * transposed operand on a slow non-XNNPACK path (≈5× slower for [600, 64]ᵀ·[600, 64] here), and these
 * backward matMuls were ~70 % of a toy training step. Shapes: x [N, in], W [in, out], b [out] → y [N, out].
 */
function makeDense(relu: boolean) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const y = tf.fused.matMul({
      a: x as tf.Tensor2D,
      b: w as tf.Tensor2D,
      bias: b,
      activation: relu ? 'relu' : 'linear',
    });
    save(relu ? [x, w, y] : [x, w]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved;
        const dz = relu ? tf.mul(dy, tf.step(ys)) : dy;
        return [
          tf.matMul(dz as tf.Tensor2D, tf.transpose(ws as tf.Tensor2D)),
          tf.matMul(tf.transpose(xs as tf.Tensor2D), dz as tf.Tensor2D),
          tf.sum(dz, 0),
        ];
      },
    };
  });
}
/** A dense layer (as `makeDense`) whose gradient flows to `x` only: ∂x = (dy ⊙ [y > 0])·Wᵀ. */
function denseInputGrad(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor, relu: boolean): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = args[0] as tf.Tensor2D;
    const save = args[1] as tf.GradSaveFunc;
    const y = tf.fused.matMul({ a: xi, b: w, bias: b, activation: relu ? 'relu' : 'linear' });
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dz = relu ? tf.mul(dy, tf.step(saved[0])) : dy;
        return [tf.matMul(dz as tf.Tensor2D, tf.transpose(w))];
      },
    };
  });
  return f(x) as tf.Tensor2D;
}

const denseRelu = makeDense(true);
const denseLinear = makeDense(false);

function activate(h: tf.Tensor2D, a: MlpActivation): tf.Tensor2D {
  if (a === 'tanh') return tf.tanh(h);
  if (a === 'elu') return tf.elu(h);
  return tf.relu(h);
}

/** A trainable variable holding `t`'s values; `t` is disposed (the variable keeps its own reference). */
function toVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, true);
  t.dispose();
  return v;
}
