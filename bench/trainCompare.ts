/**
 * `BENCH_COMPARE=1 npm run bench:train`: the identical training step timed side by side in ONE run, in
 * PyTorch-CPU (reference/bench_train.py, Debian's torch, torch.set_num_threads = the same thread count) and in
 * the Node tfjs paths (WASM, CPU), each case in its own process so that its peak RSS is its own
 * (process.resourceUsage().maxRSS via bench/trainCase.bench-run.ts; torch: resource.getrusage).
 *
 * BENCH_CONFIGS: `;`-separated `ID+OUT:path,path` (paths: torch, wasm, wasm-unfused = WASM with BN+ReLU as tfjs
 *   ops, the path before the fused kernels, cpu); default
 *   `32+32:torch,wasm;8+8:torch,cpu;128+128:torch,wasm` (tfjs-cpu is plain JS: too slow for large batches).
 * BENCH_KINDS (default CE,OE,AOE,inference), BENCH_BIG_KINDS for batches ≥ 128 (default OE,AOE,inference),
 * BENCH_REPEATS (5), BENCH_WARMUP (1), BENCH_THREADS (1: Node's WASM build runs one thread), BENCH_MODEL.
 * BENCH_INTERLEAVE (1): run the paths of a batch in BENCH_REPEATS rounds of one repeat each (torch, wasm, torch,
 * wasm, …; each round a fresh process with its warm-up), so that both see the same load on a shared machine;
 * 0: each path's repeats in one process, one path after the other.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { StepTiming } from '../src/train/benchmark';
import type { CaseResult, CaseSpec } from './trainCase.bench-run';

export interface CompareRow {
  path: 'torch' | 'wasm' | 'wasm-unfused' | 'cpu';
  backendDetail: string;
  batch: string;
  kind: string;
  medianMs: number;
  samplesMs: number[];
  imagesPerSecond: number;
  peakRssBytes: number;
  /** tfjs median / PyTorch median for the same batch and kind (null for the torch rows themselves). */
  ratioToTorch: number | null;
  error?: string;
}

const env = (k: string, d: string) => process.env[`BENCH_${k}`] ?? d;

function runTorch(spec: CaseSpec): CaseResult {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      'reference/bench_train.py',
      ...['--model', spec.model, '--id', String(spec.idBatch), '--out', String(spec.outBatch)],
      ...['--threads', String(spec.threads), '--repeats', String(spec.repeats)],
      ...['--warmup', String(spec.warmup), '--kinds', spec.kinds.join(',')],
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0)
    return {
      spec,
      backendDetail: 'PyTorch',
      timings: [],
      peakRssBytes: 0,
      peakTensorBytes: 0,
      error: r.stderr,
    };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Omit<CaseResult, 'spec' | 'peakTensorBytes'>;
  return { ...out, spec, peakTensorBytes: 0 };
}

function runTfjs(spec: CaseSpec, dir: string): CaseResult {
  const out = path.join(
    dir,
    `${spec.backend}${spec.unfusedBn ? '-unfused' : ''}-${spec.idBatch}-${spec.outBatch}.json`,
  );
  const t0 = Date.now();
  const r = spawnSync(
    'npx',
    ['vitest', 'run', '--config', 'bench/vitest.config.ts', 'bench/trainCase.bench-run.ts'],
    {
      encoding: 'utf8',
      env: { ...process.env, BENCH_CASE: JSON.stringify(spec), BENCH_CASE_OUT: out },
      maxBuffer: 1 << 26,
    },
  );
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as CaseResult;
  } catch {
    // No result file: the process died (e.g. the WASM heap aborted) — say so, with how long it took.
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-15).join('\n');
    return {
      spec,
      backendDetail: spec.backend,
      timings: [],
      peakRssBytes: 0,
      peakTensorBytes: 0,
      error: `process ended with status ${r.status} after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${tail}`,
    };
  }
}

