import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../core/random';
import { normalizer } from './batches';
import { PAPER_CONFIG, type ExperimentConfig, type Method } from './config';
import { Sgd } from './optim/sgd';
import { trainStep } from './step';
import type { TrainableClassifier } from './types';

/** Timing of one step kind (ms per step, median over repeats) and its throughput. */
export interface StepTiming {
  kind: Method | 'inference';
  idBatch: number;
  outlierBatch: number;
  /** Median milliseconds per step, and all repeats. */
  medianMs: number;
  samplesMs: number[];
  /** Images through the model per second: (ID + outliers) per step ÷ step time (inference: batch ÷ time). */
  imagesPerSecond: number;
}

export interface BenchOptions {
  idBatch: number;
  outlierBatch: number;
  repeats: number;
  warmup: number;
  methods: Method[];
  /** Clock in ms. */
  now: () => number;
  /** Called after each measured step (for progress output). */
  onStep?: (kind: string, ms: number) => void;
}

const median = (xs: number[]) => {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Time real training steps (the loop's `trainStep`: attack + one concatenated forward/backward + SGD + BN
 * commit, with the loss read back each step) on random 32×32 inputs, and eval-mode inference. Every timed
 * step ends with a device read, so times include the GPU's work. The model's weights change (it trains).
 */
export async function benchmarkSteps(model: TrainableClassifier, o: BenchOptions): Promise<StepTiming[]> {
  const rng = new Random(123);
  const pre = normalizer([0.49, 0.48, 0.45], [0.25, 0.24, 0.26]);
  const mk = (n: number) => tf.tensor4d(rng.uniformArray(n * 32 * 32 * 3), [n, 32, 32, 3]);
  const idX = tf.tidy(() => pre(mk(o.idBatch)) as tf.Tensor4D);
  const idY = tf.tensor1d(
    Int32Array.from({ length: o.idBatch }, () => rng.int(10)),
    'int32',
  );
  const outX = mk(o.outlierBatch);
  const results: StepTiming[] = [];
  try {
    for (const method of o.methods) {
      const config: ExperimentConfig = {
        ...PAPER_CONFIG,
        method,
        idBatchSize: o.idBatch,
        outlierBatchSize: o.outlierBatch,
      };
      const opt = new Sgd(model.trainableVariables(), {
        lr: 1e-4,
        momentum: 0.9,
        weightDecay: 5e-4,
        nesterov: true,
      });
      const batch = { idX, idY, outX: method === 'CE' ? null : outX };
      const samples: number[] = [];
      for (let i = 0; i < o.warmup + o.repeats; i++) {
        const t0 = o.now();
        await trainStep(model, opt, batch, config, 1e-4, new Random(i), pre);
        const ms = o.now() - t0;
        if (i >= o.warmup) {
          samples.push(ms);
          o.onStep?.(method, ms);
        }
      }
      opt.dispose();
      const images = o.idBatch + (method === 'CE' ? 0 : o.outlierBatch);
      const m = median(samples);
      results.push({
        kind: method,
        idBatch: o.idBatch,
        outlierBatch: method === 'CE' ? 0 : o.outlierBatch,
        medianMs: m,
        samplesMs: samples,
        imagesPerSecond: (images / m) * 1000,
      });
    }
    const inf = tf.tidy(() => tf.concat([idX, pre(outX) as tf.Tensor4D]));
    const samples: number[] = [];
    for (let i = 0; i < o.warmup + o.repeats; i++) {
      const t0 = o.now();
      const logits = model.forward(inf, { training: false }).logits;
      await logits.data();
      logits.dispose();
      if (i >= o.warmup) samples.push(o.now() - t0);
    }
    inf.dispose();
    const m = median(samples);
    const n = o.idBatch + o.outlierBatch;
    results.push({
      kind: 'inference',
      idBatch: n,
      outlierBatch: 0,
      medianMs: m,
      samplesMs: samples,
      imagesPerSecond: (n / m) * 1000,
    });
  } finally {
    tf.dispose([idX, idY, outX]);
  }
  return results;
}
