/**
 * `npm run bench:toy`: the toy landscape's speed, in one run:
 * 1. Node (bench/toyNode.ts): the default cold retrain on the fast engine, in PyTorch CPU (1 thread, same data
 *    and initial weights) and on the old tfjs-wasm engine, interleaved, medians, ratios.
 * 2. Debian's headless Chromium on the production build (run `npx vite build` first; served with `vite preview`),
 *    driven through `window.aoe.toy` and the real controls, per toy backend (default: wasm = the fast engine):
 *    training steps/s in the worker; one evaluation (both panes) + transfer + draw; slider release → first
 *    partial landscape and → retrained landscape on screen (cold and from the memo; medians); the 21-run ε sweep
 *    through its button (spread over the app's sweep workers); main-thread long tasks while continuous training
 *    runs and ε is dragged.
 * Env: TOY_BACKENDS (wasm,cpu,webgl,webgpu), TOY_REPEATS (5), TOY_NODE_REPEATS (5), TOY_TFJS_REPEATS (1),
 * TOY_SWEEPS (1), TOY_NODE_SWEEP (0), TOY_EXP_SWEEP (1: also time the toy-eps-sweep experiment at quick scale in
 * a fresh context, its cells spread over the workers). Prints tables and writes bench/results/toy.json.
 */
import { chromium, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchToyNode } from './toyNode';

const PORT = Number(process.env.BENCH_PORT ?? 4313);
const BACKENDS = (process.env.TOY_BACKENDS ?? 'wasm').split(',');
const SWEEPS = Number(process.env.TOY_SWEEPS ?? 1);
const REPEATS = Number(process.env.TOY_REPEATS ?? 5);

type Toy = {
  setParams(p: Record<string, unknown>): Promise<void>;
  trainSteps(n: number): Promise<void>;
  retrain(): Promise<void>;
  status(): string;
  lastRetrainMs(): number | null;
  lastRetrainFirstFrameMs(): number | null;
  lastRetrainCached(): boolean | null;
  params(): Record<string, unknown>;
};
/** The page's globals as the callbacks below see them (this file is type-checked without the DOM lib). */
type W = {
  aoe: { toy: Toy };
  __longTasks: number[];
  requestAnimationFrame(cb: () => void): number;
  document: { querySelector(s: string): { textContent: string | null } | null };
  performance: { now(): number; getEntriesByName(n: string): { duration: number }[] };
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(o: object): void;
  };
};

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];

async function waitIdle(page: Page, timeout = 180_000) {
  await page.waitForFunction(() => (globalThis as unknown as W).aoe?.toy?.status() === 'idle', null, {
    timeout,
  });
}

