/**
 * Memory soak (issue 13): one Chromium tab of the built app (`npm run build:e2e`, the build with test hooks)
 * loops a short AOE fine-tuning run of the loaded WRN on WASM, the Analyses panel's evaluation of the new
 * model (all nine detectors, ROC, histograms, gallery), and toy retrains at random ε (what releasing the ε slider
 * does), for SOAK_MINUTES (default 30). Every SOAK_SAMPLE_S (default 10) s it samples the RSS/PSS of every
 * Chromium process (the tab's renderer runs its workers as threads), and after every loop the worker's tfjs
 * tensor count and bytes. Prints a table, writes bench/results/soak.json, and checks for a plateau:
 *
 *   growth = least-squares slope of the renderer's RSS over the last two thirds of the run × their duration;
 *   plateau ⇔ growth ≤ max(64 MB, 5 % of the renderer's mean RSS over those two thirds);
 *   the same test on the PSS summed over all Chromium processes; and the worker's tfjs tensor count after each
 *   loop never above its value after the first loop.
 *
 * Env: SOAK_MINUTES, SOAK_SAMPLE_S, BENCH_PORT (default 4203), SOAK_OUT, SOAK_LIMIT / SOAK_FIT (Analyses
 * images per set / fit images, default 300 / 1000: the panel's defaults), SOAK_STEPS_SUBSET (training subset,
 * default 64 → 4 steps of 16 + 16).
 */
