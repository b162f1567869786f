/**
 * `npm run bench:data-stream` — loads a full CIFAR-10 `.tar.gz` (built from `npm run data`'s output with
 * `--write-archive`) through the app's upload path in Debian's Chromium and measures:
 *   - wall time and throughput of the streamed read (worker: fflate streaming gunzip + tar reader + CIFAR parse
 *     + IndexedDB write),
 *   - how many distinct progress values the page showed,
 *   - main-thread responsiveness: long tasks (> 50 ms, PerformanceObserver) and the longest gap between
 *     animation frames while loading,
 *   - memory: resident set size of the whole browser process tree, sampled every 100 ms (peak − baseline),
 *   - the next visit: time until the set is back from IndexedDB without an upload.
 * Needs `npx vite build` first. Writes bench/results/data-stream.json.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { cpus, tmpdir, totalmem } from 'node:os';
import { chromium } from '@playwright/test';

const port = Number(process.env.BENCH_PORT ?? process.env.E2E_PORT ?? 4204);
const archive = '.data-cache/cifar-10-binary.tar.gz';

function ensureArchive(): void {
  if (existsSync(archive)) return;
  execFileSync('npx', ['tsx', 'src/cli/data.ts', '--write-archive', archive], { stdio: 'inherit' });
}

/** The browser process started with `--user-data-dir=<profile>`. */
function browserPid(profile: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a === `--user-data-dir=${profile}`) && !cmd.some((a) => a.startsWith('--type=')))
        return Number(d);
    } catch {
      /* gone */
    }
  }
  throw new Error('browser process not found');
}

/** RSS (bytes) of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      rss.set(Number(d), Number(fields[21]) * 4096);
      (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
    } catch {
      /* process ended */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** In-page scripts (strings: this file is type-checked without the DOM lib). */
const CLEAR_IDB = `new Promise((r) => { const q = indexedDB.deleteDatabase('aoe-data'); q.onsuccess = q.onerror = q.onblocked = r; })`;
const INSTRUMENT = `(() => {
  const w = window;
  w.__bench = { longTasks: [], maxGap: 0, progress: [] };
  new PerformanceObserver((l) => l.getEntries().forEach((e) => w.__bench.longTasks.push(e.duration))).observe({ entryTypes: ['longtask'] });
  let last = performance.now();
  const frame = (t) => { w.__bench.maxGap = Math.max(w.__bench.maxGap, t - last); last = t; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  new MutationObserver(() => {
    const p = document.querySelector('[data-testid="data-busy"] progress');
    const label = document.querySelector('[data-testid="data-busy"]')?.textContent ?? '';
    if (p) w.__bench.progress.push([p.value / p.max, label]);
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
})()`;

async function main(): Promise<void> {
  ensureArchive();
  const size = statSync(archive).size;
  const preview = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  await new Promise((r) => setTimeout(r, 2500));
  // A persistent profile: IndexedDB in a throwaway (incognito-like) context has a small quota.
  const profile = mkdtempSync(join(tmpdir(), 'aoe-bench-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  const rootPid = browserPid(profile);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: '' }));
  const result: Record<string, unknown> = {};
  try {
    await page.goto(`http://127.0.0.1:${port}/?backend=cpu`);
    await page.evaluate(CLEAR_IDB);
    await page.reload();
    await page.getByText(/no prepared data is served/).waitFor();
    await page.waitForTimeout(1500);
    await page.evaluate(INSTRUMENT);
    const baseline = treeRss(rootPid);
    let peak = baseline;
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(rootPid))), 100);
    const t0 = Date.now();
    await page
      .getByTestId('drop-id')
      .getByLabel(/choose files/)
      .setInputFiles(archive);
    const row = page.locator('tr[data-key="id:train"]');
    await row.filter({ hasText: '50,000' }).waitFor({ timeout: 600_000 });
    await page.locator('tr[data-key="id:train"] .tag').waitFor();
    const loadS = (Date.now() - t0) / 1000;
    await page.waitForTimeout(500);
    clearInterval(timer);
    const after = treeRss(rootPid);
    const b = (await page.evaluate('window.__bench')) as {
      longTasks: number[];
      maxGap: number;
      progress: [number, string][];
    };
    const distinct = new Set(b.progress.map(([v]) => v.toFixed(3))).size;
    const t1 = Date.now();
    await page.reload();
    await page.getByText(/restored \d+ cached set/).waitFor({ timeout: 300_000 });
    await row.filter({ hasText: '50,000' }).waitFor();
    const restoreS = (Date.now() - t1) / 1000;
    Object.assign(result, {
      archiveMB: +(size / 1e6).toFixed(1),
      decompressedMB: 184.4,
      loadSeconds: +loadS.toFixed(1),
      throughputMBps: +(size / 1e6 / loadS).toFixed(1),
      progressValuesSeen: distinct,
      longTasks: b.longTasks.length,
      longestTaskMs: Math.round(Math.max(0, ...b.longTasks)),
      longestFrameGapMs: Math.round(b.maxGap),
      rssBaselineMB: Math.round(baseline / 1e6),
      rssPeakMB: Math.round(peak / 1e6),
      rssPeakOverBaselineMB: Math.round((peak - baseline) / 1e6),
      rssAfterMB: Math.round(after / 1e6),
      restoreFromIndexedDbSeconds: +restoreS.toFixed(1),
    });
  } finally {
    const msgs = await page
      .getByTestId('data-messages')
      .textContent()
      .catch(() => '');
    if (!result.loadSeconds) console.error('messages:', msgs);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    try {
      process.kill(-preview.pid!);
    } catch {
      /* already gone */
    }
  }
  const out = {
    bench: 'data-stream',
    date: new Date().toISOString(),
    machine: `${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1e9)} GB`,
    browser: 'Debian Chromium (headless), upload via <input type=file>',
    backend: 'none (data path only; tfjs forced to cpu)',
    note: 'RSS = whole Chromium process tree (browser, renderer, GPU, utility); ImageSets held = 50,000+10,000 images × 3,072 B = 184 MB',
    ...result,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/data-stream.json', JSON.stringify(out, null, 2) + '\n');
  console.table(result);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
