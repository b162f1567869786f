import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

const bin = (name: string, file: string) => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: readFileSync(`tests/fixtures/cifar10/${file}`),
});

/**
 * Issue 13 in the browser: the config form states a step's memory before starting (and warns when large),
 * a run shows a 'first step' state at once, and Cancel stops a long first step without finishing it.
 */
test('memory estimate, first-step state and cancel inside a long step (WASM)', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const panel = page.getByTestId('panel-training');
  await page
    .getByTestId('drop-id')
    .getByLabel(/choose files/)
    .setInputFiles([
      bin('data_batch_1.bin', 'train_first1000.bin'),
      bin('test_batch.bin', 'test_first1000.bin'),
    ]);
  await expect(panel.getByTestId('train-data-status')).toContainText('1,000 training images');
  await panel.getByLabel('New-model preset').selectOption('WRN-16-2');
  await panel.getByRole('button', { name: 'New WRN-16-2 (random init)' }).click();
  await expect(panel.getByTestId('train-model-status')).toContainText('WRN-16-2');

  await panel.getByRole('button', { name: 'Paper recipe' }).click();
  const memory = panel.getByTestId('train-memory');
  await expect(memory).toContainText(/One step of WRN-16-2 needs about 0\.[0-9] GB/);
  await panel.getByLabel('ID batch', { exact: true }).fill('800');
  await expect(memory).toContainText(/needs about [0-9.]+ GB of memory/);
  await expect(memory).toHaveClass(/msg-warning/);
  await page.screenshot({ path: 'test-results/train-memory-warning.png', fullPage: true });

  // A step large enough to take many seconds on WASM here; Cancel must not wait for it.
  await panel.getByLabel('ID batch', { exact: true }).fill('128');
  await panel.getByLabel('Subset (0 = all)', { exact: true }).fill('256');
  // AOE needs the training outliers the Data panel draws after the ID load (PPCA fit, then 10,000 samples).
  await expect(panel.getByTestId('train-data-status')).toContainText(/[1-9][0-9,]* training outliers/, {
    timeout: 180_000,
  });
  await panel.getByRole('button', { name: 'Start training' }).click();
  const progress = panel.getByTestId('train-progress');
  await expect(panel.getByTestId('train-phase')).toContainText('first step', { timeout: 10_000 });
  await page.waitForTimeout(3000);
  await expect(progress).toHaveAttribute('data-step', '0'); // still inside the first step
  await page.screenshot({ path: 'test-results/train-first-step.png', fullPage: true });
  const t0 = Date.now();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(progress).toHaveAttribute('data-status', 'cancelled', { timeout: 10_000 });
  const ms = Date.now() - t0;
  await expect(progress).toHaveAttribute('data-step', '0');
  console.log(`cancel inside the first 128+128 step took effect after ${ms} ms`);
  await page.screenshot({ path: 'test-results/train-cancelled-in-step.png', fullPage: true });
  expect(errors).toEqual([]);
});
