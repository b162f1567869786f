/**
 * The CIFAR-10 open-set cell executor (spec `wrn-openset`, near-OOD): reference/openset_finetune.py's LP-FT
 * recipe on the start model (the pretrained 10-class WRN-16-2), scaled by the cell's config.
 *
 * 1. Split `config.split` (1..5) of CIFAR-10: the 6 known classes relabelled 0..5 in ascending class index (as
 *    the reference), their train/test images, and the 4 unknown classes' test images as the OOD set
 *    `cifar10-unknown`.
 * 2. The 10-way head is replaced by a fresh 6-way one (nn.Linear's default init U(±1/√D), bias 0, seeded).
 * 3. Linear probe: eval-mode features of a seeded subset of `config.probeImages` known training images (sorted
 *    indices), the head alone fitted by L-BFGS on CE + (weightDecay/2)·‖W‖² (src/train/linearProbe.ts).
 * 4. Fine-tune: every layer through the one Trainer (src/train/loop.ts), plain CE (method 'CE'), on the first
 *    `subsetSize` known training images for `epochs` epochs of `idBatchSize` (SGD Nesterov, weight decay,
 *    augmentation, dropout as the config; lr cosine from `lr` to `lrMin` — the reference keeps lr constant
 *    for its first 10 steps, then the same cosine).
 * 5. Evaluate: eval mode, known test (ID) vs unknown test (OOD), the spec's detectors (MSP, MaxLogit, EBO
 *    need no fitting), closed-set accuracy; per-sample scores kept.
 *
 * Caveat (stated on the card): the pretrained backbone saw all ten classes with labels, so this is not a clean
 * open-set protocol. Cancel: the signal is checked between feature batches, L-BFGS iterations, training steps
 * and evaluation batches. No tensors outlive the cell.
 */
import { Random } from '../../core/random';
import { cifar10OpenSet } from '../../data/openSetSplits';
import { withHead, setHead } from '../../models/head';
import type { WideResNet } from '../../models/wrn';
import { STREAM, gatherLabels, mixSeed, normalizer } from '../../train/batches';
import { MemoryCheckpointStore } from '../../train/checkpoint';
import { evaluateDetectors, setOutputs, type DetectorKey } from '../../train/detectorEval';
import { fitLinearProbe } from '../../train/linearProbe';
import { Trainer } from '../../train/loop';
import { sgdForConfig } from '../../train/optim/sgd';
import type { TrainingData } from '../../train/types';
import { scoresOfEvaluation } from '../cellScores';
import type { CellExecutor, CellOutcome } from '../run';
import type { RunConfig } from '../types';
import { ood, scalar } from './measure';
import { runTrainerToEnd, wrnCellConfig, type WrnEnvironment } from './wrnCell';

/** Name of the near-OOD set of the open-set benchmark (the OOD catalogue's entry). */
export const OPEN_SET_OOD = 'cifar10-unknown';
/** The `setting` label of open-set rows (the reference's too). */
export const OPEN_SET_SETTING = 'openset';

/**
 * The open-set view of CIFAR-10 data: known train/test relabelled 0..5 (ID), the unknown test images as the
 * only OOD set. Needs a 10-class CIFAR-10 train and test split with labels.
 */
export function openSetTrainingData(base: TrainingData, split: number): TrainingData {
  if (base.numClasses !== 10 || !base.train.labels || !base.test.labels)
    throw new Error(
      `The open-set benchmark splits CIFAR-10's ten classes, but the loaded ID data has ${base.numClasses} classes${base.train.labels ? '' : ' and no labels'}: load CIFAR-10 train and test.`,
    );
  const d = cifar10OpenSet(base.train, base.test, split);
  return {
    train: d.train,
    test: d.knownTest,
    outliers: null,
    oodTests: { [OPEN_SET_OOD]: { ...d.unknownTest, name: OPEN_SET_OOD } },
    normalization: base.normalization,
    numClasses: d.split.known.length,
  };
}

/** `count` distinct indices of 0..n−1 (all when count ≥ n), seeded, ascending (as the reference's np.sort). */
export function probeSubset(n: number, count: number, seed: number): Int32Array {
  const perm = new Random(mixSeed(seed, STREAM.probe, 0)).permutation(n);
  return perm.subarray(0, Math.min(count, n)).sort();
}

/** A fresh C-way head for D features as nn.Linear initialises one: W U(±1/√D), b 0 (reference: bias zeroed). */
export function freshHead(
  dim: number,
  classes: number,
  seed: number,
): { weight: Float32Array; bias: Float32Array } {
  const bound = 1 / Math.sqrt(dim);
  const rng = new Random(mixSeed(seed, STREAM.probe, 1));
  return { weight: rng.uniformArray(dim * classes, -bound, bound), bias: new Float32Array(classes) };
}

