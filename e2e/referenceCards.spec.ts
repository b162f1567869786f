// First open of the Experiments area with no runs of one's own: every card the committed PyTorch reference
// results cover (public/reference/index.json → files → their experiments) shows them — each panel drawn with a
// series labelled "reference pytorch-cpu, quick, <date>", no "No rows yet" — and the cards this branch
// committed results for are all among them. Screenshots of every card at 1440×900 go to
// test-results/cards/<id>.png (looked at by a person, not compared by the test).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { pageErrors, useFixtureData } from './fixtures';

interface ResultsFile {
  cells: { experiment: string; backend: string; scale: string }[];
}

const index = JSON.parse(readFileSync('public/reference/index.json', 'utf8')) as { files: string[] };
const covered = new Map<string, ResultsFile['cells'][number]>();
for (const f of index.files) {
  const file = JSON.parse(readFileSync(`public/reference/${f}`, 'utf8')) as ResultsFile;
  for (const c of file.cells) if (!covered.has(c.experiment)) covered.set(c.experiment, c);
}

/** The WRN cards whose quick-scale PyTorch-CPU results are committed (README "Reference results"). */
const EXPECTED = [
  'wrn-table2',
  'wrn-eps-sweep',
  'wrn-attack',
  'wrn-attack-pgd',
  'wrn-per-dataset',
  'wrn-sigma2',
  'wrn-epochs',
  'wrn-outlier-count',
  'wrn-adversaries',
  'wrn-pipeline-check',
  'wrn-openset',
];

test('every card with committed reference results shows them on first open', async ({ page }) => {
  test.setTimeout(300_000);
  const errors = pageErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await useFixtureData(page); // no prepared data needed: the reference rows are files of their own
  await page.goto('/#experiments');
  // The sticky area navigation would cover the top of each card in its screenshot.
  await page.addStyleTag({ content: '.app-nav { position: static !important; }' });
  for (const id of EXPECTED) expect([...covered.keys()]).toContain(id);
  for (const [id, cell] of covered) {
    const card = page.getByTestId(`exp-card-${id}`);
    if (!(await card.count())) continue; // results of an experiment without a card
    await card.scrollIntoViewIfNeeded();
    const source = `reference ${cell.backend}, ${cell.scale}`;
    await expect(card).toContainText(source);
    const figures = card.locator('figure.exp-figure');
    const n = await figures.count();
    expect(n, id).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) {
      const fig = figures.nth(i);
      await expect(fig, `${id} panel ${i}`).not.toContainText('No rows yet');
      await expect(fig.getByTestId(`exp-table-${id}-${i}`), `${id} panel ${i}`).toContainText(source);
    }
    // The attack figures draw where a random detector lies (AUROC 50 %, FPR95 95 %), one line per panel.
    if (id.startsWith('wrn-attack')) {
      await expect(card.locator('.recharts-reference-line')).toHaveCount(n);
      await expect(figures.first()).toContainText('random guess');
    }
    await card.screenshot({ path: `test-results/cards/${id}.png` });
  }
  expect(errors).toEqual([]);
});
