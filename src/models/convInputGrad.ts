import * as tf from '@tensorflow/tfjs-core';

/**
 * Conv2DBackpropInput (the input gradient of a conv2d, a.k.a. transposed convolution) expressed through forward
 * kernels: stock tfjs-wasm 4.22 has this kernel but it is a plain loop, ~10× slower than its XNNPACK forward
 * convolution on a WideResNet, and it dominates a training step.
 *
 * For a forward conv with stride s, padding (top, left) and filter W [kh, kw, C, O]:
 *   dx[n, y, x, c] = Σ_{a,b,o} dy[n, i, j, o] · W[a, b, c, o]  over  y = i·s + a − top, x = j·s + b − left,
 * i.e. a stride-1 correlation of dy with zeros inserted between its rows/columns (s − 1 of them) and the
 * spatially flipped filter with in/out channels swapped, padded by (kh − 1 − top) before and whatever makes the
 * output H × W after. Configurations that would need negative padding fall back to the stock kernel.
 */

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };

export function makeConv2DBackpropInputViaConv(backendName: string, stock: tf.KernelConfig | undefined) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { inputs, backend, attrs } = args;
    const run = (name: string, a: tf.NamedTensorInfoMap, at: Record<string, unknown>): tf.TensorInfo => {
      const kernel = tf.getKernel(name, backendName);
      if (!kernel) throw new Error(`the ${backendName} backend has no ${name} kernel`);
      return kernel.kernelFunc({ inputs: a, backend, attrs: at } as never) as tf.TensorInfo;
    };
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
    const [n, h, w] = inputShape;
    const [kh, kw] = filter.shape;
    const [, ho, wo, o] = dy.shape;
    const sh = info.strideHeight;
    const sw = info.strideWidth;
    const hd = (ho - 1) * sh + 1;
    const wd = (wo - 1) * sw + 1;
    const pt = kh - 1 - info.padInfo.top;
    const pl = kw - 1 - info.padInfo.left;
    const pb = h - hd - pt + kh - 1;
    const pr = w - wd - pl + kw - 1;
    if (format !== 'channelsLast' || Math.min(pt, pl, pb, pr) < 0) {
      if (!stock) throw new Error('Conv2DBackpropInput: unsupported configuration and no stock kernel');
      return stock.kernelFunc(args as never) as tf.TensorInfo;
    }
    const temps: tf.TensorInfo[] = [];
    const keep = (t: tf.TensorInfo) => (temps.push(t), t);
    /** Insert s − 1 zeros between entries along axis 1 of a [A0, A1, B, O]-viewed tensor. */
    const dilate = (
      x: tf.TensorInfo,
      lead: number,
      len: number,
      rest: number[],
      s: number,
    ): tf.TensorInfo => {
      const inner = rest.reduce((p, q) => p * q, 1);
      const r = keep(run('Reshape', { x }, { shape: [lead, len, 1, inner] }));
      const p = keep(
        run(
          'PadV2',
          { x: r },
          {
            paddings: [
              [0, 0],
              [0, 0],
              [0, s - 1],
              [0, 0],
            ],
            constantValue: 0,
          },
        ),
      );
      const r2 = keep(run('Reshape', { x: p }, { shape: [lead, len * s, inner] }));
      return keep(run('Slice', { x: r2 }, { begin: [0, 0, 0], size: [lead, (len - 1) * s + 1, inner] }));
    };
    try {
      let d = dy;
      if (sh > 1) d = dilate(d, n, ho, [wo, o], sh); // [n, hd, wo·o]
      if (sw > 1) d = dilate(d, n * hd, wo, [o], sw); // [n·hd, wd, o]
      d = keep(run('Reshape', { x: d }, { shape: [n, hd, wd, o] }));
      const flipped = keep(run('Reverse', { x: filter }, { dims: [0, 1] }));
      const wf = keep(run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] }));
      return run(
        'Conv2D',
        { x: d, filter: wf },
        {
          strides: [1, 1],
          pad: [
            [0, 0],
            [pt, pb],
            [pl, pr],
            [0, 0],
          ],
          dataFormat: 'NHWC',
          dilations: [1, 1],
          dimRoundingMode: undefined,
        },
      );
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}
