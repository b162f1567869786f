import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { buildToyData } from './data';
import { defaultToyParams, type ToyParams } from './params';
import { distributeSweep, epsilonSweep, sweepJobs, type SweepJob } from './sweep';
import { ToyRun } from './trainer';

const small: ToyParams = {
  ...defaultToyParams(),
  size: 40,
  nOutliers: 40,
  width: 6,
  batch: 40,
  grid: 20,
  steps: 6,
};

describe('ε sweep', () => {
  it('trains ε = 0 once for both methods, matches a direct run, and leaks nothing', async () => {
    const data = buildToyData(small);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const pts = await epsilonSweep(data, small, {
      epsilons: [0, 0.5],
      onPoint: (_p, done, total) => progress.push(done / total),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(pts.map((p) => `${p.method}@${p.epsilon}`)).toEqual([
      'AOE@0',
      'OE+noise@0',
      'AOE@0.5',
      'OE+noise@0.5',
    ]);
    expect(progress).toEqual([1 / 3, 2 / 3, 1]);
    // The AOE@0.5 point equals a fresh run trained the same way (same start, same batches).
    const run = new ToyRun(data, { ...small, method: 'AOE', epsilon: 0.5 });
    run.train(small.steps);
    const ev = run.evaluate(20, small.view);
    run.dispose();
    expect(pts[2].acceptedArea).toBe(ev.acceptedArea);
    expect(pts[2].AUROC).toBe(ev.AUROC);
  });

  it('stops when asked, keeping the points so far', async () => {
    const data = buildToyData(small);
    let n = 0;
    const pts = await epsilonSweep(data, small, { onPoint: () => n++, shouldStop: () => n >= 2 });
    expect(n).toBe(2);
    expect(pts.length).toBe(3); // ε = 0 (both methods) + one more run
  });
});

describe('distributeSweep', () => {
  const point = (method: 'AOE' | 'OE+noise', epsilon: number) => ({
    method,
    epsilon,
    acceptedArea: epsilon,
    AUROC: 0,
    FPR95TPR: 0,
    accuracy: 0,
  });
  const jobs = sweepJobs([0, 0.1, 0.2]);

  it('keeps two runners busy and returns points in job order whatever the finishing order', async () => {
    const started: string[] = [];
    const ran: number[][] = [[], []];
    // Runner 0 is slow (AOE-like), runner 1 fast: runner 1 must take the later jobs instead of waiting.
    const runners = [0, 1].map((r) => async (job: SweepJob) => {
      started.push(`${r}:${job.method}@${job.epsilon}`);
      ran[r].push(job.epsilon);
      await new Promise((res) => setTimeout(res, r === 0 ? 300 : 5));
      return job.pointsFor.map((m) => point(m as 'AOE', job.epsilon));
    });
    const progress: number[] = [];
    const pts = await distributeSweep(jobs, runners, (_p, done, total) => progress.push(done / total));
    expect(pts.map((p) => `${p.method}@${p.epsilon}`)).toEqual([
      'AOE@0',
      'OE+noise@0',
      'AOE@0.1',
      'OE+noise@0.1',
      'AOE@0.2',
      'OE+noise@0.2',
    ]);
    expect(ran[1].length).toBeGreaterThan(ran[0].length);
    expect(ran[0].length + ran[1].length).toBe(jobs.length);
    expect(progress).toEqual([1, 2, 3, 4, 5].map((d) => d / 5));
    expect(started).toHaveLength(5);
  });

  it('stops handing out jobs after a runner is cancelled, keeping finished points', async () => {
    let calls = 0;
    const runner = async (job: SweepJob) => {
      calls++;
      return calls === 3 ? null : job.pointsFor.map((m) => point(m as 'AOE', job.epsilon));
    };
    const pts = await distributeSweep(jobs, [runner]);
    expect(calls).toBe(3);
    expect(pts.map((p) => `${p.method}@${p.epsilon}`)).toEqual(['AOE@0', 'OE+noise@0', 'AOE@0.1']);
  });
});
