/**
 * The toy MLP (2 → width × depth → K) as one block of WebAssembly memory and SIMD kernels (`kernels.ts`):
 * forward pass, parameter gradients, input gradients and Adam without any tfjs op. A step of the toy is a few
 * dozen kernel calls instead of ~300 tfjs kernels, and the hidden 64×64 products run register-blocked at
 * ≈ 10 GMAC/s on one core. Semantics are tfjs's (`Mlp` in ../mlp.ts): row-major kernels [in, out], ReLU
 * derivative 0 at 0, Adam with tfjs's epsilon and update order; checked against tfjs in fastMlp.test.ts.
 *
 * Layout (float32, every width padded to a multiple of 4 with zeros, which stay zero through training because
 * their gradients are exactly 0): parameters [W₀, b₀, W₁, b₁, …] contiguous (so Adam is one call), gradients and
 * Adam moments in the same layout, Wᵀ copies for input gradients, and per-layer activation buffers of `maxRows`
 * rows. Callers write inputs with `setInput` and read logits with `logitsView`.
 */
import { instantiateKernels, pad4, type GemmFn, type MlpKernels } from './kernels';
import { layerSizes, type MlpConfig, type MlpWeights } from '../mlp';

interface Layer {
  /** Unpadded and padded input/output widths. */
  in: number;
  out: number;
  inP: number;
  outP: number;
  /** Float offsets of W [inP, outP], b [outP], Wᵀ [outP, inP] and this layer's output activations [maxRows, outP]. */
  w: number;
  b: number;
  wt: number;
  y: number;
  hidden: boolean;
}

/** Adam hyper-parameters (tfjs defaults: β₁ 0.9, β₂ 0.999, ε = the float32 backend epsilon 1e-7). */
export const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

export class FastMlp {
  readonly config: MlpConfig;
  /** Rows one forward/backward call may process (inputs longer than this are chunked by `logits`). */
  readonly maxRows: number;
  readonly paramCount: number;
  private readonly k: MlpKernels;
  private f!: Float32Array;
  private readonly layers: Layer[];
  private readonly x0: number;
  private readonly params: number;
  private readonly grads: number;
  private readonly m: number;
  private readonly v: number;
  private readonly ones: number;
  private readonly d: [number, number];
  private readonly gemm: (width: number, bias: boolean, relu: boolean) => GemmFn;
  private wtDirty = true;
  /** Adam's accumulated β₁^t, β₂^t (float32, as tfjs keeps them in variables). */
  private accB1: number = ADAM.beta1;
  private accB2: number = ADAM.beta2;

  constructor(config: MlpConfig, weights: MlpWeights, maxRows: number) {
    this.config = config;
    this.maxRows = maxRows;
    const sizes = layerSizes(config);
    let off = 0;
    const alloc = (n: number) => {
      const at = off;
      off += pad4(n);
      return at;
    };
    this.params = off;
    const shapes = sizes
      .slice(0, -1)
      .map((n, l) => ({ in: n, out: sizes[l + 1], inP: pad4(n), outP: pad4(sizes[l + 1]) }));
    const pOffsets = shapes.map((s) => ({ w: alloc(s.inP * s.outP), b: alloc(s.outP) }));
    this.paramCount = off - this.params;
    this.grads = alloc(this.paramCount);
    this.m = alloc(this.paramCount);
    this.v = alloc(this.paramCount);
    const maxWidth = Math.max(...shapes.map((s) => Math.max(s.inP, s.outP)));
    this.x0 = alloc(maxRows * shapes[0].inP);
    this.layers = shapes.map((s, l) => ({
      ...s,
      ...pOffsets[l],
      wt: alloc(s.inP * s.outP),
      y: alloc(maxRows * s.outP),
      hidden: l + 1 < shapes.length,
    }));
    this.d = [alloc(maxRows * maxWidth), alloc(maxRows * maxWidth)];
    this.ones = alloc(4);
    const widths = shapes.flatMap((s) => [s.inP, s.outP]);
    this.k = instantiateKernels(widths, off * 4);
    this.gemm = this.k.gemm;
    this.refresh();
    this.f[this.ones] = 1;
    this.setWeights(weights);
  }

  private refresh(): Float32Array {
    if (!this.f || this.f.buffer !== this.k.memory.buffer) this.f = new Float32Array(this.k.memory.buffer);
    return this.f;
  }

