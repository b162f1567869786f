/**
 * One benchmark case of `npm run bench:train` in comparison mode, run in its own process (a fresh vitest fork)
 * so that its peak resident memory (process.resourceUsage().maxRSS) belongs to this case alone.
 * Input: BENCH_CASE = JSON of `CaseSpec`; output: the JSON of `CaseResult` written to BENCH_CASE_OUT.
 * Not collected by the default `bench/vitest.config.ts` include unless named.
 */
import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { test } from 'vitest';
import { BN_RELU_BACKWARD, BN_RELU_FORWARD } from '../src/models/bnReluFused';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from '../src/models/wasmKernels';
import { WideResNet } from '../src/models/wrn';
import { wrnConfig, type WrnPresetName } from '../src/models/wrnSpec';
import { benchmarkSteps, type StepTiming } from '../src/train/benchmark';
import type { Method } from '../src/train/config';

export interface CaseSpec {
  backend: 'wasm' | 'cpu';
  /** WASM only: unregister the fused BN+ReLU kernels (the op-by-op formulas run instead). */
  unfusedBn?: boolean;
  model: WrnPresetName;
  idBatch: number;
  outBatch: number;
  kinds: (Method | 'inference')[];
  repeats: number;
  warmup: number;
  threads: number;
}

export interface CaseResult {
  spec: CaseSpec;
  backendDetail: string;
  timings: StepTiming[];
  /** Peak resident set of this process (bytes), from process.resourceUsage().maxRSS. */
  peakRssBytes: number;
  /** Peak tfjs tensor bytes seen after a step. */
  peakTensorBytes: number;
  error?: string;
}

test('bench:train case', async () => {
  const spec = JSON.parse(process.env.BENCH_CASE ?? '{}') as CaseSpec;
  const out = process.env.BENCH_CASE_OUT!;
  const result: CaseResult = { spec, backendDetail: '', timings: [], peakRssBytes: 0, peakTensorBytes: 0 };
  try {
    if (spec.backend === 'wasm') {
      setThreadsCount(spec.threads);
      await tf.setBackend('wasm');
      await tf.ready();
      registerWasmTrainingKernels();
      // The 'wasm-unfused' path: the op-by-op BN+ReLU formulas (what ran before the fused kernels), for before/after.
      if (spec.unfusedBn) for (const k of [BN_RELU_FORWARD, BN_RELU_BACKWARD]) tf.unregisterKernel(k, 'wasm');
      result.backendDetail = `tfjs-backend-wasm ${tf.version_core} (Node ${process.version}, SIMD, ${getThreadsCount()} thread(s)${spec.unfusedBn ? ', BN+ReLU as tfjs ops' : ', fused BN+ReLU kernels'})`;
    } else {
      await tf.setBackend('cpu');
      await tf.ready();
      useFastCpuConvFilterGradient();
      result.backendDetail = `tfjs-backend-cpu ${tf.version_core} (Node ${process.version}, 1 thread, forward-conv filter gradient)`;
    }
    const model = new WideResNet(wrnConfig(spec.model, { dropRate: 0.3 }), 1);
    result.timings = await benchmarkSteps(model, {
      idBatch: spec.idBatch,
      outlierBatch: spec.outBatch,
      repeats: spec.repeats,
      warmup: spec.warmup,
      methods: spec.kinds.filter((k): k is Method => k !== 'inference'),
      inference: spec.kinds.includes('inference'),
      now: () => performance.now(),
      onStep: (k, ms) => {
        result.peakTensorBytes = Math.max(result.peakTensorBytes, tf.memory().numBytes);
        console.log(`  ${spec.backend} ${spec.idBatch}+${spec.outBatch} ${k}: ${ms.toFixed(0)} ms`);
      },
    });
    model.dispose();
  } catch (err) {
    result.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  result.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  writeFileSync(out, JSON.stringify(result));
});
