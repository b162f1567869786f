/** Shared e2e helpers: the committed CIFAR-10 fixture through the Data panel, console-error capture. */
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

/** A committed CIFAR-10 fixture file as a Playwright upload named like an official batch. */
export const cifarFixture = (name: string, file: string) => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: readFileSync(`tests/fixtures/cifar10/${file}`),
});

/**
 * Serve no prepared data (CI may lack `npm run data`) and load the 1,000-image train/test fixture through the
 * Data panel's ID drop zone; resolves when the training panel sees it.
 */
export async function useFixtureData(page: Page): Promise<void> {
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
}

export async function dropFixtureData(page: Page): Promise<void> {
  await page
    .getByTestId('drop-id')
    .getByLabel(/choose files/)
    .setInputFiles([
      cifarFixture('data_batch_1.bin', 'train_first1000.bin'),
      cifarFixture('test_batch.bin', 'test_first1000.bin'),
    ]);
  await expectFixtureLoaded(page);
}

/** The worker holds the fixture (the Data panel lists both splits; after a reload, from its IndexedDB cache). */
export async function expectFixtureLoaded(page: Page): Promise<void> {
  const panel = page.getByTestId('panel-data');
  await expect(panel).toContainText(/CIFAR-10 train\s*in-distribution\s*1,000/);
  await expect(panel).toContainText(/CIFAR-10 test\s*in-distribution\s*1,000/);
}

/** Collect uncaught page errors; check `errors` is empty at the end of a test. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Open the Experiments area at 1440×900 on forced WASM with nothing served (the fixture is dropped later if
 * needed); resolves once the worker runs on WASM. Returns the page's uncaught errors, to check at the end.
 */
export async function openExperimentsOnWasm(page: Page): Promise<string[]> {
  const errors = pageErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await useFixtureData(page);
  await page.goto('/?backend=wasm#experiments');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  return errors;
}