  /** Overwrite the parameters (unpadded per-layer [kernel [in·out], bias [out]], as `MlpWeights`). */
  setWeights(weights: MlpWeights): void {
    const f = this.f;
    this.layers.forEach((L, l) => {
      const w = weights[2 * l];
      const b = weights[2 * l + 1];
      if (w.length !== L.in * L.out || b.length !== L.out)
        throw new Error(`FastMlp.setWeights: layer ${l} has the wrong shape`);
      f.fill(0, L.w, L.w + L.inP * L.outP);
      for (let i = 0; i < L.in; i++) f.set(w.subarray(i * L.out, (i + 1) * L.out), L.w + i * L.outP);
      f.fill(0, L.b, L.b + L.outP);
      f.set(b, L.b);
    });
    this.wtDirty = true;
  }

  /** A copy of the parameters, unpadded (`MlpWeights` layout). */
  getWeights(): MlpWeights {
    return this.unpad(this.params);
  }

  /** A copy of the last backward's parameter gradients, unpadded (`MlpWeights` layout). */
  getGradients(): MlpWeights {
    return this.unpad(this.grads);
  }

  /** The per-layer [kernel, bias] arrays of a region laid out like the parameters, without padding. */
  private unpad(region: number): MlpWeights {
    const f = this.f;
    const shift = region - this.params;
    return this.layers.flatMap((L) => {
      const w = new Float32Array(L.in * L.out);
      const at = L.w + shift;
      for (let i = 0; i < L.in; i++) w.set(f.subarray(at + i * L.outP, at + i * L.outP + L.out), i * L.out);
      return [w, f.slice(L.b + shift, L.b + shift + L.out)];
    });
  }

  /** Zero Adam's moments and its step count (a fresh optimiser). */
  resetOptimizer(): void {
    this.f.fill(0, this.m, this.m + this.paramCount);
    this.f.fill(0, this.v, this.v + this.paramCount);
    this.accB1 = ADAM.beta1;
    this.accB2 = ADAM.beta2;
  }

  /** Write input row r ∈ [0, maxRows): the point (x, y). */
  setInputRow(r: number, x: number, y: number): void {
    const o = this.x0 + r * this.layers[0].inP;
    this.f[o] = x;
    this.f[o + 1] = y;
  }

  /** Write `n` interleaved 2-D points [n·2] as input rows starting at row `r0`. */
  setInputPoints(points: Float32Array, r0 = 0): void {
    const n = points.length / 2;
    for (let i = 0; i < n; i++) this.setInputRow(r0 + i, points[2 * i], points[2 * i + 1]);
  }

  /** Forward pass of the first `rows` input rows. Logits land in `logitsView(rows)`. */
  forward(rows: number): void {
    if (rows > this.maxRows) throw new Error(`FastMlp.forward: ${rows} rows > maxRows ${this.maxRows}`);
    let x = this.x0;
    const act = this.config.activation;
    for (const L of this.layers) {
      const relu = L.hidden && act === 'relu';
      this.gemm(L.outP, true, relu)(4 * x, 4 * L.inP, 4, 4 * L.w, 4 * L.y, rows, L.inP, 4 * L.b);
      if (L.hidden && !relu) applyActivation(this.f, L.y, rows * L.outP, act);
      x = L.y;
    }
  }

  /** Padded row stride of the logits buffer (K rounded up to 4); logit (r, c) is at r·stride + c. */
  get logitStride(): number {
    return this.layers[this.layers.length - 1].outP;
  }

  /** The logits of the last forward pass, [rows, logitStride] (a view into memory: read before the next call). */
  logitsView(rows: number): Float32Array {
    const L = this.layers[this.layers.length - 1];
    return this.f.subarray(L.y, L.y + rows * L.outP);
  }

  /** Where to write ∂loss/∂logits [rows, logitStride] before `backward` (zeroed padding columns are the caller's). */
  dLogitsView(rows: number): Float32Array {
    return this.f.subarray(this.d[0], this.d[0] + rows * this.logitStride);
  }

