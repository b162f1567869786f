/**
 * Robustness of OOD detectors to a test-time attack on the OOD inputs (paper §5.5, Fig. 6), as the text defines
 * it: every OOD image is moved to MAXIMISE its outlier-exposure loss L_OE (the cross-entropy to the uniform
 * posterior — ascending it makes the posterior peaked, i.e. the image looks more ID) within ‖δ‖∞ ≤ budget, in
 * pixel units, and clamped to [0, 1]; ID test images stay clean. Metrics are computed per budget, each from the
 * clean images (not accumulated across budgets as the authors' code does). FGSM is one signed step of size
 * `budget` (core `fgsmOutlierExposure`, 'paper-oe'); PGD iterates that step with size α and projects onto the
 * ball ∩ [0, 1] after each step, from a seeded random start. The model runs in eval mode throughout.
 * DOM-free; runs in the worker and in Node. Cancellation: `signal` is checked between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { idVsOodMetrics, type OodMetrics } from '../core/metrics';
import { fgsmOutlierExposure, projectedSignIterations } from '../core/perturbations';
import { Random } from '../core/random';
import { scoreAsync } from '../core/detectors';
import type { Matrix } from '../core/linalg';
import { asLogitsFn } from '../models/wrn';
import type { ImageClassifier } from '../models/types';
import { gatherImages, toImageTensor } from './batches';
import {
  fittedDetector,
  scoreSet,
  startEvaluation,
  type DetectorKey,
  type EvaluationOptions,
  type SetOutputs,
} from './detectorEval';
import type { ImageSet, TrainingData } from './types';

export type AttackKind = 'fgsm' | 'pgd';

/** PGD defaults: 10 steps of α = 2.5·budget/steps (Madry et al.'s rule). */
export const ATTACK_PGD_STEPS = 10;

export interface AttackOptions {
  kind: AttackKind;
  /** ‖δ‖∞ budgets in pixel units ([0, 1] images); 0 = clean. */
  budgets: readonly number[];
  /** PGD iterations (default {@link ATTACK_PGD_STEPS}). */
  pgdSteps?: number;
  /** PGD step α in pixel units (default 2.5·budget/steps). */
  pgdStepSize?: number;
  /** Seed of PGD's random start. */
  seed?: number;
  batchSize?: number;
}

/**
 * Attack a batch of OOD images [M, H, W, C] in pixel units with the model's eval-mode logits.
 * @param preprocess pixels → model input (normalisation); ε stays in pixel units.
 * @returns a new tensor in [0, 1] with ‖x′ − x‖∞ ≤ budget; leaks nothing.
 */
export function attackBatch(
  model: Pick<ImageClassifier, 'forward'>,
  x: tf.Tensor4D,
  budget: number,
  o: Pick<AttackOptions, 'kind' | 'pgdSteps' | 'pgdStepSize'> & {
    preprocess: (t: tf.Tensor) => tf.Tensor;
    random?: Random;
  },
): tf.Tensor4D {
  const logits = asLogitsFn(model, false);
  const clamp: [number, number] = [0, 1];
  if (budget === 0) return x.clone();
  if (o.kind === 'fgsm')
    return fgsmOutlierExposure(logits, x, {
      epsilon: budget,
      clamp,
      preprocess: o.preprocess,
    }) as tf.Tensor4D;
  const steps = o.pgdSteps ?? ATTACK_PGD_STEPS;
  const alpha = o.pgdStepSize ?? (2.5 * budget) / steps;
  const random = o.random ?? new Random(1);
  return projectedSignIterations(
    x,
    budget,
    steps,
    (current) => fgsmOutlierExposure(logits, current, { epsilon: alpha, preprocess: o.preprocess }),
    { random, clamp },
  ) as tf.Tensor4D;
}

