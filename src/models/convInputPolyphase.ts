import * as tf from '@tensorflow/tfjs-core';

/**
 * Input gradient of a strided NHWC conv2d without zero insertion (polyphase decomposition), in tf ops.
 *
 * For a forward conv with stride s, padding (top, left) and filter W [kh, kw, C, O],
 *   dx[n, y, x, c] = Σ_{a,b,o} dy[n, i, j, o] · W[a, b, c, o]  over  y = i·s + a − top, x = j·s + b − left.
 * Output rows of one phase y ≡ p (mod s) only meet taps a ≡ p + top (mod s): per phase (p, q) the sum is a
 * stride-1 correlation of dy with the sub-filter W[a₀::s, b₀::s] flipped spatially (in/out channels swapped),
 * padded so its output has the phase's H/s × W/s size. The s² phase results are interleaved into dx.
 * Compared with zero-inserting dy (what a transposed convolution through a forward kernel otherwise does),
 * this does s² times less multiply-adds on zeros and never materialises the (s·H)×(s·W) dilated copy.
 * Stride 1 and shapes it does not cover (H or W not divisible by s, negative paddings) go to the backend's
 * Conv2DBackpropInput kernel.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  inputShape: [number, number, number, number],
  stride: number,
  pad: number,
): tf.Tensor4D {
  const viaKernel = () =>
    tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, {
      strides: [stride, stride],
      pad,
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
      inputShape,
    } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  const [n, h, w, c] = inputShape;
  const [kh, kw] = filter.shape;
  const [, ho, wo] = dy.shape;
  const s = stride;
  if (s === 1 || h % s !== 0 || w % s !== 0) return viaKernel();
  const hp = h / s;
  const wp = w / s;
  /** Taps and paddings of one phase along one axis; null when a padding would be negative. */
  const axis = (phase: number, k: number, outIn: number) => {
    const a0 = (phase + pad) % s;
    const taps = a0 < k ? Math.ceil((k - a0) / s) : 0;
    const d0 = (phase + pad - a0) / s;
    const before = taps - 1 - d0;
    const after = hp - outIn - before + taps - 1;
    return { a0, taps, before, after };
  };
  const plan: ReturnType<typeof axis>[][] = [];
  for (let p = 0; p < s; p++) {
    plan.push([]);
    for (let q = 0; q < s; q++) {
      const ay = axis(p, kh, ho);
      const ax = { ...axis(q, kw, wo) };
      ax.after = wp - wo - ax.before + ax.taps - 1;
      if (ay.taps && ax.taps && Math.min(ay.before, ay.after, ax.before, ax.after) < 0) return viaKernel();
      plan[p].push(ay, ax);
    }
  }
  return tf.tidy(() => {
    const rows: tf.Tensor[] = [];
    for (let p = 0; p < s; p++) {
      const cols: tf.Tensor[] = [];
      for (let q = 0; q < s; q++) {
        const ay = plan[p][2 * q];
        const ax = plan[p][2 * q + 1];
        if (!ay.taps || !ax.taps) {
          cols.push(tf.zeros([n, hp, wp, c]));
          continue;
        }
        const sub = tf.stridedSlice(filter, [ay.a0, ax.a0, 0, 0], filter.shape, [s, s, 1, 1]) as tf.Tensor4D;
        const wf = tf.transpose(tf.reverse(sub, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
        cols.push(
          tf.conv2d(dy, wf, 1, [
            [0, 0],
            [ay.before, ay.after],
            [ax.before, ax.after],
            [0, 0],
          ]),
        );
      }
      // [n, hp, wp, s, c] → [n, hp, w, c]: columns x = s·v + q.
      rows.push(tf.reshape(tf.stack(cols, 3), [n, hp, w, c]));
    }
    // [n, hp, s, w, c] → [n, h, w, c]: rows y = s·u + p.
    return tf.reshape(tf.stack(rows, 2), [n, h, w, c]) as tf.Tensor4D;
  });
}