  /**
   * Backward pass of the last `forward(rows)` from ∂loss/∂logits (in `dLogitsView`).
   * @param params compute the parameter gradients (into `gradView`), else skip them.
   * @param input compute ∂loss/∂x of the input rows; read it with `inputGradView`.
   */
  backward(rows: number, params: boolean, input: boolean): void {
    if (this.wtDirty) this.transposeWeights();
    const act = this.config.activation;
    let dy = 0; // index into this.d of the buffer holding ∂loss/∂(layer output)
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const L = this.layers[l];
      const dz = this.d[dy];
      if (L.hidden) {
        if (act === 'relu') this.k.reluMask(4 * dz, 4 * L.y, rows * L.outP);
        else activationGrad(this.f, dz, L.y, rows * L.outP, act);
      }
      const x = l === 0 ? this.x0 : this.layers[l - 1].y;
      if (params) {
        const g = this.grads + (L.w - this.params);
        const gb = this.grads + (L.b - this.params);
        this.gemm(L.outP, false, false)(4 * x, 4, 4 * L.inP, 4 * dz, 4 * g, L.inP, rows, 0);
        this.gemm(L.outP, false, false)(4 * this.ones, 0, 0, 4 * dz, 4 * gb, 1, rows, 0);
      }
      if (l > 0 || input) {
        this.gemm(L.inP, false, false)(4 * dz, 4 * L.outP, 4, 4 * L.wt, 4 * this.d[1 - dy], rows, L.outP, 0);
        dy = 1 - dy;
      }
    }
    this.inputGradBuffer = this.d[dy];
  }

  private inputGradBuffer = 0;

  /** ∂loss/∂x of the last `backward(rows, …, true)`: [rows, inputStride] (view; x, y in columns 0, 1). */
  inputGradView(rows: number): Float32Array {
    return this.f.subarray(this.inputGradBuffer, this.inputGradBuffer + rows * this.layers[0].inP);
  }

  /** Padded row stride of inputs and input gradients. */
  get inputStride(): number {
    return this.layers[0].inP;
  }

  /** Parameter gradients of the last backward, in the padded parameter layout (view). */
  gradView(): Float32Array {
    return this.f.subarray(this.grads, this.grads + this.paramCount);
  }

  /** Parameters in the padded layout (view; padding entries are 0). */
  paramView(): Float32Array {
    return this.f.subarray(this.params, this.params + this.paramCount);
  }

  /** One Adam step at rate `lr` with the gradients in `gradView` (tfjs's `AdamOptimizer.applyGradients`). */
  adamStep(lr: number): void {
    const c1 = Math.fround(1 - this.accB1);
    const c2 = Math.fround(1 - this.accB2);
    this.k.adam(
      4 * this.params,
      4 * this.grads,
      4 * this.m,
      4 * this.v,
      this.paramCount,
      lr,
      ADAM.beta1,
      ADAM.beta2,
      c1,
      c2,
      ADAM.epsilon,
    );
    this.accB1 = Math.fround(this.accB1 * ADAM.beta1);
    this.accB2 = Math.fround(this.accB2 * ADAM.beta2);
    this.wtDirty = true;
  }

  private transposeWeights(): void {
    const f = this.f;
    for (const L of this.layers) {
      for (let i = 0; i < L.inP; i++)
        for (let o = 0; o < L.outP; o++) f[L.wt + o * L.inP + i] = f[L.w + i * L.outP + o];
    }
    this.wtDirty = false;
  }
}

function applyActivation(f: Float32Array, at: number, n: number, act: MlpConfig['activation']): void {
  if (act === 'tanh') for (let i = at; i < at + n; i++) f[i] = Math.tanh(f[i]);
  else if (act === 'elu') for (let i = at; i < at + n; i++) f[i] = f[i] > 0 ? f[i] : Math.expm1(f[i]);
}

/** dz ← dz ⊙ act′ expressed through the output y: tanh 1 − y², ELU (y < 0 ? y + 1 : 1) as tfjs's EluGrad. */
function activationGrad(
  f: Float32Array,
  dz: number,
  y: number,
  n: number,
  act: MlpConfig['activation'],
): void {
  if (act === 'tanh') for (let i = 0; i < n; i++) f[dz + i] *= 1 - f[y + i] * f[y + i];
  else if (act === 'elu') for (let i = 0; i < n; i++) if (f[y + i] < 0) f[dz + i] *= f[y + i] + 1;
}
