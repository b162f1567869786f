import * as tf from '@tensorflow/tfjs-core';
import type { NamedArray, StepOptimizer } from './types';

/** A non-trainable variable initialised from `t`, disposing `t` (tf.variable keeps its own reference). */
function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t, false);
  t.dispose();
  return v;
}

/**
 * SGD with (Nesterov) momentum and coupled L2 weight decay, PyTorch semantics:
 * g ← ∇ + wd·p; b ← μ·b + g (b starts at 0, so the first b = g); d = g + μ·b (Nesterov) or b; p ← p − lr·d.
 * Local stand-in for src/train/optim/sgd.ts (the WRN engineer's); same behaviour, swap when it lands.
 */
export class LocalSgd implements StepOptimizer {
  private buffers: tf.Variable[] | null = null;

  constructor(
    private readonly momentum: number,
    private readonly weightDecay: number,
    private readonly nesterov: boolean,
  ) {}

  step(variables: tf.Variable[], grads: tf.Tensor[], lr: number): void {
    if (!this.buffers) this.buffers = variables.map((v) => ownedVariable(tf.zerosLike(v)));
    const buffers = this.buffers;
    tf.tidy(() => {
      variables.forEach((p, i) => {
        let g = grads[i];
        if (this.weightDecay !== 0) g = tf.add(g, tf.mul(p, this.weightDecay));
        let d = g;
        if (this.momentum !== 0) {
          const b = tf.add(tf.mul(buffers[i], this.momentum), g);
          buffers[i].assign(b);
          d = this.nesterov ? tf.add(g, tf.mul(b, this.momentum)) : b;
        }
        p.assign(tf.sub(p, tf.mul(d, lr)));
      });
    });
  }

  async getState(): Promise<NamedArray[]> {
    if (!this.buffers) return [];
    return Promise.all(
      this.buffers.map(async (b) => ({ shape: b.shape.slice(), values: (await b.data()) as Float32Array })),
    );
  }

  setState(state: NamedArray[]): void {
    this.dispose();
    this.buffers = state.length ? state.map((s) => ownedVariable(tf.tensor(s.values, s.shape))) : null;
  }

  dispose(): void {
    this.buffers?.forEach((b) => b.dispose());
    this.buffers = null;
  }
}
