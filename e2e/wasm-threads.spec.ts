import { expect, test } from '@playwright/test';

// The worker forces WASM; on a cross-origin isolated page it must use every core (tfjs's own default is half),
// and report the count XNNPACK really runs with.
test('forced WASM runs SIMD with one thread per core', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(badge).toContainText(`SIMD, ${cores} of ${cores} threads`);
  await page.screenshot({ path: 'test-results/wasm-threads.png' });
});
