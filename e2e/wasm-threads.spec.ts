import { expect, test } from '@playwright/test';

// The worker forces WASM; on a cross-origin isolated page it must use every core (tfjs's own default is half),
// report the count XNNPACK really runs with, and train: its WRN gradients must equal the CPU backend's.
test('forced WASM runs SIMD with one thread per core and trains a WRN correctly', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await expect(badge).toContainText(`SIMD, ${cores} of ${cores} threads`);
  await page.screenshot({ path: 'test-results/wasm-threads.png' });

  const check = await page.evaluate(async () => {
    type Check = { backend: string; worstRelError: number; worstTensor: string; tensors: number; ms: number };
    const hook = (
      globalThis as unknown as { __aoeWorker: () => { models: { gradientSelfTest(): Promise<Check> } } }
    ).__aoeWorker;
    return hook().models.gradientSelfTest();
  });
  console.log('WASM gradient self-test in Chromium:', JSON.stringify(check));
  expect(check.backend).toBe('wasm');
  expect(check.tensors).toBe(26); // 25 WRN-10-1 weight tensors + the input
  expect(check.worstRelError).toBeLessThan(1e-4);
});
