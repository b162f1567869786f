/**
 * `npm run bench:eval` (issue 13): time to the first and to the full detector table of the pretrained WRN-16-2
 * on Node tfjs WASM (one thread) and on PyTorch CPU (reference/bench_eval.py, same weights, same images in the
 * same stratified order, same thread count), repeats interleaved (tfjs, PyTorch, tfjs, …), medians and ratios.
 * Sets: CIFAR-10 test (ID) and every OOD set `npm run data` serves (+ 1,000 Gaussian and 1,000 uniform noise).
 *
 * Env: BENCH_EVAL_LIMIT (images per set of the full table, 0 = all; default 0), BENCH_EVAL_STAGES (images per set
 * of the earlier tables, default "250"), BENCH_EVAL_FIT (ID training images to fit on, default 1000),
 * BENCH_REPEATS (default 3), BENCH_OUT (default bench/results/eval.json). Load average is recorded per repeat.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadServedData, useBackend } from '../src/cli/expNode';
import { browserTableTimes } from './evalBrowser';
import { modelFromSafetensors } from '../src/models/io';
import { DETECTOR_KEYS } from '../src/train/detectorEval';
import { progressiveDetectorTable, stratifiedOrder } from '../src/train/detectorProgressive';
import type { ImageSet } from '../src/train/types';

const limit = Number(process.env.BENCH_EVAL_LIMIT ?? 0);
const stages = (process.env.BENCH_EVAL_STAGES ?? '250').split(',').map(Number);
const fitLimit = Number(process.env.BENCH_EVAL_FIT ?? 1000);
const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const out = process.env.BENCH_OUT ?? 'bench/results/eval.json';
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

interface RunTimes {
  tables: { counts: Record<string, number>; seconds: number }[];
  load1: number;
}

/** Raw uint8 NHWC images of `set` at `indices` (the dump PyTorch reads). */
function pick(set: ImageSet, indices: ArrayLike<number>): Uint8Array {
  const per = set.height * set.width * set.channels;
  const outBuf = new Uint8Array(indices.length * per);
  for (let i = 0; i < indices.length; i++)
    outBuf.set(set.images.subarray(indices[i] * per, (indices[i] + 1) * per), i * per);
  return outBuf;
}