/** Run every configured case and return one row per (path, batch, kind), ratios to PyTorch filled in. */
export function compareAll(model: string): { rows: CompareRow[]; settings: Record<string, unknown> } {
  const configs = env('CONFIGS', '32+32:torch,wasm;8+8:torch,cpu;128+128:torch,wasm');
  const kinds = env('KINDS', 'CE,OE,AOE,inference').split(',');
  const bigKinds = env('BIG_KINDS', 'OE,AOE,inference').split(',');
  const repeats = Number(env('REPEATS', '5'));
  const warmup = Number(env('WARMUP', '1'));
  const threads = Number(env('THREADS', '1'));
  const interleave = env('INTERLEAVE', '1') === '1';
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-train-'));
  const rows: CompareRow[] = [];
  for (const cfg of configs.split(';')) {
    const [batch, paths] = cfg.split(':');
    const [idBatch, outBatch] = batch.split('+').map(Number);
    const caseKinds = idBatch >= 128 ? bigKinds : kinds;
    const torchMs = new Map<string, number>();
    const pathList = paths.split(',') as CompareRow['path'][];
    const spec = (p: CompareRow['path'], n: number): CaseSpec => ({
      backend: p === 'torch' ? 'cpu' : p === 'wasm-unfused' ? 'wasm' : p,
      ...(p === 'wasm-unfused' ? { unfusedBn: true } : {}),
      model: model as CaseSpec['model'],
      idBatch,
      outBatch,
      kinds: caseKinds as CaseSpec['kinds'],
      repeats: n,
      warmup,
      threads,
    });
    const results = new Map<CompareRow['path'], CaseResult>();
    // Interleaved (default): `repeats` rounds, each running every path once (its own process, warm-up + 1
    // repeat), so PyTorch and tfjs samples alternate in time and see the same machine load.
    const rounds = interleave ? repeats : 1;
    for (let round = 0; round < rounds; round++)
      for (const p of pathList) {
        const n = interleave ? 1 : repeats;
        console.log(
          `\n== ${p} ${batch} (${caseKinds.join(', ')}; ${warmup} warm-up + ${n} repeat(s)${interleave ? `, round ${round + 1}/${rounds}` : ''})`,
        );
        const t0 = Date.now();
        const r = p === 'torch' ? runTorch(spec(p, n)) : runTfjs(spec(p, n), dir);
        console.log(`   ${((Date.now() - t0) / 1000).toFixed(0)} s${r.error ? `  ERROR ${r.error}` : ''}`);
        results.set(p, mergeRounds(results.get(p), r));
      }
    for (const p of pathList) {
      const res = results.get(p)!;
      if (res.error && !res.timings.length)
        rows.push({
          path: p,
          backendDetail: res.backendDetail,
          batch,
          kind: '-',
          medianMs: NaN,
          samplesMs: [],
          imagesPerSecond: NaN,
          peakRssBytes: res.peakRssBytes,
          ratioToTorch: null,
          error: res.error,
        });
      for (const t of res.timings as StepTiming[]) {
        if (p === 'torch') torchMs.set(t.kind, t.medianMs);
        const ref = torchMs.get(t.kind);
        rows.push({
          path: p,
          backendDetail: res.backendDetail,
          batch,
          kind: t.kind,
          medianMs: t.medianMs,
          samplesMs: t.samplesMs,
          imagesPerSecond: t.imagesPerSecond,
          peakRssBytes: res.peakRssBytes,
          ratioToTorch: p === 'torch' || ref === undefined ? null : t.medianMs / ref,
          ...(res.error ? { error: res.error } : {}),
        });
      }
    }
  }
  return { rows, settings: { model, configs, kinds, bigKinds, repeats, warmup, threads, interleave } };
}

const medianOf = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

/** One case's result over rounds: samples appended per kind, medians recomputed, the peak memories' maximum. */
function mergeRounds(prev: CaseResult | undefined, next: CaseResult): CaseResult {
  if (!prev) return next;
  const timings = (prev.timings as StepTiming[]).map((t) => {
    const add = (next.timings as StepTiming[]).find((u) => u.kind === t.kind);
    if (!add) return t;
    const samplesMs = [...t.samplesMs, ...add.samplesMs];
    const medianMs = medianOf(samplesMs);
    return { ...t, samplesMs, medianMs, imagesPerSecond: (t.imagesPerSecond * t.medianMs) / medianMs };
  });
  return {
    ...prev,
    timings,
    peakRssBytes: Math.max(prev.peakRssBytes, next.peakRssBytes),
    peakTensorBytes: Math.max(prev.peakTensorBytes, next.peakTensorBytes),
    ...(next.error ? { error: next.error } : {}),
  };
}

/** AOE/OE step-time ratio per (path, batch) — ideal ≈ 1.33; below 1 means a broken measurement. */
export function aoeOverOe(rows: CompareRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows.filter((x) => x.kind === 'AOE')) {
    const oe = rows.find((x) => x.path === r.path && x.batch === r.batch && x.kind === 'OE');
    if (oe) out[`${r.path} ${r.batch}`] = r.medianMs / oe.medianMs;
  }
  return out;
}

export function printCompare(rows: CompareRow[]): void {
  console.log('\npath   batch     step       median ms   images/s   ×PyTorch   peak RSS MB   backend');
  for (const r of rows) {
    console.log(
      `${r.path.padEnd(6)} ${r.batch.padEnd(9)} ${r.kind.padEnd(10)} ${r.medianMs.toFixed(0).padStart(9)}  ${r.imagesPerSecond.toFixed(1).padStart(9)}  ${r.ratioToTorch === null ? '         ' : r.ratioToTorch.toFixed(2).padStart(9)}  ${(r.peakRssBytes / 1e6).toFixed(0).padStart(11)}   ${r.error ? `ERROR ${r.error.slice(0, 80)}` : r.backendDetail}`,
    );
  }
}
