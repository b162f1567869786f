/**
 * Linear probe: a softmax (multinomial logistic) head fitted on frozen features, as the first stage of LP-FT
 * (Kumar et al. 2022) in reference/openset_finetune.py. Plain JS in float64, DOM-free and tensor-free.
 *
 * Objective (the reference's closure, exactly):
 *   f(W, b) = mean_i CE(softmax(x_i·W + b), y_i) + (λ/2)·‖W‖²   (λ = weight decay on W only, b unpenalised)
 * with x_i the D-dim features, W [D, C] (the tfjs fc layout), b [C]. f is convex, and strictly convex in W for
 * λ > 0, so any converging method reaches the reference's optimum: the reference runs PyTorch's L-BFGS (strong
 * Wolfe); this is L-BFGS with a backtracking Armijo line search, which reaches the same minimum.
 */

/** A problem: n rows of D features (row-major) and their labels 0..C−1. */
export interface ProbeProblem {
  features: ArrayLike<number>;
  n: number;
  dim: number;
  labels: ArrayLike<number>;
  classes: number;
  /** λ of (λ/2)·‖W‖² (the reference: 5e-4). */
  weightDecay: number;
}

export interface ProbeOptions {
  /** Start point: W [D·C] row-major [D, C] and b [C] (e.g. a fresh nn.Linear-style head). Default zeros. */
  init?: { weight: ArrayLike<number>; bias: ArrayLike<number> };
  /** Most L-BFGS iterations (the reference's max_iter: 200). */
  maxIterations?: number;
  /** Stop when max |∇f| ≤ this (PyTorch's tolerance_grad default 1e-7). */
  gradientTolerance?: number;
  /** Stop when the objective changes by less than this (PyTorch's tolerance_change default 1e-9). */
  changeTolerance?: number;
  /** Correction pairs kept (the reference's history_size: 20). */
  history?: number;
  /** Awaited every iteration: throw here to cancel (e.g. RunControl.gate), report progress. */
  onIteration?: (iteration: number, loss: number) => Promise<void> | void;
}

export interface ProbeResult {
  /** [D, C] row-major, the tfjs fc.weight layout. */
  weight: Float64Array;
  bias: Float64Array;
  /** f at the solution. */
  loss: number;
  iterations: number;
  /** Max |∇f| at the solution. */
  gradientNorm: number;
  /** Fraction of the problem's rows whose argmax logit is their label. */
  trainAccuracy: number;
}

/**
 * f and ∇f at θ = [W (D·C) | b (C)].
 * @returns loss, gradient (same layout as θ) and the number of rows predicted correctly.
 */