/** The cell's open-set keys, checked. */
function openSetKeys(config: RunConfig): { split: number; probeImages: number } {
  const split = Number(config.split);
  const probeImages = Number(config.probeImages);
  if (!Number.isInteger(split) || split < 1 || split > 5)
    throw new Error(
      `split must be one of the five CIFAR-10 open-set splits 1..5, got ${String(config.split)}.`,
    );
  if (!Number.isInteger(probeImages) || probeImages < 1)
    throw new Error(`probeImages must be a positive integer, got ${String(config.probeImages)}.`);
  if (config.method !== 'CE')
    throw new Error(`The open-set head is fine-tuned with plain CE, not ${String(config.method)}.`);
  return { split, probeImages };
}

/** The executor for open-set specs (`task: 'openset'`); the environment is the WRN cells' one. */
export function createWrnOpenSetExecutor(env: WrnEnvironment): CellExecutor {
  return async (config, ctx): Promise<CellOutcome> => {
    const { split, probeImages } = openSetKeys(config);
    const c = wrnCellConfig(config);
    const signal = ctx.control.signal;
    ctx.onProgress({ fraction: 0, message: 'loading data' });
    const data = openSetTrainingData(await env.data(signal), split);
    const pre = normalizer(data.normalization.mean, data.normalization.std);
    const indices = probeSubset(data.train.n, probeImages, c.seed);
    // Progress by forward-image equivalents: a training image costs about 3 (forward + backward).
    const trainCount = c.subsetSize ? Math.min(c.subsetSize, data.train.n) : data.train.n;
    const steps = Math.floor(trainCount / c.idBatchSize) * c.epochs;
    const evalN = (set: { n: number }) => (c.evalLimit ? Math.min(c.evalLimit, set.n) : set.n);
    const work = [
      indices.length,
      indices.length / 4,
      3 * steps * c.idBatchSize,
      evalN(data.test) + evalN(data.oodTests[OPEN_SET_OOD]),
    ];
    const total = work.reduce((a, b) => a + b, 0);
    const stage = (k: number, within: number, message: string) =>
      ctx.onProgress({
        fraction: (work.slice(0, k).reduce((a, b) => a + b, 0) + within * work[k]) / total,
        message,
      });

    const start = await env.startModel(c);
    // The WRN's penultimate width is 64·k.
    const init = freshHead(start.config.widenFactor * 64, data.numClasses, c.seed);
    let model: WideResNet;
    try {
      model = withHead(start, init.weight, init.bias);
    } finally {
      start.dispose();
    }
    const optimizer = sgdForConfig(model.trainableVariables(), c);
    try {
      // (1) Linear probe on frozen eval-mode features.
      const feats = await setOutputs(model, data.train, pre, {
        indices,
        signal,
        batchSize: 50, // the signal is checked between batches: small ones keep a cancel under a second
        onBatch: (done, n) => stage(0, done / n, `probe features: ${done}/${n} images`),
      });
      const probe = await fitLinearProbe(
        {
          features: feats.features.data,
          n: feats.features.rows,
          dim: feats.features.cols,
          labels: gatherLabels(data.train, indices),
          classes: data.numClasses,
          weightDecay: c.weightDecay,
        },
        {
          init,
          onIteration: async (it, loss) => {
            await ctx.control.gate();
            if (it % 5 === 0)
              stage(
                1,
                Math.min(1, it / 200),
                `linear probe: L-BFGS iteration ${it}, loss ${loss.toFixed(4)}`,
              );
          },
        },
      );
      setHead(model, probe.weight, probe.bias);
      // (2) Fine-tune every layer, plain CE, through the one Trainer.
      const trainer = new Trainer(model, data, c, {
        runId: `experiment-${ctx.spec.id}`,
        store: new MemoryCheckpointStore(),
        optimizer,
        onProgress: (p) => {
          if (p.step > 0)
            stage(
              2,
              p.step / p.totalSteps,
              `fine-tuning step ${p.step}/${p.totalSteps} (${p.imagesPerSecond.toFixed(0)} img/s)`,
            );
        },
        yieldFn: () => ctx.control.gate(),
      });
      await runTrainerToEnd(trainer, signal, 'Fine-tuning failed.');
      // (3) Known test (ID) vs unknown test (OOD).
      const evaluate = ctx.spec.evaluate;
      const ev = await evaluateDetectors(model, data, {
        detectors: evaluate.detectors as readonly DetectorKey[],
        oodSets: [OPEN_SET_OOD],
        limit: c.evalLimit,
        fitLimit: c.fitLimit,
        signal,
        onProgress: (f, msg) => stage(3, f, `evaluating: ${msg}`),
        keepScores: true,
      });
      const at = { epoch: null, budget: null };
      const measurements = ood(ev.metrics, evaluate.metrics, at);
      if (evaluate.metrics.includes('ACC'))
        measurements.unshift(scalar('ACC', ev.accuracy, ev.testCount, at));
      const scores =
        ev.scores && ev.predicted
          ? scoresOfEvaluation(ev.scores, data.test.labels!, ev.predicted)
          : undefined;
      return { measurements, setting: OPEN_SET_SETTING, scores };
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  };
}
