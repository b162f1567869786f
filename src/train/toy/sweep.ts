/** The toy's ε sweep: retrain from the same seeded start at each ε for AOE and the noise baseline. */
import type { ToyData } from './data';
import type { ToyMethod, ToyParams } from './params';
import { ToyRun } from './trainer';

/** ε ∈ {0, 0.1, …, 1.0}. */
export const SWEEP_EPSILONS: readonly number[] = Array.from({ length: 11 }, (_, i) => +(i / 10).toFixed(1));

/** One trained point of the sweep. */
export interface SweepPoint {
  method: ToyMethod;
  epsilon: number;
  acceptedArea: number;
  AUROC: number;
  FPR95TPR: number;
  accuracy: number;
}

export interface SweepOptions {
  epsilons?: readonly number[];
  methods?: readonly ToyMethod[];
  /** Checked between runs and between chunks of 50 steps; returning true stops the sweep (points so far kept). */
  shouldStop?: () => boolean;
  /** Called after each point with (points so far, runs done, runs total). */
  onPoint?: (points: SweepPoint[], done: number, total: number) => void;
  /** Awaited between chunks so a worker can answer messages (e.g. a cancel). */
  pause?: () => Promise<void>;
}

/**
 * Train `params.steps` steps at every (method, ε) from the same initial weights, data and outliers, and evaluate.
 * ε = 0 is the same run (plain OE) for every method, so it is trained once and shared.
 */
export async function epsilonSweep(
  data: ToyData,
  params: ToyParams,
  opts: SweepOptions = {},
): Promise<SweepPoint[]> {
  const epsilons = opts.epsilons ?? SWEEP_EPSILONS;
  const methods = opts.methods ?? (['AOE', 'OE+noise'] as ToyMethod[]);
  const jobs: { method: ToyMethod; epsilon: number }[] = [];
  for (const e of epsilons) {
    if (e === 0) jobs.push({ method: methods[0], epsilon: 0 });
    else for (const m of methods) jobs.push({ method: m, epsilon: e });
  }
  const points: SweepPoint[] = [];
  const run = new ToyRun(data, { ...params, method: methods[0], epsilon: 0 });
  try {
    for (let j = 0; j < jobs.length; j++) {
      if (opts.shouldStop?.()) break;
      run.update({ method: jobs[j].method, epsilon: jobs[j].epsilon });
      run.reset();
      let stopped = false;
      for (let done = 0; done < params.steps; done += 50) {
        run.train(Math.min(50, params.steps - done));
        await opts.pause?.();
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      const ev = run.evaluate(Math.min(params.grid, 100), params.view);
      const base = {
        epsilon: jobs[j].epsilon,
        acceptedArea: ev.acceptedArea,
        AUROC: ev.AUROC,
        FPR95TPR: ev.FPR95TPR,
        accuracy: ev.accuracy,
      };
      if (jobs[j].epsilon === 0) for (const m of methods) points.push({ ...base, method: m });
      else points.push({ ...base, method: jobs[j].method });
      opts.onPoint?.(points.slice(), j + 1, jobs.length);
    }
  } finally {
    run.dispose();
  }
  return points;
}
