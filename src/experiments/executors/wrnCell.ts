/**
 * The WideResNet cell executor: fine-tune the start model with the cell's config through the one Trainer
 * (src/train/loop.ts), then fit and score the spec's detectors on every requested OOD set, ID accuracy too;
 * optionally after every epoch (Fig. 10, epoch 0 = the start model). The environment supplies data, outliers
 * and a fresh start model, so the worker, Node and tests differ only there.
 */
import { DEFAULT_CONFIG, validateConfig, type ExperimentConfig } from '../../train/config';
import { evaluateAttack } from '../../train/attackEval';
import { evaluateDetectors, type DetectorKey } from '../../train/detectorEval';
import { Trainer } from '../../train/loop';
import { MemoryCheckpointStore } from '../../train/checkpoint';
import { canonicalMethodConfig, usesOutliers } from '../../train/methods';
import { sgdForConfig } from '../../train/optim/sgd';
import type { ImageSet, TrainingData } from '../../train/types';
import type { ImageClassifier } from '../../models/types';
import type { CellContext, CellExecutor, CellOutcome, Measurement } from '../run';
import type { EvaluateSpec, RunConfig } from '../types';
import { scoresOfEvaluation, type ScoresOfCell } from '../cellScores';
import { ood, scalar } from './measure';

/** What a WRN cell needs from its surface (worker: the loaded data; Node: public/data; tests: fixtures). */
export interface WrnEnvironment {
  /** ID train/test, OOD test sets and normalisation (its `outliers` is ignored). */
  data(signal: AbortSignal): Promise<TrainingData>;
  /** Training outliers for the config (σ², count, seed); the environment may memoise them. */
  outliers(config: ExperimentConfig, signal: AbortSignal): Promise<ImageSet>;
  /** A fresh copy of the start model (e.g. the pretrained WRN-16-2) with the config's dropout; caller disposes. */
  startModel(config: ExperimentConfig): Promise<ImageClassifier>;
}

/**
 * Run `trainer` to its end, cancelling it when `signal` aborts. Throws the signal's AbortError when cancelled and
 * an Error (the trainer's message, else `failure`) when the run failed.
 */
export async function runTrainerToEnd(trainer: Trainer, signal: AbortSignal, failure: string): Promise<void> {
  const abort = () => trainer.cancel();
  signal.addEventListener('abort', abort, { once: true });
  let result;
  try {
    result = await trainer.run();
  } finally {
    signal.removeEventListener('abort', abort);
  }
  signal.throwIfAborted();
  if (result.status === 'error') throw new Error(result.error ?? failure);
}

/** A cell's run config as a complete, canonical, validated ExperimentConfig. */
export function wrnCellConfig(config: RunConfig): ExperimentConfig {
  const c = canonicalMethodConfig({ ...DEFAULT_CONFIG, ...config } as ExperimentConfig);
  const problems = validateConfig(c);
  if (problems.length) throw new Error(`Invalid cell config: ${problems.join(' ')}`);
  return c;
}

/**
 * Measurements of one evaluation: ID accuracy, and each detector × OOD set × metric of the spec — clean, or under
 * the spec's test-time attack (Fig. 6: rows carry `budget`; budget 0 is the clean evaluation). Only a clean
 * evaluation keeps per-sample scores.
 */
async function measure(
  model: ImageClassifier,
  data: TrainingData,
  c: ExperimentConfig,
  evaluate: EvaluateSpec,
  epoch: number | null,
  ctx: CellContext,
  onFraction: (f: number, msg: string) => void,
): Promise<{ measurements: Measurement[]; scores?: ScoresOfCell }> {
  const options = {
    detectors: evaluate.detectors as readonly DetectorKey[],
    oodSets: evaluate.oodSets,
    limit: c.evalLimit,
    fitLimit: c.fitLimit,
    signal: ctx.control.signal,
    onProgress: onFraction,
  };
  const accuracy = (ev: { accuracy: number; testCount: number }) =>
    evaluate.metrics.includes('ACC')
      ? [scalar('ACC', ev.accuracy, ev.testCount, { epoch, budget: null })]
      : [];
  if (evaluate.attack) {
    const { kind, budgets } = evaluate.attack;
    const ev = await evaluateAttack(model, data, { ...options, kind, budgets, seed: c.seed });
    const perBudget = ev.budgets.flatMap((budget, i) =>
      ood(ev.perBudget[i], evaluate.metrics, { epoch, budget }),
    );
    return { measurements: [...accuracy(ev), ...perBudget] };
  }
  const ev = await evaluateDetectors(model, data, { ...options, keepScores: true });
  const labels = data.test.labels;
  const scores =
    ev.scores && ev.predicted && labels ? scoresOfEvaluation(ev.scores, labels, ev.predicted) : undefined;
  return {
    measurements: [...accuracy(ev), ...ood(ev.metrics, evaluate.metrics, { epoch, budget: null })],
    scores,
  };
}

/** The executor for `model: 'wrn'` specs. */
export function createWrnExecutor(env: WrnEnvironment): CellExecutor {
  return async (config, ctx): Promise<CellOutcome> => {
    const c = wrnCellConfig(config);
    const evaluate = ctx.spec.evaluate;
    const signal = ctx.control.signal;
    ctx.onProgress({ fraction: 0, message: 'loading data' });
    const base = await env.data(signal);
    const outliers = usesOutliers(c.method) ? await env.outliers(c, signal) : null;
    const data: TrainingData = { ...base, outliers };
    const model = await env.startModel(c);
    const optimizer = sgdForConfig(model.trainableVariables(), c);
    const measurements: Measurement[] = [];
    // Per-sample scores of the latest clean evaluation (the final model's, which the rows without epoch show).
    let scores: ScoresOfCell | undefined;
    // Work split for progress: each evaluation counts as one epoch of training.
    const evals = evaluate.everyEpoch ? c.epochs + 1 : 1;
    const units = c.epochs + evals;
    let unitsDone = 0;
    const evalAt = async (epoch: number | null, label: string) => {
      const m = await measure(model, data, c, evaluate, epoch, ctx, (f, msg) =>
        ctx.onProgress({ fraction: (unitsDone + f) / units, message: `${label}: ${msg}` }),
      );
      measurements.push(...m.measurements);
      scores = m.scores;
      unitsDone++;
    };
    try {
      if (evaluate.everyEpoch) await evalAt(0, 'evaluating the start model');
      const trainer = new Trainer(model, data, c, {
        runId: `experiment-${ctx.spec.id}`,
        store: new MemoryCheckpointStore(),
        optimizer,
        onProgress: (p) => {
          if (p.step === 0) return;
          const partial = (p.step % p.stepsPerEpoch) / p.stepsPerEpoch;
          ctx.onProgress({
            fraction: (unitsDone + partial) / units,
            message: `training step ${p.step}/${p.totalSteps} (${p.imagesPerSecond.toFixed(0)} img/s)`,
          });
        },
        yieldFn: () => ctx.control.gate(),
        onEpochEnd: async (epoch) => {
          unitsDone++;
          if (evaluate.everyEpoch) await evalAt(epoch + 1, `evaluating after epoch ${epoch + 1}`);
        },
      });
      await runTrainerToEnd(trainer, signal, 'Training failed.');
      if (!evaluate.everyEpoch) await evalAt(null, 'evaluating');
      else {
        // The final evaluation is the last epoch's: repeat it without an epoch for the end-of-training views.
        for (const m of measurements.filter((x) => x.epoch === c.epochs))
          measurements.push({ ...m, epoch: null });
      }
      return { measurements, setting: c.setting, scores };
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  };
}
