/**
 * The detector table in the app (Chromium, the compute worker on WASM with its threads): seconds from the worker's
 * backend being ready to each table the Analyses panel shows (progressive: stratified subsets first), read from
 * the table's "n = …" line. Needs a build with `public/data` (npm run data). Used by `npm run bench:eval` with
 * BENCH_BROWSER=1; `BENCH_BROWSER_TABLES` (default 2) tables are waited for (the full sets take many minutes here).
 */
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

export interface BrowserTable {
  seconds: number;
  final: boolean;
  label: string;
  load1: number;
}

export async function browserTableTimes(query: string, tables: number, screenshot?: string) {
  const port = Number(process.env.BENCH_PORT ?? 4203);
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  const seen: BrowserTable[] = [];
  let backend = '';
  try {
    await new Promise((r) => setTimeout(r, 3000));
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/?backend=wasm&${query}`);
    await page.locator('[data-testid="backend-badge"][data-backend="wasm"]').waitFor({ timeout: 120_000 });
    backend = ((await page.getByTestId('backend-badge').textContent()) ?? '').replace(/\s+/g, ' ').trim();
    // The panel starts once it has been in view and the data is loaded: time from its progress bar's appearance.
    await page.locator('#analyses').scrollIntoViewIfNeeded();
    await page.getByTestId('an-progress').waitFor({ timeout: 600_000 });
    const t0 = Date.now();
    const note = page.getByTestId('an-table-n');
    let last = '';
    while (seen.length < tables && Date.now() - t0 < 1_800_000) {
      const text = (await note.count()) ? ((await note.textContent()) ?? '') : '';
      if (text && text !== last) {
        last = text;
        const final = (await note.getAttribute('data-final')) === 'true';
        seen.push({
          seconds: (Date.now() - t0) / 1000,
          final,
          label: text.split('.')[0],
          load1: loadavg()[0],
        });
        console.log(
          `  chromium table ${seen.length}: ${seen[seen.length - 1].seconds.toFixed(1)} s — ${text.split('.')[0]}`,
        );
        if (screenshot && seen.length === 1)
          await page.getByTestId('an-card-detectors').screenshot({ path: screenshot });
        if (final) break;
      }
      await page.waitForTimeout(500);
    }
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  }
  return { backend, tables: seen };
}