/** Eval-mode outputs of an attacked set, plus ODIN's scores on the attacked inputs when asked. */
async function attackedOutputs(
  model: ImageClassifier,
  set: ImageSet,
  limit: number,
  budget: number,
  o: AttackOptions & { preprocess: (t: tf.Tensor) => tf.Tensor; random: Random },
  odinScore: ((inputs: tf.Tensor) => Promise<Float32Array>) | null,
  signal: AbortSignal | undefined,
  onBatch: (done: number, total: number) => void,
): Promise<{ out: SetOutputs; odin: Float32Array | null }> {
  const n = limit > 0 ? Math.min(limit, set.n) : set.n;
  const bs = o.batchSize ?? 100;
  const c = model.config.numClasses;
  const logits = new Float32Array(n * c);
  let features = new Float32Array(0);
  let d = 0;
  const odin = odinScore ? new Float32Array(n) : null;
  for (let start = 0; start < n; start += bs) {
    signal?.throwIfAborted();
    const idx = Array.from({ length: Math.min(bs, n - start) }, (_, i) => start + i);
    const x = toImageTensor(gatherImages(set, idx, null), set);
    let adv: tf.Tensor4D | null = null;
    try {
      adv = attackBatch(model, x, budget, o);
      const [l, f] = tf.tidy(() => {
        const out = model.forward(o.preprocess(adv!) as tf.Tensor4D, { training: false });
        return [out.logits, out.features] as const;
      });
      const [lv, fv] = (await Promise.all([l.data(), f.data()])) as Float32Array[];
      tf.dispose([l, f]);
      if (d === 0) {
        d = fv.length / idx.length;
        features = new Float32Array(n * d);
      }
      logits.set(lv, start * c);
      features.set(fv, start * d);
      if (odin && odinScore) {
        const inputs = tf.tidy(() => o.preprocess(adv!));
        try {
          odin.set(await odinScore(inputs), start);
        } finally {
          inputs.dispose();
        }
      }
    } finally {
      x.dispose();
      adv?.dispose();
    }
    onBatch(start + idx.length, n);
    await new Promise((r) => setTimeout(r, 0));
  }
  const logitsM: Matrix = { data: logits, rows: n, cols: c };
  return {
    out: { logits: logitsM, features: { data: features, rows: n, cols: d }, predicted: new Int32Array(n) },
    odin,
  };
}

export interface AttackEvalOptions extends AttackOptions, EvaluationOptions {}

export type MetricsWithCounts = OodMetrics & { nId: number; nOod: number };

export interface AttackEvaluation {
  /** Clean ID test accuracy (fraction) over `testCount` images. */
  accuracy: number;
  testCount: number;
  budgets: number[];
  /** perBudget[i][detector][oodSet]: metrics of clean ID vs OOD attacked at budgets[i]. */
  perBudget: Record<string, Record<string, MetricsWithCounts>>[];
}

/**
 * Fit the detectors once on clean ID training features, score the clean ID test set once, then for each budget
 * attack every OOD set and score it. Higher score = more OOD; OOD is the positive class.
 */
export async function evaluateAttack(
  model: ImageClassifier,
  data: TrainingData,
  o: AttackEvalOptions,
): Promise<AttackEvaluation> {
  const ev = await startEvaluation(model, data, o, (sets) => o.budgets.length * sets.length);
  const detectors = o.detectors.map((name) => ({
    name,
    det: fittedDetector(name, model, ev.head, data, ev.fitOut),
  }));
  // Clean ID scores once per detector (ODIN runs the model on the inputs, batch by batch).
  const idScores = new Map<DetectorKey, Float32Array>();
  for (const { name, det } of detectors) {
    idScores.set(name, await scoreSet(det, name, ev.idOut, data.test, ev.pre, o.signal));
  }
  const odin = detectors.find((d) => d.name === 'ODIN')?.det ?? null;
  const random = new Random(o.seed ?? 1);
  const perBudget: AttackEvaluation['perBudget'] = [];
  for (const budget of o.budgets) {
    if (!(budget >= 0)) throw new Error(`Attack budgets must be ≥ 0 (got ${budget}).`);
    const byDet: Record<string, Record<string, MetricsWithCounts>> = {};
    for (const { name } of detectors) byDet[name] = {};
    for (const s of ev.oodSets) {
      const { out, odin: odinScores } = await attackedOutputs(
        model,
        data.oodTests[s],
        o.limit,
        budget,
        { ...o, preprocess: ev.pre, random },
        odin ? (inputs) => scoreAsync(odin, { inputs }) : null,
        o.signal,
        (done, total) =>
          ev.report(
            `${o.kind.toUpperCase()} budget ${budget} on ${s}: ${done}/${total} images`,
            done / total,
          ),
      );
      ev.endPhase();
      for (const { name, det } of detectors) {
        const ood = name === 'ODIN' ? odinScores! : det.score({ logits: out.logits, features: out.features });
        const id = idScores.get(name)!;
        byDet[name][s] = idVsOodMetrics(id, ood);
      }
    }
    perBudget.push(byDet);
  }
  ev.report('done');
  return {
    accuracy: ev.accuracy,
    testCount: ev.idOut.predicted.length,
    budgets: [...o.budgets],
    perBudget,
  };
}