import { chromium, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { chromiumProcesses, slope } from './soakProcs';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const sampleS = Number(process.env.SOAK_SAMPLE_S ?? 10);
const port = Number(process.env.BENCH_PORT ?? 4203);
const limit = Number(process.env.SOAK_LIMIT ?? 300);
const fit = Number(process.env.SOAK_FIT ?? 1000);
const subset = Number(process.env.SOAK_STEPS_SUBSET ?? 64);
const out = process.env.SOAK_OUT ?? 'bench/results/soak.json';
const MB = 1024 * 1024;

interface Sample {
  tMin: number;
  rendererRssMB: number;
  rendererPssMB: number;
  gpuRssMB: number;
  browserRssMB: number;
  totalPssMB: number;
  mainJsHeapMB: number;
  phase: string;
  load1: number;
}
interface Loop {
  loop: number;
  tMin: number;
  trainS: number;
  evalS: number;
  toyS: number;
  numTensors: number;
  numBytesMB: number;
}

const t0 = Date.now();
const elapsedMin = () => (Date.now() - t0) / 60_000;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
let phase = 'start';

async function waitAnalyses(page: Page) {
  const panel = page.getByTestId('panel-analyses');
  // The panel starts its run when the model version changes; give it a moment to show its progress bar.
  await panel
    .getByTestId('an-progress')
    .waitFor({ state: 'visible', timeout: 20_000 })
    .catch(() => undefined);
  await panel.getByTestId('an-progress').waitFor({ state: 'detached', timeout: 900_000 });
  await panel.getByTestId('an-detector-table').waitFor({ state: 'visible', timeout: 60_000 });
}

async function tfjsMemory(page: Page): Promise<{ numTensors: number; numBytes: number }> {
  return (await page.evaluate(() =>
    (
      globalThis as unknown as { __aoeTrain: { memory(): Promise<Record<string, unknown>> } }
    ).__aoeTrain.memory(),
  )) as { numTensors: number; numBytes: number };
}

/** Plateau test of one series (see the file comment). */
function plateau(x: number[], y: number[]) {
  const n = x.length;
  const a = Math.floor(n / 3);
  const xr = x.slice(a);
  const yr = y.slice(a);
  const firstSlope = slope(x.slice(0, a), y.slice(0, a));
  const restSlope = slope(xr, yr);
  const span = xr.length ? xr[xr.length - 1] - xr[0] : 0;
  const growth = restSlope * span;
  const mean = yr.reduce((s, v) => s + v, 0) / Math.max(1, yr.length);
  const allowed = Math.max(64, 0.05 * mean);
  return {
    firstThirdSlopeMBperMin: round(firstSlope, 2),
    lastTwoThirdsSlopeMBperMin: round(restSlope, 2),
    lastTwoThirdsMinutes: round(span, 1),
    growthOverLastTwoThirdsMB: round(growth),
    allowedMB: round(allowed),
    meanMB: round(mean),
    maxMB: round(Math.max(...y)),
    plateau: growth <= allowed,
  };
}

async function main() {
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { stdio: 'ignore', detached: true },
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking'],
  });
  const samples: Sample[] = [];
  const loops: Loop[] = [];
  let cdpHeap = async () => 0;
  const sample = async () => {
    const procs = chromiumProcesses();
    const sum = (k: string, f: 'rssBytes' | 'pssBytes') =>
      procs.filter((p) => p.kind === k).reduce((s, p) => s + p[f], 0) / MB;
    const s: Sample = {
      tMin: round(elapsedMin(), 2),
      rendererRssMB: round(sum('renderer', 'rssBytes')),
      rendererPssMB: round(sum('renderer', 'pssBytes')),
      gpuRssMB: round(sum('gpu-process', 'rssBytes')),
      browserRssMB: round(sum('browser', 'rssBytes')),
      totalPssMB: round(procs.reduce((a, p) => a + p.pssBytes, 0) / MB),
      mainJsHeapMB: round((await cdpHeap().catch(() => 0)) / MB),
      phase,
      load1: round(loadavg()[0], 2),
    };
    samples.push(s);
    console.log(
      `${s.tMin.toFixed(1).padStart(6)} min  renderer RSS ${String(s.rendererRssMB).padStart(7)} MB  ` +
        `PSS all ${String(s.totalPssMB).padStart(7)} MB  gpu ${s.gpuRssMB} MB  main-thread JS heap ` +
        `${s.mainJsHeapMB} MB  [${phase}] load ${s.load1}`,
    );
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    cdpHeap = async () => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as {
        metrics: { name: string; value: number }[];
      };
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    timer = setInterval(() => void sample(), sampleS * 1000);
    await sample();
    phase = 'load';
    await page.goto(
      `http://127.0.0.1:${port}/?backend=wasm&analysesLimit=${limit}&analysesFit=${fit}#training`,
    );
    await page.locator('[data-testid="backend-badge"][data-backend="wasm"]').waitFor({ timeout: 120_000 });
    const train = page.getByTestId('panel-training');
    const dataStatus = train.getByTestId('train-data-status');
    await dataStatus.filter({ hasText: /training images/ }).waitFor({ timeout: 300_000 });
    await dataStatus.filter({ hasText: /[1-9][0-9,]* training outliers/ }).waitFor({ timeout: 300_000 });
    await train.getByTestId('train-model-status').filter({ hasText: 'WRN' }).waitFor({ timeout: 120_000 });
    await train.getByLabel('Method', { exact: true }).selectOption('AOE');
    for (const [label, v] of [
      ['Epochs', 1],
      ['Subset (0 = all)', subset],
      ['ID batch', 16],
      ['Outlier batch', 16],
    ] as const)
      await train.getByLabel(label, { exact: true }).fill(String(v));
    phase = 'eval';
    await page.locator('#analyses').scrollIntoViewIfNeeded();
    await waitAnalyses(page);
    console.log(`first analyses done at ${elapsedMin().toFixed(1)} min`);
    for (let loop = 1; elapsedMin() < minutes; loop++) {
      phase = 'train';
      let t = Date.now();
      await train.getByRole('button', { name: 'Start training' }).click();
      const progress = train.getByTestId('train-progress');
      await page
        .locator('[data-testid="train-progress"][data-status="completed"]')
        .waitFor({ timeout: 900_000 });
      await progress.waitFor();
      const trainS = (Date.now() - t) / 1000;
      phase = 'eval';
      t = Date.now();
      await waitAnalyses(page);
      const evalS = (Date.now() - t) / 1000;
      phase = 'toy';
      t = Date.now();
      for (let k = 0; k < 4; k++)
        await page.evaluate(
          async (eps) => {
            const toy = (
              globalThis as unknown as {
                aoe: {
                  toy: { setParams(p: object): Promise<void>; retrain(): Promise<void> };
                };
              }
            ).aoe.toy;
            await toy.setParams({ epsilon: eps });
            await toy.retrain();
          },
          round(0.1 + 0.9 * Math.random(), 2),
        );
      const toyS = (Date.now() - t) / 1000;
      const m = await tfjsMemory(page);
      loops.push({
        loop,
        tMin: round(elapsedMin(), 2),
        trainS: round(trainS),
        evalS: round(evalS),
        toyS: round(toyS),
        numTensors: m.numTensors,
        numBytesMB: round(m.numBytes / MB),
      });
      console.log(
        `loop ${loop}: train ${trainS.toFixed(0)} s, analyses ${evalS.toFixed(0)} s, 4 toy retrains ` +
          `${toyS.toFixed(0)} s; worker tfjs ${m.numTensors} tensors, ${(m.numBytes / MB).toFixed(1)} MB`,
      );
    }
    phase = 'end';
    await sample();
    if (errors.length) console.log(`page errors: ${errors.join(' | ')}`);
    const x = samples.map((s) => s.tMin);
    const renderer = plateau(
      x,
      samples.map((s) => s.rendererRssMB),
    );
    const total = plateau(
      x,
      samples.map((s) => s.totalPssMB),
    );
    const tensors = loops.map((l) => l.numTensors);
    const tensorsFlat = tensors.every((n) => n <= tensors[0]);
    const result = {
      when: new Date().toISOString(),
      what: 'one Chromium tab: AOE fine-tune (WASM) → Analyses (9 detectors) → 4 toy retrains at random ε, looped',
      config: {
        minutes,
        sampleS,
        analysesLimit: limit,
        analysesFit: fit,
        trainSubset: subset,
        batch: '16+16',
      },
      chromium: browser.version(),
      plateauTest:
        'growth = LSQ slope over the last 2/3 of samples × their duration; plateau ⇔ growth ≤ max(64 MB, 5 % of mean)',
      rendererRss: renderer,
      totalPss: total,
      tfjsTensorsAfterLoops: { first: tensors[0], min: Math.min(...tensors), max: Math.max(...tensors) },
      plateau: renderer.plateau && total.plateau && tensorsFlat,
      pageErrors: errors,
      loops,
      samples,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(out, JSON.stringify(result, null, 1));
    console.table(loops);
    console.log('renderer RSS', renderer);
    console.log('all-process PSS', total);
    console.log(`tfjs tensors after each loop: ${tensors.join(', ')}`);
    console.log(`PLATEAU: ${result.plateau ? 'yes' : 'NO'} → ${out}`);
  } finally {
    if (timer) clearInterval(timer);
    await browser.close();
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
