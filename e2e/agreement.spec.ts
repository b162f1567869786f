import { expect, test } from '@playwright/test';
import { cifar100Archive } from '../tests/helpers/cifar100';

/**
 * Data and model must agree: with the pretrained 10-class WRN loaded, a CIFAR-100 upload makes the training panel
 * warn at once and evaluation refuse (offering the fix); "New WRN-10-1" then takes the data's 100 classes and
 * evaluation runs, showing each OOD set's image count and a caution for tiny sets.
 */
test('a 10-class model on CIFAR-100 is refused with the fix; a new model gets a 100-class head', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=cpu');
  await page.evaluate(
    () =>
      new Promise((r) => {
        const q = indexedDB.deleteDatabase('aoe-data');
        q.onsuccess = q.onerror = q.onblocked = r;
      }),
  );
  const panel = page.getByTestId('panel-training');
  const weights = panel.getByTestId('train-model-status');
  await expect(weights).toContainText(/WRN-16-2 — pretrained/, { timeout: 120_000 });

  await page
    .getByTestId('drop-id')
    .getByLabel(/choose files/)
    .setInputFiles([
      {
        name: 'cifar-100-binary.tar.gz',
        mimeType: 'application/gzip',
        buffer: Buffer.from(cifar100Archive(200, 40)),
      },
    ]);
  await expect(panel.getByTestId('train-data-status')).toContainText('200 training images');
  const warning = panel.getByTestId('train-class-mismatch');
  await expect(warning).toContainText(
    'These weights have a 10-class head but the ID data (CIFAR-100) has 100 classes: training and evaluation are refused until they agree.',
  );
  await panel.getByRole('button', { name: 'Evaluate' }).click();
  await expect(panel.getByTestId('train-error')).toContainText(
    'Cannot evaluate: the model has a 10-class head but the ID data (CIFAR-100) has 100 classes. Import a model trained on CIFAR-100',
  );
  await panel.locator('.train-status').screenshot({ path: 'test-results/agreement-mismatch.png' });

  await panel.getByLabel('New-model preset').selectOption('WRN-10-1');
  await panel.getByRole('button', { name: 'New WRN-10-1 (random init)' }).click();
  await expect(weights).toContainText('100 classes');
  await expect(warning).toBeHidden();
  await panel.getByLabel('images per set').fill('8');
  await panel.getByRole('button', { name: 'Evaluate' }).click();
  const table = panel.getByTestId('train-eval');
  await expect(table).toContainText('Gaussian noise', { timeout: 120_000 });
  await expect(table).toContainText('too few images');
  await expect(panel.getByTestId('eval-caution')).toContainText(
    'Gaussian noise: only 8 OOD images: its AUROC can swing by chance (fewer than 100)',
  );
  await expect(panel.getByTestId('train-error')).toBeHidden();
  await panel.screenshot({ path: 'test-results/agreement-training-panel.png' });
  expect(errors).toEqual([]);
});
