import { expect, test } from '@playwright/test';

/**
 * The analyses panel on first open: the pretrained WRN-16-2 and the served data (npm run data) give every card
 * data without a click; the ε slider moves the perturbed-outlier histogram; ROC hover shows exact values; the
 * FGSM attack draws AUROC/FPR95 vs budget. Small limits (URL) keep it to minutes on WASM.
 */
test('analyses of the pretrained model render on first open', async ({ page }) => {
  test.setTimeout(1_200_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?backend=wasm&analysesLimit=60&analysesFit=300#analyses');
  const panel = page.getByTestId('panel-analyses');
  await expect(panel).toBeVisible();
  const table = panel.getByTestId('an-detector-table');
  await expect(table).toBeVisible({ timeout: 600_000 });
  await expect(table.locator('tbody tr')).toHaveCount(9);
  await expect(table).toContainText('ViM');
  await expect(table.locator('tbody td').first()).toHaveText(/^\d+\.\d\d$/);
  await expect(panel.getByTestId('an-gallery')).toBeVisible({ timeout: 300_000 });
  await expect(panel.getByTestId('an-gallery').locator('canvas')).toHaveCount(36);
  await expect(panel.getByTestId('an-progress')).toHaveCount(0);

  // ε slider → the perturbed histogram is recomputed at the new ε.
  const legend = panel.getByTestId('an-histogram-plot');
  await expect(legend).toContainText('outliers after AOE, ε = 0.5');
  await panel.getByLabel('AOE step ε').fill('0.1');
  await expect(panel.getByTestId('an-eps-value')).toContainText('ε = 0.10 pixels');
  await expect(legend).toContainText('outliers after AOE, ε = 0.1', { timeout: 60_000 });

  for (const id of ['detectors', 'histograms', 'roc', 'per-dataset', 'gallery'])
    await panel.getByTestId(`an-card-${id}`).screenshot({ path: `test-results/analyses-${id}.png` });

  // ROC hover: exact values of the nearest point.
  const roc = panel.getByTestId('an-roc-plot').locator('svg');
  await roc.scrollIntoViewIfNeeded();
  const box = (await roc.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.3);
  await expect(panel.getByTestId('plot-hover')).toContainText(/\(\d\.\d+, \d\.\d+\)/);
  await expect(panel.getByTestId('an-per-dataset')).toContainText('Gaussian');

  await panel.getByRole('button', { name: 'Attack the OOD sets of this model' }).click();
  await expect(panel.getByTestId('an-attack-result')).toHaveCount(1, { timeout: 900_000 });
  await expect(panel.getByTestId('an-attack-result')).toContainText('mean over sets');
  await panel.getByTestId('an-card-attack').screenshot({ path: 'test-results/analyses-attack.png' });
  await page.screenshot({ path: 'test-results/analyses-panel.png', fullPage: true });
  expect(errors).toEqual([]);
});
