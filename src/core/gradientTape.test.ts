import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { releaseAbandonedGradientTape } from './gradientTape';

function throwingGradient(x: tf.Tensor): void {
  try {
    tf.tidy(() =>
      tf.grad((a: tf.Tensor) => {
        const y = tf.exp(tf.mul(a, 2)); // exp saves its output for the backward pass
        if (y.size > 0) throw new Error('boom inside the gradient');
        return tf.sum(y);
      })(x),
    );
  } catch {
    /* the caller's error handling */
  }
}

describe('releaseAbandonedGradientTape', () => {
  it('frees what a throwing tf.grad left behind, and only that', () => {
    const x = tf.ones([2, 3]);
    const before = tf.memory().numTensors;
    throwingGradient(x);
    const leaked = tf.memory().numTensors - before;
    expect(leaked).toBeGreaterThan(0); // the tfjs behaviour this works around
    expect(releaseAbandonedGradientTape()).toBe(leaked);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    // A normal gradient afterwards still works and leaves nothing behind.
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.exp(a)))(x);
    expect(Array.from(g.dataSync())).toEqual(new Array(6).fill(Math.fround(Math.E)));
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(releaseAbandonedGradientTape()).toBe(0);
    x.dispose();
  });
});
