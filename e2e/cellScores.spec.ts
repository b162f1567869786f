// Per-sample scores and the side-by-side table in the Experiments area: a toy ε sweep run from
// window.aoe.experiments; the Rows view lists the finished cells, "Export scores (CSV)" of one cell downloads its
// per-sample scores, and the metrics recomputed from that file with oodMetrics equal the cell's rows exactly;
// the comparison table shows two runs of the same seed (OE + noise vs AOE) with the rows' values and B − A.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { cellScoresFromCsv, metricsFromScores } from '../src/experiments/cellScores';
import { pageErrors, useFixtureData } from './fixtures';

interface Row {
  cellKey: string;
  cell: Record<string, unknown>;
  detector: string;
  oodSet: string;
  metric: string;
  value: number;
  epoch: number | null;
}
interface AoeWindow {
  aoe: {
    experiments: {
      rows(id?: string): Row[];
      run(id: string, o: { scale: string }): Promise<string>;
      scores(cellKey: string, scale: string): Promise<string>;
    };
  };
}
const ID = 'toy-eps-sweep';

test('experiments: export a cell’s per-sample scores and compare two runs side by side', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = pageErrors(page);
  await page.setViewportSize({ width: 1440, height: 1000 });
  await useFixtureData(page);
  await page.goto('/?backend=wasm#experiments');
  const status = await page.evaluate(
    (id) => (window as unknown as AoeWindow).aoe.experiments.run(id, { scale: 'smoke' }),
    ID,
  );
  expect(status).toBe('completed');
  const rows = await page.evaluate((id) => (window as unknown as AoeWindow).aoe.experiments.rows(id), ID);
  const aoe = rows.find((r) => r.cell.method === 'AOE' && r.cell.epsilon === 0.5)!;
  const cellRows = rows.filter((r) => r.cellKey === aoe.cellKey && r.cell.method === 'AOE');

  const card = page.getByTestId(`exp-card-${ID}`);
  await card.getByRole('tab', { name: /^Rows/ }).click();
  const cells = card.getByTestId(`exp-cells-${ID}`);
  const exportButton = cells.getByRole('button', {
    name: 'Export per-sample scores of AOE ε=0.5 seed=1 (smoke) as CSV',
  });
  await exportButton.focus();
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  expect(download.suggestedFilename()).toBe(`${ID}.${aoe.cellKey}.smoke.scores.csv`);
  const path = `test-results/${download.suggestedFilename()}`;
  await download.saveAs(path);
  const text = readFileSync(path, 'utf8');
  expect(text.split('\n').slice(0, 2)).toEqual([
    `# aoe-cell-scores v1 experiment=${ID} cellKey=${aoe.cellKey} scale=smoke`,
    'set,index,label,target,predicted,EBO',
  ]);
  const scores = cellScoresFromCsv(text);
  expect(scores.sets.map((s) => s.name)).toEqual(['ID', 'near', 'far']);
  const re = metricsFromScores(scores);
  let checked = 0;
  for (const r of cellRows) {
    if (r.metric === 'AREA') continue;
    expect(r.metric === 'ACC' ? re.accuracy : re.metrics[r.detector][r.oodSet][r.metric as 'AUROC']).toBe(
      r.value,
    );
    checked++;
  }
  expect(checked).toBe(5);
  // The scripting API hands out the same file.
  expect(
    await page.evaluate(
      ([k]) => (window as unknown as AoeWindow).aoe.experiments.scores(k, 'smoke'),
      [aoe.cellKey],
    ),
  ).toBe(text);

  // Side by side: choose OE + noise ε=0.5 as A and AOE ε=0.5 as B (same seed).
  const compare = card.getByTestId(`exp-compare-${ID}`);
  await compare.getByLabel('Run A').selectOption({ label: 'OE+noise ε=0.5 seed=1 · browser · smoke' });
  await compare.getByLabel('Run B').selectOption({ label: 'AOE ε=0.5 seed=1 · browser · smoke' });
  const noise = rows.find(
    (r) =>
      r.cell.method === 'OE+noise' && r.cell.epsilon === 0.5 && r.metric === 'AUROC' && r.oodSet === 'near',
  )!;
  const aoeNear = cellRows.find((r) => r.metric === 'AUROC' && r.oodSet === 'near')!;
  const line = compare.getByRole('row').filter({ hasText: /EBO\s*near\s*AUROC/ });
  await expect(line).toContainText((noise.value * 100).toFixed(2));
  await expect(line).toContainText((aoeNear.value * 100).toFixed(2));
  await compare.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/experiments-cells.png' });
  expect(errors).toEqual([]);
});
