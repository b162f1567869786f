import { readFileSync } from 'node:fs';
import { expect, test, type Locator, type Page, type Worker } from '@playwright/test';

/**
 * Faults around a training run, injected from outside the app (no test hooks in the bundle): Playwright evaluates
 * code inside the compute worker to close it, to throw an uncaught error in it, or to make IndexedDB refuse
 * writes with QuotaExceededError; and the page is reloaded mid-run. WRN-10-1 on WASM, OE, batch 4, so a step
 * takes well under a second on a small CPU and Cancel can answer within one.
 */

const CADENCE_STEPS = 2;

const bin = (name: string, file: string) => ({
  name,
  mimeType: 'application/octet-stream',
  buffer: readFileSync(`tests/fixtures/cifar10/${file}`),
});

/** The app's compute worker (not tfjs's WASM thread workers, which are blob: URLs). */
function computeWorker(page: Page): Worker {
  const ws = page.workers().filter((w) => /\/assets\/worker-[^/]*\.js$/.test(w.url()));
  if (!ws.length) throw new Error(`no compute worker among ${page.workers().map((w) => w.url())}`);
  return ws[ws.length - 1];
}

const panelOf = (page: Page) => page.getByTestId('panel-training');
const progressOf = (page: Page) => panelOf(page).getByTestId('train-progress');
const stepOf = async (progress: Locator) => Number(await progress.getAttribute('data-step'));

async function setNumber(page: Page, label: string, value: number) {
  await page.getByLabel(label, { exact: true }).fill(String(value));
}

/** Load the fixture, make a WRN-10-1 and start an OE run of 3 × 10 steps, checkpointing every 2 steps. */
async function startRun(page: Page): Promise<void> {
  await page.route('**/data/manifest.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
  await page.goto('/?backend=wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const panel = panelOf(page);
  const dataStatus = panel.getByTestId('train-data-status');
  if (!(await dataStatus.textContent())?.includes('1,000 training images')) {
    await page
      .getByTestId('drop-id')
      .getByLabel(/choose files/)
      .setInputFiles([
        bin('data_batch_1.bin', 'train_first1000.bin'),
        bin('test_batch.bin', 'test_first1000.bin'),
      ]);
  }
  await expect(dataStatus).toContainText('1,000 training images');
  await expect(dataStatus).toContainText(/[1-9][0-9,]* training outliers/);
  await panel.getByLabel('New-model preset').selectOption('WRN-10-1');
  await panel.getByRole('button', { name: 'New WRN-10-1 (random init)' }).click();
  await expect(panel.getByTestId('train-model-status')).toContainText('random init');
  await panel.getByLabel('Method', { exact: true }).selectOption('OE');
  await setNumber(page, 'Epochs', 3);
  await setNumber(page, 'Subset (0 = all)', 40);
  await setNumber(page, 'ID batch', 4);
  await setNumber(page, 'Outlier batch', 4);
  await panel.getByLabel('Checkpoint every N steps (0 = off)').fill(String(CADENCE_STEPS));
  await panel.getByRole('button', { name: 'Start training' }).click();
  await expect(progressOf(page)).toHaveAttribute('data-status', 'running', { timeout: 120_000 });
}

async function waitForStep(page: Page, atLeast: number): Promise<number> {
  await expect.poll(() => stepOf(progressOf(page)), { timeout: 120_000 }).toBeGreaterThanOrEqual(atLeast);
  return stepOf(progressOf(page));
}

/** The page answers within a frame or two (its main thread is free). */
async function expectResponsive(page: Page): Promise<void> {
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    return performance.now() - t0;
  });
  expect(ms).toBeLessThan(500);
}

/** Click Cancel and expect the run to stop within a second. */
async function cancelWithinASecond(page: Page): Promise<void> {
  const t0 = Date.now();
  await panelOf(page).getByRole('button', { name: 'Cancel' }).click();
  await expect(progressOf(page)).toHaveAttribute('data-status', 'cancelled', { timeout: 5_000 });
  expect(Date.now() - t0).toBeLessThan(1_000);
}

