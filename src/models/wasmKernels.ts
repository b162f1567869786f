import * as tf from '@tensorflow/tfjs-core';
import { registerBnReluKernels } from './bnReluFused';
import { makeConv2DBackpropInputViaConv } from './convInputGrad';

/**
 * Convolution-gradient kernels (registered per backend; the file is named for its main use).
 *
 * Kernels that stock @tensorflow/tfjs-backend-wasm 4.22 lacks for training a convnet, expressed through the
 * forward kernels it has (XNNPACK convolution, transpose, slice). Only Conv2DBackpropFilter is missing for a
 * WideResNet (Conv2DBackpropInput, the BN/ReLU/pool/softmax gradients' element-wise ops all exist).
 *
 * Conv2DBackpropFilter as a forward convolution: for a forward conv with stride s and padding (t, l),
 *   dW[a,b,c,o] = Σ_{n,i,j} x_pad[n, i·s + a, j·s + b, c] · dy[n, i, j, o],
 * which is a stride-1 convolution of xᵀ = x transposed to [C, H, W, N] (batch C, channels N) with the
 * "filter" dyᵀ = dy transposed to [Ho, Wo, N, O] dilated by s, with the forward pass's padding; its output
 * [C, ≥kh, ≥kw, O] is cropped to [C, kh, kw, O] and transposed to [kh, kw, C, O].
 */

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap };

/** Conv2DBackpropFilter through forward kernels of `backendName` (see the file comment). */
const conv2DBackpropFilterVia = (backendName: string) => (args: KernelArgs) =>
  conv2DBackpropFilter(backendName, args);

function conv2DBackpropFilter(backendName: string, { inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const run = (name: string, a: KernelArgs): tf.TensorInfo => {
    const kernel = tf.getKernel(name, backendName);
    if (!kernel) throw new Error(`the ${backendName} backend has no ${name} kernel`);
    return kernel.kernelFunc(a as never) as tf.TensorInfo;
  };
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const format = tf.backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') throw new Error('Conv2DBackpropFilter via forward conv supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    format,
  );
  const { top, bottom, left, right } = info.padInfo;
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temps.push(t), t);
  try {
    const xT = keep(run('Transpose', { inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } }));
    const dyT = keep(run('Transpose', { inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }));
    const explicit = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    let w = keep(
      run('Conv2D', {
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          pad: explicit,
          dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth],
          dimRoundingMode: undefined as never,
        } as unknown as tf.NamedAttrMap,
      }),
    );
    const [kh, kw, c, o] = filterShape;
    if (w.shape[1] !== kh || w.shape[2] !== kw) {
      w = keep(
        run('Slice', { inputs: { x: w }, backend, attrs: { begin: [0, 0, 0, 0], size: [c, kh, kw, o] } }),
      );
    }
    return run('Transpose', { inputs: { x: w }, backend, attrs: { perm: [1, 2, 0, 3] } });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Names of the kernels `registerWasmTrainingKernels` adds or replaces. */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;

let wasmRegistered = false;

/**
 * Make the 'wasm' backend able to train a convnet, fast (idempotent; call before training on WASM, after
 * importing @tensorflow/tfjs-backend-wasm): add the fused BN+ReLU kernels of the hand-written WRN pass
 * (bnReluFused.ts), add the missing Conv2DBackpropFilter, and replace the stock
 * Conv2DBackpropInput (a plain loop) by its forward-conv formulation (convInputGrad.ts), keeping the stock one
 * as the fallback for configurations it does not cover.
 */
export function registerWasmTrainingKernels(): void {
  if (wasmRegistered) return;
  wasmRegistered = true;
  registerBnReluKernels('wasm');
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2DBackpropFilterVia('wasm') as unknown as tf.KernelFunc,
    });
  }
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInput) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    // The stock kernel binds its wasm function in its setup, which runs when the backend starts.
    setupFunc: stockInput?.setupFunc,
    kernelFunc: makeConv2DBackpropInputViaConv('wasm', stockInput) as unknown as tf.KernelFunc,
  });
}

/**
 * Replace the CPU backend's Conv2DBackpropFilter (a naive 7-deep loop, ~25× slower than its forward conv on a
 * WRN) with the same forward-conv formulation. Opt-in, for the app's CPU fallback and Node runs; the stock
 * kernel stays the reference in tests. @returns a function that restores the stock kernel.
 */
export function useFastCpuConvFilterGradient(): () => void {
  if (fastCpuActive) return () => {};
  const stock = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (!stock) throw new Error('the cpu backend is not loaded');
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'cpu',
    kernelFunc: conv2DBackpropFilterVia('cpu') as unknown as tf.KernelFunc,
  });
  fastCpuActive = true;
  return () => {
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel(stock);
    fastCpuActive = false;
  };
}

let fastCpuActive = false;