async function benchBackend(page: Page, backend: string) {
  // SwiftShader WebGL/WebGPU are far too slow here for 500-step retrains: they retrain 50 steps (reported).
  const software = backend === 'webgl' || backend === 'webgpu';
  // TOY_QUERY (e.g. "steps=500") adds URL settings, for comparing with runs of other defaults.
  const extra = process.env.TOY_QUERY ? `&${process.env.TOY_QUERY}` : '';
  await page.goto(`http://127.0.0.1:${PORT}/?toyBackend=${backend}${software ? '&steps=50' : ''}${extra}`);
  await waitIdle(page);
  const actual = await page.evaluate(
    () => (globalThis as unknown as W).document.querySelector('.toy-status')?.textContent ?? '',
  );
  // Steps/s: difference of two trainSteps calls cancels the evaluation each call ends with. Each step trains
  // both panes (2 runs).
  const stepTimes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const [a, b] = await page.evaluate(async () => {
      const t = (globalThis as unknown as W).aoe.toy;
      let t0 = performance.now();
      await t.trainSteps(10);
      const a = performance.now() - t0;
      t0 = performance.now();
      await t.trainSteps(110);
      return [a, performance.now() - t0];
    });
    stepTimes.push((b - a) / 100 / 2);
  }
  const msPerStep = median(stepTimes);
  // One evaluation of both panes + transfer + React render + draw (until the next animation frame).
  const evalTimes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    evalTimes.push(
      await page.evaluate(async () => {
        const t0 = performance.now();
        await (globalThis as unknown as W).aoe.toy.setParams({});
        await new Promise((r) => (globalThis as unknown as W).requestAnimationFrame(() => r(null)));
        return performance.now() - t0;
      }),
    );
  }
  const draw = await page.evaluate(() =>
    (globalThis as unknown as W).performance
      .getEntriesByName('toy-draw')
      .map((e: { duration: number }) => e.duration),
  );
  // Slider release → retrained landscape on screen, through the real slider (keyboard: arrow + key-up commits).
  const slider = page.getByTestId('toy-epsilon');
  // Cold: each release lands on an ε not trained before (ArrowRight: 0.55, 0.6, …). Memo: walking back
  // (ArrowLeft) lands on ε values retrained moments ago, which the worker restores from its memo.
  const retrain: number[] = [];
  const firstFrame: number[] = [];
  const memo: number[] = [];
  const memoFlags: (boolean | null)[] = [];
  for (let r = 0; r < 2 * REPEATS; r++) {
    const cold = r < REPEATS;
    await slider.focus();
    await page.keyboard.press(cold ? 'ArrowRight' : 'ArrowLeft');
    await page.waitForFunction(
      () =>
        (globalThis as unknown as W).aoe.toy.status() === 'retraining' ||
        (globalThis as unknown as W).aoe.toy.status() === 'idle',
    );
    await waitIdle(page);
    const ms = (await page.evaluate(() => (globalThis as unknown as W).aoe.toy.lastRetrainMs())) ?? NaN;
    const wasCached = await page.evaluate(() => (globalThis as unknown as W).aoe.toy.lastRetrainCached());
    if (cold && !wasCached) {
      retrain.push(ms);
      firstFrame.push(
        (await page.evaluate(() => (globalThis as unknown as W).aoe.toy.lastRetrainFirstFrameMs())) ?? NaN,
      );
    } else {
      memo.push(ms);
      memoFlags.push(wasCached);
    }
  }
  // The ε sweep through its button: 21 runs of `steps` steps, spread over the app's sweep workers.
  const sweepMs: number[] = [];
  for (let r = 0; r < (software ? 0 : SWEEPS); r++) {
    const t0 = Date.now();
    await page.getByTestId('toy-sweep-run').click();
    await page.waitForFunction(() => (globalThis as unknown as W).aoe.toy.status() === 'sweeping');
    await waitIdle(page, 900_000);
    sweepMs.push(Date.now() - t0);
  }
  const sweepDone = await page.evaluate(
    () => (globalThis as unknown as W).document.querySelector('[data-testid="toy-sweep-charts"]') !== null,
  );
  await page.evaluate(() => (globalThis as unknown as W).aoe.toy.setParams({ live: 'continuous' }));
  await page.evaluate(() => ((globalThis as unknown as W).__longTasks = []));
  // The app clears its 'toy-draw' measures past 500 entries: start from an empty list (6 s stay below that).
  await page.evaluate(() =>
    (globalThis as unknown as { performance: { clearMeasures(n: string): void } }).performance.clearMeasures(
      'toy-draw',
    ),
  );
  const framesBefore = 0;
  await page.getByTestId('toy-play').click();
  const box = (await slider.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
  await page.mouse.down();
  const t0 = Date.now();
  let i = 0;
  while (Date.now() - t0 < 6000) {
    const f = 0.1 + 0.5 * Math.abs(Math.sin(i++ / 10));
    await page.mouse.move(box.x + box.width * f, box.y + box.height / 2);
    await page.waitForTimeout(50);
  }
  await page.mouse.up();
  const frames =
    (await page.evaluate(
      () => (globalThis as unknown as W).performance.getEntriesByName('toy-draw').length,
    )) - framesBefore;
  await page.getByTestId('toy-pause').click();
  const longTasks = await page.evaluate(() => (globalThis as unknown as W).__longTasks);
  return {
    backend,
    reported: actual,
    msPerStepPerRun: +msPerStep.toFixed(2),
    stepsPerSecondPerRun: Math.round(1000 / msPerStep),
    evalAndDrawBothPanesMs: +median(evalTimes).toFixed(1),
    drawOnePaneMs: +median(draw).toFixed(1),
    retrainSteps: Number((await page.evaluate(() => (globalThis as unknown as W).aoe.toy.params())).steps),
    retrainOnScreenMs: retrain.map((v) => Math.round(v)),
    retrainMedianMs: Math.round(median(retrain)),
    retrainFromMemoMs: memo.map((v) => Math.round(v)),
    retrainFromMemoCachedFlags: memoFlags,
    retrainFromMemoMedianMs: Math.round(median(memo)),
    firstPartialLandscapeMedianMs: Math.round(median(firstFrame)),
    firstPartialLandscapeMs: firstFrame.map((v) => Math.round(v)),
    sweepMs,
    sweepMedianMs: sweepMs.length ? Math.round(median(sweepMs)) : null,
    sweepChartsShown: sweepDone,
    paneDrawsIn6sContinuous: frames,
    longTasksDuringTraining: longTasks.length,
    longestTaskMs: longTasks.length ? Math.round(Math.max(...longTasks)) : 0,
  };
}