/** The step of the checkpoint the resume banner offers. */
async function offeredCheckpointStep(page: Page): Promise<number> {
  const banner = panelOf(page).getByTestId('train-checkpoint');
  await expect(banner).toBeVisible({ timeout: 120_000 });
  const m = /saved at step (\d+) of (\d+)/.exec((await banner.textContent()) ?? '');
  expect(m).not.toBeNull();
  return Number(m![1]);
}

test('a worker closed mid-run is detected within seconds, restarted, and the run resumes from its checkpoint', async ({
  page,
}) => {
  await startRun(page);
  const panel = panelOf(page);
  await waitForStep(page, 5);
  const worker = computeWorker(page);
  const stepSeen = await stepOf(progressOf(page));
  const t0 = Date.now();
  void worker.evaluate(() => self.close()).catch(() => undefined);
  await expect(panel.getByTestId('train-error')).toContainText('stopped unexpectedly', { timeout: 5_000 });
  const detectedMs = Date.now() - t0;
  expect(detectedMs).toBeLessThan(3_000);
  await expectResponsive(page);
  await expect(panel.getByTestId('train-error')).toContainText('The worker was restarted', {
    timeout: 60_000,
  });
  await expect(panel.getByTestId('train-error')).toContainText(/lost; “Resume training” continues from it/);
  const cpStep = await offeredCheckpointStep(page);
  // At most one checkpoint interval of work is lost (the UI may lag the worker by one throttled update).
  expect(cpStep).toBeGreaterThanOrEqual(stepSeen - CADENCE_STEPS);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await page.screenshot({ path: 'test-results/reliability-worker-closed.png', fullPage: true });
  console.log(`worker close detected in ${detectedMs} ms; step ${stepSeen} seen, checkpoint ${cpStep}`);

  await panel.getByTestId('train-checkpoint').getByRole('button', { name: 'Resume training' }).click();
  await expect(progressOf(page)).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await waitForStep(page, cpStep + 2);
  await expect(panel.getByTestId('train-error')).toHaveCount(0);
  await cancelWithinASecond(page);
  await expect(panel.getByTestId('train-message')).not.toContainText('Training finished');
});

