/**
 * The 2-D toy cell executor: build the seeded toy data of the cell's ToyParams, retrain the MLP from its seeded
 * start for `steps` steps with the cell's method and ε (the same ToyRun the landscape panel uses), then score the
 * requested logit detectors on held-out ID points vs the near and far held-out OOD points, plus accuracy and
 * the accepted area (fraction of the view with E < τ at 95 % ID acceptance).
 */
import type { Detector } from '../../core/detectors';
import { createLogitDetector } from '../../train/detectorEval';
import { idVsOodMetrics } from '../../core/metrics';
import { buildToyData } from '../../train/toy/data';
import { defaultToyParams, mergeToyParams, type ToyParams } from '../../train/toy/params';
import { ToyRun } from '../../train/toy/trainer';
import { macrotask } from '../../train/interrupt';
import { canonicalMethodConfig } from '../../train/methods';
import type { CellExecutor, Measurement } from '../run';
import type { RunConfig } from '../types';
import { ID_SET, scoresOfEvaluation } from '../cellScores';
import { argmaxRows, ood, scalar, type MetricsByDetector } from './measure';

/** Toy detectors: the MLP exposes logits only, so the logit-based four. */
export const TOY_DETECTORS = ['MSP', 'MaxLogit', 'EBO', 'KLMatching'] as const;

function toyDetector(name: string): Detector {
  const d = createLogitDetector(name);
  if (!d)
    throw new Error(`The toy MLP exposes only logits: detector "${name}" needs features or inputs it lacks.`);
  return d;
}

/** A cell's run config as complete, validated, canonical ToyParams. */
export function toyCellParams(config: RunConfig): ToyParams {
  const { params, rejected } = mergeToyParams(defaultToyParams(), config);
  if (rejected.length) throw new Error(`Invalid toy setting(s): ${rejected.join(', ')}.`);
  return canonicalMethodConfig(params);
}

function logitsOf(run: ToyRun, points: Float32Array): { data: Float32Array; rows: number; cols: number } {
  return { data: run.logits(points), rows: points.length / 2, cols: run.data.numClasses };
}

/** The executor for `model: 'toy'` specs. */
export const toyExecutor: CellExecutor = async (config, ctx) => {
  const p = toyCellParams(config);
  const data = buildToyData(p);
  const run = new ToyRun(data, p);
  try {
    const chunk = 50;
    let lastYield = Date.now();
    for (let done = 0; done < p.steps; done += chunk) {
      // A macrotask now and then lets a cancel or pause message into this worker (the gate alone never yields).
      if (Date.now() - lastYield >= 50) {
        await macrotask();
        lastYield = Date.now();
      }
      await ctx.control.gate();
      run.train(Math.min(chunk, p.steps - done));
      ctx.onProgress({
        fraction: (0.9 * Math.min(p.steps, done + chunk)) / p.steps,
        message: `step ${done + chunk}/${p.steps}`,
      });
    }
    await ctx.control.gate();
    const ev = run.evaluate(Math.min(p.grid, 100), p.view);
    const metrics = ctx.spec.evaluate.metrics;
    const at = { epoch: null, budget: null };
    const out: Measurement[] = [];
    if (metrics.includes('ACC')) out.push(scalar('ACC', ev.accuracy, data.testId.y.length, at));
    if (metrics.includes('AREA')) out.push(scalar('AREA', ev.acceptedArea, null, at));
    const trainLogits = logitsOf(run, data.train.x);
    const idLogits = logitsOf(run, data.testId.x);
    const sets: Record<string, Float32Array> = { near: data.testNear, far: data.testFar };
    const wantedSets = ctx.spec.evaluate.oodSets;
    const byDetector: MetricsByDetector = {};
    const kept: Record<string, Record<string, Float32Array>> = {};
    for (const name of ctx.spec.evaluate.detectors) {
      const det = toyDetector(name);
      det.fit?.({ logits: trainLogits, labels: data.train.y });
      const idScores = det.score({ logits: idLogits });
      byDetector[name] = {};
      kept[name] = { [ID_SET]: idScores };
      for (const [setName, pts] of Object.entries(sets)) {
        if ((wantedSets !== 'all' && !wantedSets.includes(setName)) || pts.length === 0) continue;
        const oodScores = det.score({ logits: logitsOf(run, pts) });
        byDetector[name][setName] = idVsOodMetrics(idScores, oodScores);
        kept[name][setName] = oodScores;
      }
    }
    out.push(...ood(byDetector, metrics, at));
    ctx.onProgress({ fraction: 1, message: 'evaluated' });
    const scores = scoresOfEvaluation(kept, data.testId.y, argmaxRows(idLogits));
    return { measurements: out, setting: 'toy', scores };
  } finally {
    run.dispose();
  }
};