async function main() {
  await useBackend('wasm');
  const data = await loadServedData('public/data');
  const model = modelFromSafetensors(
    new Uint8Array(readFileSync('reference/weights/wrn-16-2-cifar10.safetensors')),
    { dropRate: 0 },
  );
  const names = Object.keys(data.oodTests);
  const sets: [string, ImageSet][] = [
    ['ID', data.test],
    ...names.map((n) => [n, data.oodTests[n]] as [string, ImageSet]),
  ];
  const full = (s: ImageSet) => (limit > 0 ? Math.min(limit, s.n) : s.n);
  const maxFull = Math.max(...sets.map(([, s]) => full(s)));
  const stageSizes = [...stages.filter((n) => n > 0 && n < maxFull), maxFull];

  // The dump: the images in the order the progressive table takes them (seed 1 + set index, as it does).
  const dir = mkdtempSync(join(tmpdir(), 'aoe-evalbench-'));
  const meta = {
    normalization: data.normalization,
    stageSizes,
    fit: { file: 'fit.u8', n: Math.min(fitLimit, data.train.n), labels: 'fit-labels.i32' },
    sets: sets.map(([key, set], i) => {
      const file = `set${i}.u8`;
      writeFileSync(join(dir, file), pick(set, stratifiedOrder(set, full(set), 1 + i)));
      return { key, file, n: full(set) };
    }),
  };
  const fitIdx = Array.from({ length: meta.fit.n }, (_, i) => i);
  writeFileSync(join(dir, meta.fit.file), pick(data.train, fitIdx));
  writeFileSync(
    join(dir, meta.fit.labels),
    new Uint8Array(Int32Array.from(data.train.labels!.subarray(0, meta.fit.n)).buffer),
  );
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  console.log(
    `sets: ${meta.sets.map((s) => `${s.key} ${s.n}`).join(', ')}; fit ${meta.fit.n}; tables at ${stageSizes.join(', ')} per set`,
  );

  const tfjsRuns: RunTimes[] = [];
  const torchRuns: RunTimes[] = [];
  let lastTfjs: Awaited<ReturnType<typeof progressiveDetectorTable>> | null = null;
  let lastTorch: { metrics: Record<string, Record<string, Record<string, number>>> } | null = null;
  let torchInfo: Record<string, unknown> = {};
  try {
    // Warm-up (not timed): WASM kernels and buffers on a few images.
    await progressiveDetectorTable(model, data, {
      detectors: DETECTOR_KEYS,
      oodSets: 'all',
      limit: 10,
      fitLimit: 200,
      stages: [],
    });
    for (let r = 0; r < repeats; r++) {
      const load1 = loadavg()[0];
      const t0 = performance.now();
      const tables: RunTimes['tables'] = [];
      lastTfjs = await progressiveDetectorTable(model, data, {
        detectors: DETECTOR_KEYS,
        oodSets: 'all',
        limit,
        fitLimit,
        stages,
        onTable: (t) => void tables.push({ counts: t.counts, seconds: (performance.now() - t0) / 1000 }),
      });
      tfjsRuns.push({ tables, load1 });
      console.log(
        `repeat ${r + 1} tfjs-wasm: ${tables.map((t) => `${t.seconds.toFixed(1)} s`).join(' → ')} (load ${load1.toFixed(1)})`,
      );
      const loadT = loadavg()[0];
      const py = spawnSync('/usr/bin/python3', ['reference/bench_eval.py', dir, '--threads', '1'], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      if (py.status !== 0) throw new Error(`reference/bench_eval.py failed: ${py.stderr}`);
      const res = JSON.parse(py.stdout) as {
        runs: { tables: { counts: Record<string, number>; seconds: number; metrics: never }[] }[];
      } & Record<string, unknown>;
      const run = res.runs[0];
      torchRuns.push({
        tables: run.tables.map((t) => ({ counts: t.counts, seconds: t.seconds })),
        load1: loadT,
      });
      lastTorch = run.tables[run.tables.length - 1];
      torchInfo = { torch: res.torch, threads: res.threads, peakRssBytes: res.peakRssBytes };
      console.log(
        `repeat ${r + 1} pytorch:   ${run.tables.map((t) => `${t.seconds.toFixed(1)} s`).join(' → ')} (load ${loadT.toFixed(1)})`,
      );
    }
  } finally {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  const first = (runs: RunTimes[]) => median(runs.map((r) => r.tables[0].seconds));
  const last = (runs: RunTimes[]) => median(runs.map((r) => r.tables[r.tables.length - 1].seconds));
  const images = meta.sets.reduce((a, s) => a + s.n, 0);
  const rows = [
    { path: 'tfjs-wasm 4.22, Node, 1 thread', runs: tfjsRuns },
    { path: `PyTorch ${String(torchInfo.torch)} CPU, 1 thread`, runs: torchRuns },
  ].map((p) => ({
    path: p.path,
    firstTableS: round(first(p.runs)),
    fullTableS: round(last(p.runs)),
    fullImagesPerS: round((images + meta.fit.n) / last(p.runs), 1),
  }));
  // Agreement of the full tables (AUROC per detector and set): the same weights and images on both paths.
  let maxAurocDiff = 0;
  let worst = '';
  for (const d of DETECTOR_KEYS)
    for (const s of names) {
      const diff = Math.abs(lastTfjs!.metrics[d][s].AUROC - lastTorch!.metrics[d][s].AUROC);
      if (diff > maxAurocDiff) [maxAurocDiff, worst] = [diff, `${d} on ${s}`];
    }
  const result = {
    when: new Date().toISOString(),
    machine: `${cpus()[0]?.model.trim()} ×${cpus().length}`,
    node: process.version,
    backend: `${tf.getBackend()} (1 thread)`,
    model: 'WRN-16-2 (reference/weights/wrn-16-2-cifar10.safetensors), eval mode',
    detectors: DETECTOR_KEYS,
    sets: meta.sets.map((s) => ({ key: s.key, n: s.n })),
    fitImages: meta.fit.n,
    stageSizes,
    repeats,
    rows,
    ratioFirst: round(rows[0].firstTableS / rows[1].firstTableS),
    ratioFull: round(rows[0].fullTableS / rows[1].fullTableS),
    fullTableAgreement: { maxAurocDiff, worst },
    loadAverages: { tfjs: tfjsRuns.map((r) => round(r.load1)), torch: torchRuns.map((r) => round(r.load1)) },
    torch: torchInfo,
    tfjsRuns,
    torchRuns,
  };
  // The app itself (BENCH_BROWSER=1; `npm run build:e2e` first): its default table (all images, fit 1,000).
  const chromiumTables =
    process.env.BENCH_BROWSER === '1'
      ? await browserTableTimes(
          process.env.BENCH_BROWSER_QUERY ?? '',
          Number(process.env.BENCH_BROWSER_TABLES ?? 2),
          'test-results/analyses-first-table.png',
        )
      : null;
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(out, JSON.stringify({ ...result, chromium: chromiumTables }, null, 1));
  console.table(rows);
  console.log(
    `tfjs ÷ PyTorch: first table ${result.ratioFirst}×, full table ${result.ratioFull}×; full-table AUROCs agree to ` +
      `${maxAurocDiff.toExponential(2)} (worst ${worst}) → ${out}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
