import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-core 4.22 leaks when the function given to `tf.grad`/`tf.variableGrads` throws: `engine.gradients` ends
 * the tape's depth counter but never releases the tape, so the tensors it saved for the backward pass stay
 * alive (they are kept clones, outside every tidy scope). The next gradient call replaces the tape, so the
 * leak is bounded by one failed step, but a long-lived worker that survives many failures would grow.
 *
 * Call this after catching an error that may have come from inside a gradient computation. It does nothing
 * while a gradient computation is still running (depth > 0) or when no tape is left over.
 * @returns the number of tensors released.
 */
export function releaseAbandonedGradientTape(): number {
  const state = tf.engine().state;
  if (state.gradientDepth > 0 || !state.activeTape) return 0;
  let released = 0;
  for (const node of state.activeTape) {
    for (const t of node.saved ?? []) {
      if (!t.isDisposed) {
        t.dispose();
        released++;
      }
    }
  }
  state.activeTape = null as unknown as typeof state.activeTape;
  return released;
}
