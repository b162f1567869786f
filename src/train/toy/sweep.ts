/** The toy's ε sweep: retrain from the same seeded start at each ε for AOE and the noise baseline. */
import type { ToyData } from './data';
import { createToyRun, type AnyToyRun, type ToyEngine } from './engines';
import type { ToyMethod, ToyParams } from './params';

/** ε ∈ {0, 0.1, …, 1.0}. */
export const SWEEP_EPSILONS: readonly number[] = Array.from({ length: 11 }, (_, i) => +(i / 10).toFixed(1));
export const SWEEP_METHODS: readonly ToyMethod[] = ['AOE', 'OE+noise'];

/** One trained point of the sweep. */
export interface SweepPoint {
  method: ToyMethod;
  epsilon: number;
  acceptedArea: number;
  AUROC: number;
  FPR95TPR: number;
  accuracy: number;
}

/** One training run of a sweep; ε = 0 is plain OE for every method, so it is one job yielding a point per method. */
export interface SweepJob {
  method: ToyMethod;
  epsilon: number;
  /** Methods this run stands for (all of them at ε = 0, else just `method`). */
  pointsFor: ToyMethod[];
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
  /** Default 'fast'. */
  engine?: ToyEngine;
}

/** The sweep's runs in order: ε = 0 once, then every method at each ε > 0. */
export function sweepJobs(
  epsilons: readonly number[] = SWEEP_EPSILONS,
  methods: readonly ToyMethod[] = SWEEP_METHODS,
): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (const e of epsilons) {
    if (e === 0) jobs.push({ method: methods[0], epsilon: 0, pointsFor: [...methods] });
    else for (const m of methods) jobs.push({ method: m, epsilon: e, pointsFor: [m] });
  }
  return jobs;
}

/**
 * Train one sweep job (`params.steps` steps from the seeded start) and evaluate it on a ≤ 100² grid.
 * @param run a run to reuse (updated and reset here), or a new one is made on `engine`.
 * @returns the job's points, or null when `shouldStop` stopped it.
 */
export async function runSweepJob(
  data: ToyData,
  params: ToyParams,
  job: SweepJob,
  opts: Pick<SweepOptions, 'shouldStop' | 'pause' | 'engine'> & { run?: AnyToyRun } = {},
): Promise<SweepPoint[] | null> {
  const run =
    opts.run ??
    createToyRun(opts.engine ?? 'fast', data, { ...params, method: job.method, epsilon: job.epsilon });
  try {
    run.update({ method: job.method, epsilon: job.epsilon });
    run.reset();
    for (let done = 0; done < params.steps; done += 50) {
      run.train(Math.min(50, params.steps - done));
      await opts.pause?.();
      if (opts.shouldStop?.()) return null;
    }
    const ev = run.evaluate(Math.min(params.grid, 100), params.view);
    return job.pointsFor.map((method) => ({
      method,
      epsilon: job.epsilon,
      acceptedArea: ev.acceptedArea,
      AUROC: ev.AUROC,
      FPR95TPR: ev.FPR95TPR,
      accuracy: ev.accuracy,
    }));
  } finally {
    if (!opts.run) run.dispose();
  }
}

/**
 * Train `params.steps` steps at every (method, ε) from the same initial weights, data and outliers, and evaluate,
 * one job after another (the app spreads the jobs over several workers with `runSweepJob`).
 * ε = 0 is the same run (plain OE) for every method, so it is trained once and shared.
 */
export async function epsilonSweep(
  data: ToyData,
  params: ToyParams,
  opts: SweepOptions = {},
): Promise<SweepPoint[]> {
  const jobs = sweepJobs(opts.epsilons, opts.methods);
  const points: SweepPoint[] = [];
  const run = createToyRun(opts.engine ?? 'fast', data, { ...params, method: jobs[0].method, epsilon: 0 });
  try {
    for (let j = 0; j < jobs.length; j++) {
      if (opts.shouldStop?.()) break;
      const pts = await runSweepJob(data, params, jobs[j], { ...opts, run });
      if (!pts) break;
      points.push(...pts);
      opts.onPoint?.(points.slice(), j + 1, jobs.length);
    }
  } finally {
    run.dispose();
  }
  return points;
}

/**
 * Run a sweep's jobs on several runners (e.g. one per worker): each runner takes the next unstarted job when it
 * finishes one, so a slow job (AOE) never leaves another runner idle. Points come back in job order whatever the
 * finishing order. A runner's null (cancelled) stops handing out jobs; the points of finished jobs are kept.
 * @param onProgress after each finished job: (points so far in job order, jobs done, jobs total).
 */
export async function distributeSweep(
  jobs: readonly SweepJob[],
  runners: readonly ((job: SweepJob) => Promise<SweepPoint[] | null>)[],
  onProgress?: (points: SweepPoint[], done: number, total: number) => void,
): Promise<SweepPoint[]> {
  const results: (SweepPoint[] | undefined)[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  let stopped = false;
  const inOrder = () => results.flatMap((r) => r ?? []);
  await Promise.all(
    runners.map(async (runJob) => {
      while (!stopped && next < jobs.length) {
        const j = next++;
        const pts = await runJob(jobs[j]);
        if (!pts) {
          stopped = true;
          return;
        }
        results[j] = pts;
        done++;
        onProgress?.(inOrder(), done, jobs.length);
      }
    }),
  );
  return inOrder();
}
