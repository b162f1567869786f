import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'vitest';
import { Random } from '../src/core/random';
import { registerWasmTrainingKernels } from '../src/models/wasmKernels';
import { WideResNet } from '../src/models/wrn';
import { wrnConfig } from '../src/models/wrnSpec';
import { PAPER_CONFIG } from '../src/train/config';
import { Sgd } from '../src/train/optim/sgd';
import { trainStep } from '../src/train/step';

/** Kernel-time profile of one OE training step of WRN-16-2 on Node WASM (where the time goes). */
test('profile', async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  const model = new WideResNet(wrnConfig('WRN-16-2', { dropRate: 0.3 }), 1);
  const opt = new Sgd(model.trainableVariables(), { lr: 1e-4, momentum: 0.9, nesterov: true });
  const r = new Random(1);
  const B = Number(process.env.BENCH_ID ?? 8);
  const idX = tf.tensor4d(r.uniformArray(B * 3072), [B, 32, 32, 3]);
  const outX = tf.tensor4d(r.uniformArray(B * 3072), [B, 32, 32, 3]);
  const idY = tf.tensor1d(
    Array.from({ length: B }, (_, i) => i % 10),
    'int32',
  );
  const cfg = { ...PAPER_CONFIG, method: 'AOE' as const };
  await trainStep(model, opt, { idX, idY, outX }, cfg, 1e-4, new Random(2), (x) => x.clone());
  const info = await tf.profile(async () => {
    await trainStep(model, opt, { idX, idY, outX }, cfg, 1e-4, new Random(3), (x) => x.clone());
  });
  const byName = new Map<string, number>();
  for (const k of info.kernels) byName.set(k.name, (byName.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const total = [...byName.values()].reduce((a, b) => a + b, 0);
  console.log(`total kernel ms ${total.toFixed(0)}`);
  const count = new Map<string, number>();
  for (const k of info.kernels) count.set(k.name, (count.get(k.name) ?? 0) + 1);
  for (const [n, ms] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(n.padEnd(28), ms.toFixed(0).padStart(7), String(count.get(n)).padStart(5));
});
