import * as tf from '@tensorflow/tfjs-core';

/** Hyper-parameters of `Sgd` (defaults: the paper's recipe, OOD_SPEC.md §5). */
export interface SgdOptions {
  /** Learning rate (paper 5e-4); can be overridden per step for schedules. */
  lr: number;
  /** Momentum μ (paper 0.9; 0 = plain SGD). */
  momentum?: number;
  /** Coupled L2 weight decay λ added to the gradient: g ← g + λ·p (paper 5e-4, on every parameter). */
  weightDecay?: number;
  /** Nesterov momentum (paper: true). */
  nesterov?: boolean;
}

/**
 * SGD with (Nesterov) momentum and coupled weight decay, PyTorch `torch.optim.SGD` semantics (dampening 0):
 *   d = g + λ·p;  buf = d on the first step, else buf = μ·buf + d;
 *   d = d + μ·buf (nesterov) or d = buf (classic);  p ← p − lr·d.
 * Operates in place on tf.Variables; holds one momentum buffer per variable; leaks no tensors.
 */
export class Sgd {
  readonly options: Required<SgdOptions>;
  private readonly vars: tf.Variable[];
  private buffers = new Map<string, tf.Tensor>();

  /** @param variables the parameters to update (their `name`s key the gradients passed to `step`). */
  constructor(variables: tf.Variable[], options: SgdOptions) {
    this.vars = variables;
    this.options = { momentum: 0, weightDecay: 0, nesterov: false, ...options };
    if (this.options.nesterov && this.options.momentum <= 0) {
      throw new Error('Nesterov momentum requires momentum > 0');
    }
  }

  /**
   * One update. @param grads gradient per variable name (as returned by tf.variableGrads), same shapes as the
   * variables; a variable without a gradient is left untouched (as PyTorch does for p.grad = None).
   * The gradients are not disposed (the caller owns them). @param lr overrides the learning rate for this step.
   */
  step(grads: tf.NamedTensorMap, lr = this.options.lr): void {
    const { momentum, weightDecay, nesterov } = this.options;
    for (const v of this.vars) {
      const g = grads[v.name];
      if (!g) continue;
      const old = this.buffers.get(v.name);
      const [next, buf] = tf.tidy(() => {
        let d: tf.Tensor = weightDecay !== 0 ? tf.add(g, tf.mul(v, weightDecay)) : g;
        let b: tf.Tensor | null = null;
        if (momentum !== 0) {
          b = old ? tf.add(tf.mul(old, momentum), d) : d.clone();
          d = nesterov ? tf.add(d, tf.mul(b, momentum)) : b;
        }
        const p = tf.sub(v, tf.mul(d, lr));
        return b ? [p, b] : [p];
      });
      v.assign(next);
      next.dispose();
      if (buf) {
        old?.dispose();
        this.buffers.set(v.name, buf);
      }
    }
  }

  /** Momentum buffers by variable name (copies; for checkpoints). The caller disposes them. */
  getBuffers(): Map<string, tf.Tensor> {
    return new Map([...this.buffers].map(([k, t]) => [k, t.clone()]));
  }

  /** Restore momentum buffers (copies them); unknown names are an error. */
  setBuffers(buffers: Map<string, tf.Tensor>): void {
    const names = new Set(this.vars.map((v) => v.name));
    for (const [k, t] of buffers) {
      if (!names.has(k)) throw new Error(`momentum buffer for unknown variable '${k}'`);
      this.buffers.get(k)?.dispose();
      this.buffers.set(k, t.clone());
    }
  }

  /** Free the momentum buffers (the variables are not touched). */
  dispose(): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
  }
}

/** The optimiser a run config asks for (lr is overridden per step by the schedule). */
export function sgdForConfig(
  variables: tf.Variable[],
  c: { lr: number; momentum: number; weightDecay: number; nesterov: boolean },
): Sgd {
  return new Sgd(variables, {
    lr: c.lr,
    momentum: c.momentum,
    weightDecay: c.weightDecay,
    nesterov: c.nesterov && c.momentum > 0,
  });
}
