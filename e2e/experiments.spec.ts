// The Experiments area end to end on WASM: a 2-cell WRN grid (OE, AOE) at smoke scale, a reload in the middle,
// Resume (the finished cell is not re-run: its rows keep their dates and the progress counts it as stored),
// the rows exported as CSV and imported into a fresh browser context (no storage), where the figure shows the
// same numbers; a toy ε sweep run from window.aoe.experiments and its figure exported as SVG, PNG and CSV.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import {
  dropFixtureData,
  expectFixtureLoaded,
  openExperimentsOnWasm,
  pageErrors,
  useFixtureData,
} from './fixtures';

interface Row {
  cellKey: string;
  origin: string;
  date: string;
  metric: string;
  value: number;
}
interface AoeWindow {
  aoe: {
    experiments: {
      rows(id?: string): Row[];
      run(id: string, o: { scale: string }): Promise<string>;
      cancel(): Promise<void>;
      export(id: string, f: string): string;
    };
  };
}
interface BrowserRow {
  cell: Record<string, unknown>;
  detector: string;
  oodSet: string;
  metric: string;
  value: number;
}
const ID = 'wrn-pipeline-check';
const rowsOf = (page: Page, id = ID) =>
  page.evaluate((i) => (window as unknown as AoeWindow).aoe.experiments.rows(i), id);
/** The rows this browser produced (the card also shows the committed reference rows of public/reference). */
const myRowsOf = async (page: Page, id = ID) =>
  (await rowsOf(page, id)).filter((r) => r.origin === 'browser');
const tableText = (page: Page, i: number) => page.getByTestId(`exp-table-${ID}-${i}`).innerText();

