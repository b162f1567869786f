/**
 * The Node half of `npm run bench:toy`: the toy's cold retrain (default settings: 300 ID points, 300 outliers,
 * MLP 2-64-64-3 ReLU, full batch, Adam, cosine lr over 2,000 steps, AOE ε = 0.5, λ = 0.5) on
 * - the fast engine (src/models/fastMlp, what the app runs), one thread;
 * - PyTorch CPU on one thread (reference/toy_retrain_bench.py) on the SAME data, outliers and initial weights;
 * - the tfjs reference engine on tfjs-wasm (single thread), what the app ran before;
 * interleaved repeat by repeat (fast, torch, fast, torch, …) so both see the same machine load; medians.
 * Also a sequential 21-run ε sweep on the fast engine (one thread; the app spreads it over workers).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildToyData } from '../src/train/toy/data';
import { defaultToyParams } from '../src/train/toy/params';
import { epsilonSweep } from '../src/train/toy/sweep';
import { ToyRun } from '../src/train/toy/trainer';
import { TfjsToyRun } from '../src/train/toy/trainerTfjs';
import { layerSizes } from '../src/models/mlp';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;

export interface ToyNodeResult {
  settings: string;
  repeats: number;
  fast: { retrainMs: number[]; cpuMs: number[]; medianMs: number; medianCpuMs: number; finalLoss: number };
  torch:
    | {
        version: string;
        threads: number;
        retrainMs: number[];
        cpuMs: number[];
        medianMs: number;
        medianCpuMs: number;
        finalLoss: number;
      }
    | { error: string };
  tfjsWasm: { retrainMs: number[]; medianMs: number; finalLoss: number } | { skipped: string };
  /** The 21-run sweep one run after another on one thread (null unless asked for: TOY_NODE_SWEEP=1). */
  sweepSequentialFastMs: number | null;
  ratios: Record<string, number | null>;
}

export async function benchToyNode(
  repeats: number,
  tfjsRepeats: number,
  sequentialSweep: boolean,
): Promise<ToyNodeResult> {
  const p = { ...defaultToyParams(), method: 'AOE' as const, epsilon: 0.5 };
  const data = buildToyData(p);
  const start = ToyRun.start(data, p);
  const sizes = layerSizes({
    inputDim: 2,
    width: p.width,
    depth: p.depth,
    outputDim: data.numClasses,
    activation: 'relu',
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'toy-bench-'));
  const problem = path.join(dir, 'problem.json');
  writeFileSync(
    problem,
    JSON.stringify({
      x: Array.from(data.train.x),
      y: Array.from(data.train.y),
      outliers: Array.from(data.outliers),
      weights: start.map((w) => Array.from(w)),
      shapes: sizes.slice(0, -1).map((n, i) => [n, sizes[i + 1]]),
      lr: p.lr,
      steps: p.steps,
      epsilon: p.epsilon,
      lambda: p.lambda,
    }),
  );
  const fast = { retrainMs: [] as number[], cpuMs: [] as number[], finalLoss: NaN };
  const torch = { retrainMs: [] as number[], cpuMs: [] as number[], finalLoss: NaN, version: '', threads: 0 };
  let torchError: string | null = null;
  new ToyRun(data, p, start).train(50); // warm-up: compile the kernels, tier up the JIT
  for (let r = 0; r < repeats; r++) {
    const run = new ToyRun(data, p, start);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run.train(p.steps);
    fast.cpuMs.push(cpuMs(process.cpuUsage(c0)));
    fast.retrainMs.push(performance.now() - t0);
    fast.finalLoss = run.lastLoss;
    if (torchError) continue;
    const out = spawnSync('/usr/bin/python3', ['reference/toy_retrain_bench.py', problem, '1'], {
      encoding: 'utf8',
    });
    if (out.status !== 0) {
      torchError = (out.stderr || out.error?.message || 'python failed').trim().split('\n').slice(-1)[0];
      continue;
    }
    const t = JSON.parse(out.stdout.trim().split('\n').slice(-1)[0]);
    torch.retrainMs.push(...t.retrainMs);
    torch.cpuMs.push(...t.cpuMs);
    Object.assign(torch, { finalLoss: t.finalLoss, version: t.torch, threads: t.threads });
    console.log(
      `  repeat ${r + 1}/${repeats}: fast ${fast.retrainMs.at(-1)!.toFixed(0)} ms, torch ${t.retrainMs[0].toFixed(0)} ms`,
    );
  }
  let tfjsWasm: ToyNodeResult['tfjsWasm'] = { skipped: 'TOY_TFJS_REPEATS=0' };
  if (tfjsRepeats > 0) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    await tf.ready();
    const ms: number[] = [];
    let loss = NaN;
    for (let r = 0; r < tfjsRepeats; r++) {
      const run = new TfjsToyRun(data, p, start);
      const t0 = performance.now();
      run.train(p.steps);
      ms.push(performance.now() - t0);
      loss = run.lastLoss;
      run.dispose();
    }
    tfjsWasm = { retrainMs: ms.map(Math.round), medianMs: Math.round(median(ms)), finalLoss: loss };
  }
  let sweepSequentialFastMs: number | null = null;
  if (sequentialSweep) {
    const t0 = performance.now();
    await epsilonSweep(data, { ...defaultToyParams() });
    sweepSequentialFastMs = Math.round(performance.now() - t0);
  }
  const fastRes = {
    ...fast,
    medianMs: Math.round(median(fast.retrainMs)),
    medianCpuMs: Math.round(median(fast.cpuMs)),
  };
  fastRes.retrainMs = fastRes.retrainMs.map(Math.round);
  fastRes.cpuMs = fastRes.cpuMs.map(Math.round);
  const torchRes: ToyNodeResult['torch'] = torchError
    ? { error: torchError }
    : {
        ...torch,
        retrainMs: torch.retrainMs.map(Math.round),
        cpuMs: torch.cpuMs.map(Math.round),
        medianMs: Math.round(median(torch.retrainMs)),
        medianCpuMs: Math.round(median(torch.cpuMs)),
      };
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? +(a / b).toFixed(2) : null);
  return {
    settings:
      'defaults: 300 ID + 300 outliers, MLP 2-64-64-3 ReLU, full batch, Adam lr 0.02 cosine, AOE ε 0.5, λ 0.5, 2000 steps, seed 1',
    repeats,
    fast: fastRes,
    torch: torchRes,
    tfjsWasm,
    sweepSequentialFastMs,
    ratios: {
      fastOverTorchWall: ratio(fastRes.medianMs, 'medianMs' in torchRes ? torchRes.medianMs : undefined),
      fastOverTorchCpu: ratio(
        fastRes.medianCpuMs,
        'medianCpuMs' in torchRes ? torchRes.medianCpuMs : undefined,
      ),
      tfjsWasmOverFast: ratio('medianMs' in tfjsWasm ? tfjsWasm.medianMs : undefined, fastRes.medianMs),
    },
  };
}
