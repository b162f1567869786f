import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

const fixture = (p: string) => readFileSync(new URL(`../tests/fixtures/${p}`, import.meta.url));
const bin = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/octet-stream', buffer });
const pick = (page: Page, role: 'id' | 'outliers' | 'ood', files: ReturnType<typeof bin>[]) =>
  page
    .getByTestId(`drop-${role}`)
    .getByLabel(/choose files/)
    .setInputFiles(files);

/**
 * After a reload, the training panel's outlier source is the one chosen before it — an uploaded npz stays the
 * npz, and PPCA chosen over an upload stays PPCA — and its OOD list names the sets as evaluation reports them.
 */
test('the outlier source and OOD list survive a reload as chosen', async ({ page }) => {
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=cpu');
  await page.evaluate(
    () =>
      new Promise((r) => {
        const q = indexedDB.deleteDatabase('aoe-data');
        q.onsuccess = q.onerror = q.onblocked = r;
      }),
  );
  await page.reload();
  const dataLine = page.getByTestId('panel-training').getByTestId('train-data-status');
  await pick(page, 'id', [
    bin('data_batch_1.bin', fixture('cifar10/train_first1000.bin')),
    bin('test_batch.bin', fixture('cifar10/test_first1000.bin')),
  ]);
  await expect(dataLine).toContainText('PPCA (q=32) fitted', { timeout: 120_000 });
  // Two OOD sets that would both be called "Fashion-MNIST": the second gets a suffix, everywhere.
  const fm = fixture('fashion-mnist/first20-images-idx3-ubyte.gz');
  await pick(page, 'ood', [bin('fashion-a-images-idx3-ubyte.gz', fm)]);
  await pick(page, 'ood', [bin('fashion-b-images-idx3-ubyte.gz', fm)]);
  await expect(page.getByText('named "Fashion-MNIST (2)"')).toBeVisible();
  await expect(dataLine).toContainText('Fashion-MNIST (20), Fashion-MNIST (2) (20)');

  await pick(page, 'outliers', [bin('samples-2.0.npz', fixture('npz/samples-2.0.npz'))]);
  await expect(dataLine).toContainText('upload: samples-2.0.npz');
  await page.reload();
  await expect(dataLine).toContainText('upload: samples-2.0.npz', { timeout: 120_000 });
  await expect(dataLine).toContainText('Fashion-MNIST (20), Fashion-MNIST (2) (20)');

  // Choose PPCA over the upload: after a reload it is PPCA again, not the cached npz.
  await expect(page.getByTestId('generator-summary')).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: /samples at σ² = 2 as training outliers/ }).click();
  await expect(dataLine).toContainText('PPCA (q=32) fitted');
  await page.reload();
  await expect(dataLine).toContainText('PPCA (q=32) fitted', { timeout: 120_000 });
  await expect(dataLine).not.toContainText('samples-2.0.npz');
  await page.getByTestId('panel-training').getByTestId('train-data-status').screenshot({
    path: 'test-results/outlier-choice-after-reload.png',
  });
});
