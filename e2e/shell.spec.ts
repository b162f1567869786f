import { expect, test } from '@playwright/test';

test('the app shell loads, names its backend and offers the panel slots', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'AOE Playground' })).toBeVisible();
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', /^(webgpu|webgl|wasm|cpu)$/);
  const crossOriginIsolated = await page.evaluate(() => self.crossOriginIsolated);
  expect(crossOriginIsolated).toBe(true);
  for (const id of ['toy', 'data', 'training']) await expect(page.getByTestId(`panel-${id}`)).toBeVisible();
  await page.screenshot({ path: 'test-results/shell.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('a forced backend is used and reported as forced', async ({ page }) => {
  await page.goto('/?backend=cpu');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveAttribute('data-backend', 'cpu');
  await expect(badge).toContainText('(forced)');
});