test('an uncaught error inside a still-running worker keeps the run and its controls', async ({ page }) => {
  await startRun(page);
  const panel = panelOf(page);
  await waitForStep(page, 3);
  await computeWorker(page).evaluate(() => {
    setTimeout(() => {
      throw new Error('injected fault');
    }, 0);
  });
  const warning = panel.getByTestId('train-warning');
  await expect(warning).toContainText('injected fault', { timeout: 5_000 });
  await expect(warning).toContainText('the run goes on, and Pause / Cancel still work');
  await expect(page.getByTestId('backend-badge')).not.toContainText('Backend error');
  await expect(panel.getByTestId('train-error')).toHaveCount(0);
  const before = await stepOf(progressOf(page));
  await waitForStep(page, before + 2); // still training
  await expect(progressOf(page)).toHaveAttribute('data-status', 'running');
  await expect(panel.getByRole('button', { name: 'Pause' })).toBeEnabled();
  await expect(panel.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await expectResponsive(page);
  await page.screenshot({ path: 'test-results/reliability-worker-error.png', fullPage: true });
  await cancelWithinASecond(page);
  await expect(panel.getByTestId('train-message')).toContainText('Cancelled');
  await expect(panel.getByTestId('train-message')).not.toContainText('Training finished');
});

test('storage full: the run keeps training with a precise warning and checkpoints again once space is back', async ({
  page,
}) => {
  await startRun(page);
  const panel = panelOf(page);
  await waitForStep(page, 1);
  // IndexedDB refuses every write from now on, as it does when the site's quota is exhausted.
  await computeWorker(page).evaluate(() => {
    const proto = IDBObjectStore.prototype as IDBObjectStore & { __put?: IDBObjectStore['put'] };
    proto.__put = proto.put;
    proto.put = function () {
      throw new DOMException('', 'QuotaExceededError');
    };
  });
  const warning = progressOf(page).getByTestId('train-checkpoint-warning');
  await expect(warning).toContainText('not saved: Could not write the checkpoint of run-', {
    timeout: 60_000,
  });
  await expect(warning).toContainText('QuotaExceededError');
  await expect(warning).toContainText(/used of .* available to this site/);
  await expect(warning).toContainText('Training continues in memory');
  const failedAt = await stepOf(progressOf(page));
  await waitForStep(page, failedAt + 3);
  await expect(progressOf(page)).toHaveAttribute('data-status', 'running');
  await expect(panel.getByTestId('train-error')).toHaveCount(0);
  await expectResponsive(page);
  await page.screenshot({ path: 'test-results/reliability-storage-full.png', fullPage: true });
  // Space is back: the next checkpoint point writes again and the warning goes away.
  await computeWorker(page).evaluate(() => {
    const proto = IDBObjectStore.prototype as IDBObjectStore & { __put?: IDBObjectStore['put'] };
    proto.put = proto.__put!;
  });
  await expect(warning).toHaveCount(0, { timeout: 60_000 });
  const step = await stepOf(progressOf(page));
  await expect(progressOf(page)).toContainText(/Checkpointstep \d+/);
  await cancelWithinASecond(page);
  await expect(panel.getByTestId('train-message')).toContainText(/checkpoint at step \d+ kept/);
  expect(await offeredCheckpointStep(page)).toBeGreaterThanOrEqual(step);
});

test('reload mid-run warns first; Resume clicked at once waits for the training outliers and continues', async ({
  page,
}) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await startRun(page);
  const panel = panelOf(page);
  const stepSeen = await waitForStep(page, 5);
  // Forget the cached outliers, so after the reload they must be refitted and redrawn (the slow case).
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('aoe-data');
        open.onsuccess = () => {
          const tx = open.result.transaction('sets', 'readwrite');
          tx.objectStore('sets').delete('outliers');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        open.onerror = () => reject(open.error);
      }),
  );
  await page.reload();
  expect(dialogs).toContain('beforeunload');
  const banner = panel.getByTestId('train-checkpoint');
  await expect(banner.getByRole('button', { name: 'Resume training' })).toBeEnabled({ timeout: 60_000 });
  const cpStep = await offeredCheckpointStep(page);
  expect(cpStep).toBeGreaterThanOrEqual(stepSeen - CADENCE_STEPS);
  const modelBefore = await panel.getByTestId('train-model-status').textContent();
  await banner.getByRole('button', { name: 'Resume training' }).click(); // at once: outliers are not back yet
  const waiting = panel.getByTestId('train-waiting');
  const sawWaiting = await waiting
    .waitFor({ timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (sawWaiting) {
    await expect(waiting).toContainText('needs the training outliers');
    await page.screenshot({ path: 'test-results/reliability-resume-waiting.png', fullPage: true });
    // Nothing changed while waiting: the model is the one loaded before.
    expect(await panel.getByTestId('train-model-status').textContent()).toBe(modelBefore);
  }
  await expect(progressOf(page)).toHaveAttribute('data-status', 'running', { timeout: 120_000 });
  await waitForStep(page, cpStep + 2);
  await expect(panel.getByTestId('train-error')).toHaveCount(0);
  // The regenerated outliers are the very ones the checkpoint trained on (seeded fit and draw).
  await expect(panel.getByTestId('train-warning')).toHaveCount(0);
  await expect(panel.getByTestId('train-model-status')).toContainText('checkpoint of run-');
  await expectResponsive(page);
  await cancelWithinASecond(page);
  await page.screenshot({ path: 'test-results/reliability-resumed.png', fullPage: true });
  console.log(`reload: step ${stepSeen} seen, checkpoint ${cpStep}, waited for outliers: ${sawWaiting}`);
});
