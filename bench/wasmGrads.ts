/**
 * `npm run bench:wasm-grads`: what the conv-gradient kernels of src/models buy, in Node (tsx).
 * - WASM (Node build: SIMD, one thread): a WRN-16-2 OE training step (forward + all weight gradients) with
 *   tfjs-wasm's stock Conv2DBackpropInput vs ours (stock tfjs-wasm cannot run the step at all: it has no
 *   Conv2DBackpropFilter, so both rows use ours for that).
 * - CPU: a WRN-10-1 OE step with tfjs-cpu's stock Conv2DBackpropFilter vs the forward-conv one.
 * Medians over repeats after one warm-up; prints a table and writes bench/results/wasm-grads.json.
 * Env: WRN_BATCH (ID = outlier batch, default 32), CPU_BATCH (default 4), REPEATS (default 3).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs'; // registers the gradients (tfjs-core's dist subpath cannot be imported by Node ESM)
import '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { outlierExposureLoss } from '../src/core/losses';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from '../src/models/wasmKernels';
import { WideResNet } from '../src/models/wrn';
import { wrnConfig, type WrnPresetName } from '../src/models/wrnSpec';

const BATCH = Number(process.env.WRN_BATCH ?? 32);
const CPU_BATCH = Number(process.env.CPU_BATCH ?? 4);
const REPEATS = Number(process.env.REPEATS ?? 3);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of one OE step (forward of cat(ID, OOD) in training mode + gradients of every weight). */
function stepMs(preset: WrnPresetName, batch: number): number {
  const model = new WideResNet(wrnConfig(preset, { dropRate: 0 }), 1);
  const x = tf.randomUniform([2 * batch, 32, 32, 3], -1, 1, 'float32', 2) as tf.Tensor4D;
  const y = tf.zeros([batch], 'int32') as tf.Tensor1D;
  const step = () => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.forward(x, { training: true, collectStats: false });
      const [a, b] = tf.split(logits, 2);
      return outlierExposureLoss(a as tf.Tensor2D, y, b as tf.Tensor2D, 0.5, 'whole-batch');
    }, model.trainableVariables());
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  step();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  tf.dispose([x, y]);
  model.dispose();
  return median(times);
}

const rows: {
  backend: string;
  model: string;
  batch: string;
  variant: string;
  ms: number;
  imgPerS: number;
}[] = [];
const add = (backend: string, preset: string, batch: number, variant: string, ms: number) =>
  rows.push({
    backend,
    model: preset,
    batch: `${batch}+${batch}`,
    variant,
    ms,
    imgPerS: (2 * batch) / (ms / 1000),
  });

// WASM: the stock input-gradient kernel is kept by registerWasmTrainingKernels as its fallback; swap it in.
const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
registerWasmTrainingKernels();
await tf.setBackend('wasm');
await tf.ready();
const oursInput = tf.getKernel('Conv2DBackpropInput', 'wasm')!;
const swapInput = (k: tf.KernelConfig) => {
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel(k);
};
swapInput({ ...stockInput, setupFunc: undefined });
add(
  'wasm (Node, SIMD, 1 thread)',
  'WRN-16-2',
  BATCH,
  'stock input grad + our filter grad',
  stepMs('WRN-16-2', BATCH),
);
swapInput(oursInput);
add('wasm (Node, SIMD, 1 thread)', 'WRN-16-2', BATCH, 'our input + filter grads', stepMs('WRN-16-2', BATCH));

await tf.setBackend('cpu');
add('cpu', 'WRN-10-1', CPU_BATCH, 'stock filter grad', stepMs('WRN-10-1', CPU_BATCH));
const restore = useFastCpuConvFilterGradient();
add('cpu', 'WRN-10-1', CPU_BATCH, 'forward-conv filter grad', stepMs('WRN-10-1', CPU_BATCH));
restore();

console.table(rows.map((r) => ({ ...r, ms: Math.round(r.ms), imgPerS: r.imgPerS.toFixed(1) })));
const machine = `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB`;
mkdirSync('bench/results', { recursive: true });
writeFileSync(
  'bench/results/wasm-grads.json',
  JSON.stringify(
    {
      bench: 'wasm-grads',
      date: new Date().toISOString(),
      machine,
      loadAverage: os.loadavg(),
      node: process.version,
      note: 'OE training step = train-mode forward of cat(ID, OOD) + gradients of every weight; median of repeats',
      repeats: REPEATS,
      rows,
    },
    null,
    2,
  ),
);