test('experiments: run a WRN grid, reload mid-grid, resume, export CSV, re-import in a fresh page', async ({
  page,
  browser,
}) => {
  test.setTimeout(900_000);
  const errors = await openExperimentsOnWasm(page);
  await dropFixtureData(page);
  const card = page.getByTestId(`exp-card-${ID}`);
  await card.getByLabel('Scale').selectOption('smoke');
  await expect(card).toContainText('64 ID images');
  await card.getByRole('button', { name: 'Run 2 cells' }).click();
  const progress = card.getByTestId('exp-progress');
  await expect(progress).toHaveAttribute('data-status', 'running');
  await expect(progress).toHaveAttribute('data-done', '1', { timeout: 300_000 });
  await page.getByRole('link', { name: 'Experiments' }).click();
  await expect(page).toHaveURL(/#experiments$/);
  await page.screenshot({ path: 'test-results/experiments-running.png' });
  const firstRows = await myRowsOf(page);
  expect(new Set(firstRows.map((r) => r.cellKey)).size).toBe(1);

  // Reload in the middle of the second cell: the area offers to resume the grid.
  await page.reload();
  await expectFixtureLoaded(page);
  const resume = page.getByTestId('exp-resume');
  await expect(resume).toContainText(ID);
  await page.screenshot({ path: 'test-results/experiments-resume-offer.png' });
  await resume.getByRole('button', { name: 'Resume' }).click();
  // The worker may first be busy restoring data and generating the Data panel's outliers.
  await expect(card.getByTestId('exp-progress')).toContainText('1 found stored', { timeout: 300_000 });
  await expect(card.getByRole('status')).toContainText('all cells done', { timeout: 300_000 });
  const allRows = await myRowsOf(page);
  expect(new Set(allRows.map((r) => r.cellKey)).size).toBe(2);
  const firstKey = firstRows[0].cellKey;
  const kept = allRows.filter((r) => r.cellKey === firstKey);
  expect(kept.map((r) => r.date).sort()).toEqual(firstRows.map((r) => r.date).sort());
  expect(kept.map((r) => r.value).sort()).toEqual(firstRows.map((r) => r.value).sort());
  const tables = [await tableText(page, 0), await tableText(page, 1), await tableText(page, 2)];
  expect(tables[1]).toMatch(/AOE · your browser \w+, smoke \(consistent\)/);
  expect(tables[1]).toMatch(/OE · your browser/);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/experiments-done.png' });

  // Export the rows as CSV.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Rows CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`${ID}.csv`);
  await download.saveAs(`test-results/${ID}.csv`);
  const csv = readFileSync(`test-results/${ID}.csv`, 'utf8');
  expect(csv.split('\n')[0]).toMatch(
    /^experiment,dataset,detector,epoch,budget,AUROC,AUPR-IN,AUPR-OUT,FPR95TPR,ACC/,
  );

  // A fresh context (no IndexedDB): import the CSV, and the figure shows the same numbers.
  const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page2 = await fresh.newPage();
  await useFixtureData(page2);
  await page2.goto('/?backend=wasm#experiments');
  // Before the import the card shows only the committed reference series (public/reference), none of yours.
  await expect(page2.getByTestId(`exp-card-${ID}`)).toContainText('reference pytorch-cpu');
  await expect(page2.getByTestId(`exp-card-${ID}`)).not.toContainText(/your browser \w+, smoke/);
  await page2.getByLabel('Import results (JSON/CSV)…').setInputFiles(`test-results/${ID}.csv`);
  // The CSV holds every row the card showed: yours and the reference rows.
  const shownRows = (await rowsOf(page)).length;
  await expect(page2.getByTestId('exp-area-notice')).toContainText(`Imported ${shownRows} rows`);
  expect([await tableText(page2, 0), await tableText(page2, 1), await tableText(page2, 2)]).toEqual(tables);
  await page2.getByTestId(`exp-card-${ID}`).scrollIntoViewIfNeeded();
  await page2.screenshot({ path: 'test-results/experiments-imported.png' });
  await fresh.close();
  expect(errors).toEqual([]);
});

test('experiments: toy ε sweep from window.aoe.experiments, figure exported as SVG, PNG and CSV', async ({
  page,
}) => {
  test.setTimeout(600_000);
  const errors = pageErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await useFixtureData(page);
  const workerUrls: string[] = [];
  page.on('worker', (w) => workerUrls.push(w.url()));
  await page.goto('/?backend=wasm#experiments');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const status = await page.evaluate(() =>
    (window as unknown as AoeWindow).aoe.experiments.run('toy-eps-sweep', { scale: 'smoke' }),
  );
  expect(status).toBe('completed');
  // The grid's cells were spread over the compute worker and at least one toy-cell worker.
  expect(workerUrls.some((u) => u.includes('toyCellWorker'))).toBe(true);
  // `npm run exp -- toy-eps-sweep --scale smoke` (Node, WASM, one cell after another) wrote the committed
  // fixture: the browser's workers give the same numbers for every cell, bit for bit.
  const node = JSON.parse(
    readFileSync('tests/fixtures/experiments/toy-eps-sweep-smoke-node-wasm.json', 'utf8'),
  ) as { cells: { cell: Record<string, unknown> }[]; rows: [number, string, string, string, number][] };
  const id = (cell: Record<string, unknown>, det: string, set: string, metric: string) =>
    `${String(cell.method)}@${String(cell.epsilon)}#${String(cell.seed)}/${det}/${set}/${metric}`;
  const nodeValues = new Map(node.rows.map((r) => [id(node.cells[r[0]].cell, r[1], r[2], r[3]), r[4]]));
  const browserRows = await page.evaluate(() =>
    (window as unknown as { aoe: { experiments: { rows(i: string): BrowserRow[] } } }).aoe.experiments.rows(
      'toy-eps-sweep',
    ),
  );
  expect(browserRows).toHaveLength(nodeValues.size);
  for (const r of browserRows)
    expect(r.value).toBe(nodeValues.get(id(r.cell, r.detector, r.oodSet, r.metric)));
  const card = page.getByTestId('exp-card-toy-eps-sweep');
  const fig = card.getByTestId('exp-figure-toy-eps-sweep-0');
  await expect(fig.locator('svg.recharts-surface')).toBeVisible();
  await expect(fig.locator('.recharts-line')).toHaveCount(2);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/experiments-toy.png' });
  const save = async (name: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), fig.getByRole('button', { name }).click()]);
    const path = `test-results/${d.suggestedFilename()}`;
    await d.saveAs(path);
    return readFileSync(path);
  };
  const svg = (await save('SVG')).toString('utf8');
  expect(svg).toMatch(/^<svg xmlns/);
  expect(svg).toMatch(/AOE · your browser \w+, smoke \(toy\)/);
  expect(svg).toMatch(/OE \+ noise · your browser \w+, smoke \(toy\)/);
  const png = await save('PNG');
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // The figure CSV holds exactly the plotted means: compare with the table under the chart.
  const figCsv = await page.evaluate(() =>
    (window as unknown as AoeWindow).aoe.experiments.export('toy-eps-sweep', 'figure-csv'),
  );
  const lines = figCsv.trim().split('\n');
  expect(lines[0]).toBe('panel,series,origin,backend,setting,scale,date,epsilon,mean,sd,n,seeds');
  expect(lines).toHaveLength(1 + 2 * 2 * 11);
  const aoeAt05 = lines.find(
    (l) => l.startsWith('"accepted area') && l.includes(',AOE,') && l.includes(',0.5,'),
  )!;
  const mean = Number(aoeAt05.split(',')[8]);
  await expect(card.getByTestId('exp-table-toy-eps-sweep-0')).toContainText((mean * 100).toFixed(2));
  // Cancel while the quick scale's 2,000-step cells train in every worker: the run ends within a second.
  const { cancelMs, outcome } = await page.evaluate(async () => {
    const exp = (window as unknown as AoeWindow).aoe.experiments;
    const done = exp.run('toy-eps-sweep', { scale: 'quick' });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    await exp.cancel();
    const outcome = await done;
    return { cancelMs: performance.now() - t0, outcome };
  });
  expect(outcome).toBe('cancelled');
  expect(cancelMs).toBeLessThan(1000);
  expect(errors).toEqual([]);
});
