import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { chromiumProcesses } from './soakProcs';
import type { BenchRow } from './train.bench-run';

/**
 * Run the same step benchmark inside the built app's worker in headless Chromium, once per backend
 * (WASM, WebGL, WebGPU — SwiftShader here, so GPU numbers are a software rasteriser's). Needs `vite build`.
 */
export async function browserBench(
  model: string,
  batch: number,
  repeats: number,
  warmup: number,
): Promise<BenchRow[]> {
  const port = Number(process.env.BENCH_PORT ?? 4216);
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      stdio: 'ignore',
    },
  );
  const rows: BenchRow[] = [];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--enable-unsafe-webgpu'],
  });
  try {
    await new Promise((r) => setTimeout(r, 3000));
    for (const backend of ['wasm', 'webgl', 'webgpu']) {
      const page = await browser.newPage();
      try {
        await page.goto(`http://127.0.0.1:${port}/?backend=${backend}`);
        await page.waitForSelector(`[data-testid="backend-badge"][data-backend="${backend}"]`, {
          timeout: 60_000,
        });
        const detail = (await page.getByTestId('backend-badge').textContent()) ?? backend;
        let peakRenderer = 0;
        const sampler = setInterval(() => {
          for (const p of chromiumProcesses())
            if (p.kind === 'renderer') peakRenderer = Math.max(peakRenderer, p.rssBytes);
        }, 200);
        const timings = await page
          .evaluate(
            (o) =>
              (
                globalThis as unknown as { __aoeTrain: { bench(o: unknown): Promise<unknown> } }
              ).__aoeTrain.bench(o),
            { model, idBatch: batch, outlierBatch: batch, repeats, warmup },
          )
          .finally(() => clearInterval(sampler));
        for (const t of timings as (BenchRow & { peakBytes: number })[])
          rows.push({
            ...t,
            runtime: 'chromium',
            backend: detail.replace(/\s+/g, ' ').trim(),
            model,
            peakRendererRssBytes: peakRenderer,
          });
        console.log(`  chromium ${backend}: done`);
      } catch (err) {
        console.log(
          `  chromium ${backend}: FAILED — ${err instanceof Error ? err.message.split('\n')[0] : err}`,
        );
      } finally {
        await page.close();
      }
    }
  } finally {
    await browser.close();
    server.kill();
  }
  return rows;
}
