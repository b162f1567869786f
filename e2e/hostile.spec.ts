import { expect, test, type Page } from '@playwright/test';
import { pngHeaderOnly, zeroTarGz, zeroZip } from '../tests/helpers/hostile';

/**
 * Hostile files through the Data panel: a zip bomb (refused by its declared size, and one that lies about it),
 * a PNG header declaring 20000×20000, and a 1.1 MB .tar.gz that would inflate to 1.8 GiB — its message names the
 * limit, the page stays responsive while it streams, and Cancel stops it within a second.
 */
const GiB = 1024 ** 3;
const file = (name: string, bytes: Uint8Array) => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: Buffer.from(bytes),
});

async function pick(page: Page, role: 'id' | 'outliers' | 'ood', files: ReturnType<typeof file>[]) {
  await page
    .getByTestId(`drop-${role}`)
    .getByLabel(/choose files/)
    .setInputFiles(files);
}

/** Milliseconds a trivial round trip to the page takes (the main thread is free while the worker inflates). */
async function pageLatency(page: Page): Promise<number> {
  const t0 = Date.now();
  await page.evaluate(() => document.title);
  return Date.now() - t0;
}

test('hostile sizes: zip bomb, huge PNG header, over-budget tar.gz — named limits, responsive page, Cancel < 1 s', async ({
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
  const panel = page.getByTestId('panel-data');
  await expect(panel.getByTestId('thumbs-ood:gaussian')).toBeVisible();
  const alerts = panel.getByRole('alert');

  // 1. A zip whose entry declares 2 GiB: refused before anything is inflated.
  await pick(page, 'ood', [file('textures.zip', zeroZip('zeros.png', 4096, 2 * GiB))]);
  await expect(alerts.filter({ hasText: 'textures.zip' })).toContainText(
    'entry "zeros.png" would inflate to 2 GiB, over the 1 GiB limit for one entry',
  );
  // 2. A zip bomb that lies (64 MiB of zeros declared as 1000 bytes): stopped at the first overflowing slice.
  await pick(page, 'ood', [file('liar.zip', zeroZip('a.png', 64 * 1024 * 1024, 1000))]);
  await expect(alerts.filter({ hasText: 'liar.zip' })).toContainText(
    'entry "a.png" inflates past its declared 1000 B (a zip bomb or a corrupt file); stopped.',
  );
  // 3. A 20000×20000 PNG header (72 bytes): never handed to createImageBitmap.
  await pick(page, 'ood', [file('huge.png', pngHeaderOnly(20000, 20000))]);
  await expect(alerts.filter({ hasText: 'huge.png' })).toContainText(
    'its PNG header declares 20000×20000 pixels (400 MP, 1.49 GiB decoded), over the 50 MP limit for one image',
  );
  await expect(page.getByTestId('data-sets').locator('tbody tr')).toHaveCount(2); // the two noise sets only

  // 4. A 1.1 MB .tar.gz of 1.8 GiB of zeros: Cancel while it streams.
  const bomb = zeroTarGz([
    { name: 'cifar-10-batches-bin/a.bin', sizeMiB: 900 },
    { name: 'cifar-10-batches-bin/b.bin', sizeMiB: 900 },
  ]);
  await pick(page, 'id', [file('cifar-10-binary.tar.gz', bomb)]);
  const busy = panel.getByTestId('data-busy');
  await expect(busy).toContainText(
    /reading cifar-10-binary\.tar\.gz, [\d.]+ MB inflated \([\d.]+ MB of 1\.\d MB\)/,
  );
  await page.waitForTimeout(300);
  expect(await pageLatency(page)).toBeLessThan(500);
  await panel.screenshot({ path: 'test-results/hostile-data-loading.png' });
  const t0 = Date.now();
  await busy.getByRole('button', { name: 'Cancel' }).click();
  await expect(busy).toBeHidden({ timeout: 1000 });
  const cancelMs = Date.now() - t0;
  expect(cancelMs).toBeLessThan(1000);
  await expect(panel.getByText('cancelled; nothing was loaded.')).toBeVisible();

  // … and left to run, it stops at the archive budget with the limit named.
  await pick(page, 'id', [file('cifar-10-binary.tar.gz', bomb)]);
  await expect(alerts.filter({ hasText: 'cifar-10-binary.tar.gz' })).toContainText(
    'it inflates to more than 1 GiB, the limit for one archive',
    { timeout: 120_000 },
  );
  expect(await pageLatency(page)).toBeLessThan(500);

  // The limits can be changed from the panel (keyboard reachable), and the new value is used.
  const limits = panel.getByTestId('size-limits');
  await limits.locator('summary').click();
  await limits.getByLabel('Image (megapixels)').fill('500');
  await limits.getByRole('button', { name: 'Apply' }).click();
  await pick(page, 'ood', [file('huge2.png', pngHeaderOnly(20000, 20000))]);
  // Now under the pixel limit, it reaches the decoder, which finds no pixel data.
  await expect(alerts.filter({ hasText: 'huge2.png' })).not.toContainText('over the');
  await panel.screenshot({ path: 'test-results/hostile-data-messages.png' });
  console.log(`cancel latency ${cancelMs} ms`);
  expect(errors).toEqual([]);
});
