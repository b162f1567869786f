// "Start each run from" on the training panel, by keyboard: a bad weights file is refused with the loader's
// reason before anything trains; the bundled model.zip as the start file replaces a random WRN-10-1 at Start;
// "pretrained" reloads the bundled WRN-16-2 at Start after the current model was replaced again.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { dropFixtureData, pageErrors, useFixtureData } from './fixtures';

async function setNumber(page: Page, label: string, value: number) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

test('training: start each run from pretrained / current / a file', async ({ page }) => {
  test.setTimeout(600_000);
  const errors = pageErrors(page);
  await useFixtureData(page);
  await page.goto('/?backend=wasm');
  await dropFixtureData(page);
  const panel = page.getByTestId('panel-training');
  const weights = panel.getByTestId('train-model-status');
  await expect(weights).toContainText('WRN-16-2 — pretrained');
  await setNumber(page, 'Epochs', 1);
  await setNumber(page, 'Subset (0 = all)', 8);
  await setNumber(page, 'ID batch', 4);
  await setNumber(page, 'Outlier batch', 4);
  const newSmall = async () => {
    await panel.getByLabel('New-model preset').selectOption('WRN-10-1');
    await panel.getByRole('button', { name: 'New WRN-10-1 (random init)' }).click();
    await expect(weights).toContainText('WRN-10-1 — scratch');
  };
  await newSmall();

  // Keyboard: focus the first option and move down to "a weights file".
  const control = panel.getByTestId('train-start-from');
  await control.getByLabel('the weights loaded now').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(control.getByLabel('a weights file (loaded before each run)')).toBeChecked();
  await expect(control).toContainText('Runs are refused until a file is chosen');
  await control.getByTestId('train-start-file').setInputFiles({
    name: 'broken.safetensors',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('not a safetensors file at all'),
  });
  await expect(control).toContainText('Start file: broken.safetensors');
  await panel.getByRole('button', { name: 'Start training' }).click();
  await expect(
    panel.getByRole('alert').filter({ hasText: 'Could not load the start weights' }),
  ).toBeVisible();
  await expect(weights).toContainText('WRN-10-1 — scratch'); // nothing changed

  await control.getByTestId('train-start-file').setInputFiles({
    name: 'model.zip',
    mimeType: 'application/zip',
    buffer: readFileSync('public/models/wrn-16-2-cifar10/model.zip'),
  });
  await weights.screenshot({ path: 'test-results/train-start-from.png' });
  await panel.getByRole('button', { name: 'Start training' }).click();
  const progress = panel.getByTestId('train-progress');
  await expect(weights).toContainText(/WRN-16-2 — (imported|trained)/);
  await expect(progress).toHaveAttribute('data-status', /completed|running/, { timeout: 120_000 });
  await panel
    .getByRole('button', { name: 'Cancel' })
    .click()
    .catch(() => undefined);
  await expect(progress).toHaveAttribute('data-status', /completed|cancelled/, { timeout: 120_000 });

  // "pretrained": replace the model again, then Start reloads the bundled WRN-16-2 first.
  await newSmall();
  await control.getByLabel('a weights file (loaded before each run)').focus();
  await page.keyboard.press('ArrowUp');
  await expect(control.getByLabel('the pretrained WRN-16-2 (reloaded before each run)')).toBeChecked();
  await panel.getByRole('button', { name: 'Start training' }).click();
  await expect(weights).toContainText(/WRN-16-2 — (pretrained|trained)/);
  await panel
    .getByRole('button', { name: 'Cancel' })
    .click()
    .catch(() => undefined);
  await expect(progress).toHaveAttribute('data-status', /completed|cancelled/, { timeout: 120_000 });
  expect(errors).toEqual([]);
});