export function probeObjective(
  p: ProbeProblem,
  theta: Float64Array,
): { loss: number; grad: Float64Array; correct: number } {
  const { n, dim: d, classes: c, features: x, labels } = p;
  const wLen = d * c;
  const grad = new Float64Array(theta.length);
  const z = new Float64Array(c);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let k = 0; k < c; k++) z[k] = theta[wLen + k];
    for (let j = 0; j < d; j++) {
      const xv = x[row + j];
      if (xv === 0) continue;
      const wr = j * c;
      for (let k = 0; k < c; k++) z[k] += xv * theta[wr + k];
    }
    let max = -Infinity;
    let arg = 0;
    for (let k = 0; k < c; k++)
      if (z[k] > max) {
        max = z[k];
        arg = k;
      }
    const y = labels[i];
    if (arg === y) correct++;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += z[k] = Math.exp(z[k] - max);
    loss += Math.log(sum) - Math.log(z[y]);
    // dL_i/dz = softmax − onehot; accumulate into ∇W (x ⊗ dz) and ∇b.
    for (let k = 0; k < c; k++) z[k] = z[k] / sum - (k === y ? 1 : 0);
    for (let k = 0; k < c; k++) grad[wLen + k] += z[k];
    for (let j = 0; j < d; j++) {
      const xv = x[row + j];
      if (xv === 0) continue;
      const wr = j * c;
      for (let k = 0; k < c; k++) grad[wr + k] += xv * z[k];
    }
  }
  let reg = 0;
  for (let q = 0; q < theta.length; q++) {
    grad[q] /= n;
    if (q < wLen) {
      reg += theta[q] * theta[q];
      grad[q] += p.weightDecay * theta[q];
    }
  }
  return { loss: loss / n + (p.weightDecay / 2) * reg, grad, correct };
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** Fit the probe (see the module comment for the objective). Deterministic for a given problem and init. */
export async function fitLinearProbe(p: ProbeProblem, o: ProbeOptions = {}): Promise<ProbeResult> {
  const { dim: d, classes: c, n } = p;
  if (n < 1) throw new Error('The linear probe needs at least one training row.');
  if (p.features.length !== n * d) throw new Error(`Expected ${n}×${d} features, got ${p.features.length}.`);
  for (let i = 0; i < n; i++)
    if (!(p.labels[i] >= 0 && p.labels[i] < c && Number.isInteger(p.labels[i])))
      throw new Error(`Label ${p.labels[i]} of row ${i} is not a class 0..${c - 1}.`);
  const maxIter = o.maxIterations ?? 200;
  const gTol = o.gradientTolerance ?? 1e-7;
  const fTol = o.changeTolerance ?? 1e-9;
  const m = o.history ?? 20;
  const theta = new Float64Array(d * c + c);
  if (o.init) {
    theta.set(Array.from(o.init.weight), 0);
    theta.set(Array.from(o.init.bias), d * c);
  }
  let cur = probeObjective(p, theta);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  let it = 0;
  while (it < maxIter && maxAbs(cur.grad) > gTol) {
    // Two-loop recursion: direction = −H·g.
    const q = Float64Array.from(cur.grad);
    const alpha: number[] = [];
    for (let k = s.length - 1; k >= 0; k--) {
      const a = dot(s[k], q) / dot(y[k], s[k]);
      alpha[k] = a;
      for (let i = 0; i < q.length; i++) q[i] -= a * y[k][i];
    }
    const gamma = s.length
      ? dot(s[s.length - 1], y[y.length - 1]) / dot(y[y.length - 1], y[y.length - 1])
      : 1;
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
    for (let k = 0; k < s.length; k++) {
      const b = dot(y[k], q) / dot(y[k], s[k]);
      for (let i = 0; i < q.length; i++) q[i] += s[k][i] * (alpha[k] - b);
    }
    const dir = q.map((v) => -v);
    let slope = dot(cur.grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerics): restart from steepest descent.
      s.length = y.length = 0;
      for (let i = 0; i < dir.length; i++) dir[i] = -cur.grad[i];
      slope = dot(cur.grad, dir);
    }
    // First step as PyTorch: min(1, 1/‖g‖₁); then the quasi-Newton step 1.
    let t = it === 0 ? Math.min(1, 1 / cur.grad.reduce((a, v) => a + Math.abs(v), 0)) : 1;
    let next = cur;
    let trial = theta;
    for (let ls = 0; ls < 40; ls++) {
      trial = theta.map((v, i) => v + t * dir[i]);
      next = probeObjective(p, trial);
      if (next.loss <= cur.loss + 1e-4 * t * slope) break;
      t /= 2;
    }
    if (next === cur || !(next.loss <= cur.loss)) break; // no decrease possible at float64 precision
    const sk = trial.map((v, i) => v - theta[i]);
    const yk = next.grad.map((v, i) => v - cur.grad[i]);
    if (dot(sk, yk) > 1e-10) {
      s.push(sk);
      y.push(yk);
      if (s.length > m) {
        s.shift();
        y.shift();
      }
    }
    const change = Math.abs(next.loss - cur.loss);
    theta.set(trial);
    cur = next;
    it++;
    await o.onIteration?.(it, cur.loss);
    if (change < fTol) break;
  }
  return {
    weight: theta.slice(0, d * c),
    bias: theta.slice(d * c),
    loss: cur.loss,
    iterations: it,
    gradientNorm: maxAbs(cur.grad),
    trainAccuracy: cur.correct / n,
  };
}