/**
 * The toy-eps-sweep experiment at quick scale (21 cells of the default 2,000-step retrain) through
 * `window.aoe.experiments` in a fresh context (empty results store, so every cell trains), spread over the compute
 * worker and its toy-cell workers; wall time from the call to 'completed'.
 */
async function benchExperimentSweep(browser: import('@playwright/test').Browser) {
  const page = await browser.newPage();
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  try {
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm#experiments`);
    await page.waitForFunction(() => 'experiments' in ((globalThis as { aoe?: object }).aoe ?? {}), null, {
      timeout: 120_000,
    });
    const { ms, status } = await page.evaluate(async () => {
      const exp = (
        globalThis as unknown as { aoe: { experiments: { run(id: string, o: object): Promise<string> } } }
      ).aoe.experiments;
      const t0 = performance.now();
      const status = await exp.run('toy-eps-sweep', { scale: 'quick' });
      return { ms: performance.now() - t0, status };
    });
    return {
      status,
      wallMs: Math.round(ms),
      toyCellWorkers: workers.filter((u) => u.includes('toyCellWorker')).length,
      loadAverage1m: +os.loadavg()[0].toFixed(2),
    };
  } finally {
    await page.close();
  }
}

async function main() {
  const loadAtStart = +os.loadavg()[0].toFixed(2);
  console.log('Node: fast engine vs PyTorch CPU vs tfjs-wasm, cold retrain (interleaved)…');
  const node = await benchToyNode(
    Number(process.env.TOY_NODE_REPEATS ?? 5),
    Number(process.env.TOY_TFJS_REPEATS ?? 1),
    process.env.TOY_NODE_SWEEP === '1',
  );
  const loadAfterNode = +os.loadavg()[0].toFixed(2);
  // Its own process group, so that killing it also ends the vite child that npx starts.
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  await new Promise((r) => setTimeout(r, 2500));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu'],
  });
  const results = [];
  let experimentSweep: Awaited<ReturnType<typeof benchExperimentSweep>> | null = null;
  try {
    for (const backend of BACKENDS) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.addInitScript(() => {
        (globalThis as unknown as W).__longTasks = [];
        new (globalThis as unknown as W).PerformanceObserver((list) => {
          for (const e of list.getEntries()) (globalThis as unknown as W).__longTasks.push(e.duration);
        }).observe({ type: 'longtask', buffered: true });
      });
      try {
        results.push(await benchBackend(page, backend));
      } catch (err) {
        await page.screenshot({ path: `bench/results/toy-error-${backend}.png` }).catch(() => undefined);
        console.error(backend, err);
        results.push({ backend, error: err instanceof Error ? err.message.split('\n')[0] : String(err) });
      }
      await page.close();
    }
    if (process.env.TOY_EXP_SWEEP !== '0') experimentSweep = await benchExperimentSweep(browser);
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
  console.table(
    results.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => !Array.isArray(v)))),
  );
  const wasm = results.find((r) => r.backend === 'wasm') as { retrainMedianMs?: number } | undefined;
  const torchMs = 'medianMs' in node.torch ? node.torch.medianMs : null;
  const summary = {
    'cold retrain in the app (wasm, on screen), median ms': wasm?.retrainMedianMs ?? null,
    'cold retrain, fast engine in Node (wall / CPU), median ms': `${node.fast.medianMs} / ${node.fast.medianCpuMs}`,
    'cold retrain, PyTorch CPU 1 thread (wall / CPU), median ms':
      'medianMs' in node.torch ? `${node.torch.medianMs} / ${node.torch.medianCpuMs}` : node.torch.error,
    'cold retrain, old tfjs-wasm engine in Node, median ms':
      'medianMs' in node.tfjsWasm ? node.tfjsWasm.medianMs : '—',
    'fast / PyTorch (wall, CPU)': `${node.ratios.fastOverTorchWall} , ${node.ratios.fastOverTorchCpu}`,
    'app cold retrain / PyTorch wall':
      wasm?.retrainMedianMs && torchMs ? +(wasm.retrainMedianMs / torchMs).toFixed(2) : null,
    'tfjs-wasm / fast (wall)': node.ratios.tfjsWasmOverFast,
    'toy-eps-sweep experiment (21 cells × 2,000 steps), wall ms': experimentSweep?.wallMs ?? null,
  };
  console.table(summary);
  // Backends not measured this time keep their earlier entry (marked with its date), so a partial rerun
  // (TOY_BACKENDS=wasm) does not erase them.
  let earlier: { date?: string; results?: { backend: string }[] } = {};
  try {
    earlier = JSON.parse(readFileSync('bench/results/toy.json', 'utf8'));
  } catch {
    earlier = {};
  }
  const notRerun = (earlier.results ?? [])
    .filter((r) => !BACKENDS.includes(r.backend))
    .map((r) => ({ ...r, measuredOn: (r as { measuredOn?: string }).measuredOn ?? earlier.date }));
  const out = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage1mAtStart: loadAtStart,
      loadAverage1mAfterNodePart: loadAfterNode,
      loadAverage1mAtEnd: +os.loadavg()[0].toFixed(2),
      shared: 'a 2-core VM shared by several engineers running builds and tests at the same time',
    },
    browser: `Chromium ${browser.version()} headless (WebGPU/WebGL are SwiftShader software renderers here)`,
    notes:
      'ms/step is per run; continuous mode trains two runs per step (ε = 0 and the chosen ε). Retrain (cold) = slider ' +
      'release on an ε not trained before → `steps` steps (default 2000) of the chosen-ε run (the ε = 0 pane and its ' +
      'evaluation are reused) + evaluation + draw on screen. Retrain from memo = release on an ε retrained before: the ' +
      'worker restores the memoised weights (no training) + evaluation + draw. The machine is a shared 2-core VM: ' +
      'see the load averages. Node wall times are inflated by the load; CPU times (process.cpuUsage / ' +
      'time.process_time) less so. The fast engine and PyTorch are interleaved repeat by repeat, so their ratio is ' +
      'measured under the same load.',
    node,
    summary,
    experimentSweep,
    results: [...results, ...notRerun],
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/toy.json', JSON.stringify(out, null, 2));
  console.log('wrote bench/results/toy.json');
}

void main();
