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
  /** Also time eval-mode inference over the ID + outlier batch (default true). */
  inference?: boolean;
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
 * Every kind is warmed up first; then the kinds are interleaved repeat by repeat (CE, OE, AOE, inference,
 * CE, …) so that a ratio between kinds compares neighbouring steps, not different minutes of a shared machine.
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
  const kinds: (Method | 'inference')[] = [
    ...o.methods,
    ...(o.inference === false ? [] : ['inference' as const]),
  ];
  const inf = tf.tidy(() => tf.concat([idX, pre(outX) as tf.Tensor4D]));
  const opts = new Map<Method, Sgd>();
  const samples = new Map<string, number[]>(kinds.map((k) => [k, []]));
  const seeds = new Map<string, number>(kinds.map((k) => [k, 0]));
  /** One timed step of `kind` (ends with a device read). */
  const once = async (kind: Method | 'inference'): Promise<number> => {
    const t0 = o.now();
    if (kind === 'inference') {
      const logits = model.forward(inf, { training: false }).logits;
      await logits.data();
      logits.dispose();
      return o.now() - t0;
    }
    const config: ExperimentConfig = {
      ...PAPER_CONFIG,
      method: kind,
      idBatchSize: o.idBatch,
      outlierBatchSize: o.outlierBatch,
    };
    const i = seeds.get(kind)!;
    seeds.set(kind, i + 1);
    await trainStep(
      model,
      opts.get(kind)!,
      { idX, idY, outX: kind === 'CE' ? null : outX },
      config,
      1e-4,
      new Random(i),
      pre,
    );
    return o.now() - t0;
  };
  try {
    for (const m of o.methods)
      opts.set(
        m,
        new Sgd(model.trainableVariables(), { lr: 1e-4, momentum: 0.9, weightDecay: 5e-4, nesterov: true }),
      );
    // Warm up every kind, then interleave the kinds repeat by repeat, so that load drifting on a shared machine
    // hits every kind alike (ratios between kinds come from neighbouring steps).
    for (const k of kinds) for (let i = 0; i < o.warmup; i++) await once(k);
    for (let r = 0; r < o.repeats; r++) {
      for (const k of kinds) {
        const ms = await once(k);
        samples.get(k)!.push(ms);
        o.onStep?.(k, ms);
      }
    }
    return kinds.map((kind) => {
      const xs = samples.get(kind)!;
      const m = median(xs);
      const images =
        kind === 'inference' ? o.idBatch + o.outlierBatch : o.idBatch + (kind === 'CE' ? 0 : o.outlierBatch);
      return {
        kind,
        idBatch: kind === 'inference' ? images : o.idBatch,
        outlierBatch: kind === 'inference' || kind === 'CE' ? 0 : o.outlierBatch,
        medianMs: m,
        samplesMs: xs,
        imagesPerSecond: (images / m) * 1000,
      };
    });
  } finally {
    for (const opt of opts.values()) opt.dispose();
    tf.dispose([idX, idY, outX, inf]);
  }
}
