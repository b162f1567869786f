import { expect, test } from '@playwright/test';

// Debian Chromium here has no GPU: its WebGPU and WebGL run on SwiftShader, a CPU emulator. The app must time
// them, choose WASM, and say why with the measured ratio.
test('without a GPU the app chooses WASM over SwiftShader WebGPU/WebGL and says why', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'wasm', { timeout: 120_000 });
  const why = page.getByTestId('backend-why');
  await expect(why).toContainText(
    /WebGPU is a software emulator \(SwiftShader\) here: WASM is (more than )?\d+(\.\d)?× faster/,
  );
  await badge.locator('summary').click();
  const probes = page.getByTestId('backend-probes');
  await expect(probes).toContainText('webgpu');
  await expect(probes).toContainText('wasm');
  await expect(badge).toContainText(/webgl.*software emulator \(SwiftShader\)/);
  await badge.screenshot({ path: 'test-results/backend-badge-auto.png' });
  const text = await why.textContent();
  console.log(`badge: ${text}`);
  expect(errors).toEqual([]);
});

test('a forced software WebGPU is used, marked forced and warned about', async ({ page }) => {
  await page.goto('/?backend=webgpu');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'webgpu', { timeout: 120_000 });
  await expect(badge).toContainText('(forced)');
  await expect(page.getByTestId('backend-software')).toContainText('software emulator (SwiftShader)');
  await badge.screenshot({ path: 'test-results/backend-badge-forced-webgpu.png' });
});
