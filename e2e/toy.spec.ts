import { expect, test, type Page } from '@playwright/test';

interface ToyMetrics {
  acceptedArea: number;
  AUROC: number;
  FPR95TPR: number;
  accuracy: number;
  steps: number;
}
interface Toy {
  metrics(): ToyMetrics | null;
  baselineMetrics(): ToyMetrics | null;
  status(): string;
  params(): Record<string, unknown>;
  setParams(p: Record<string, unknown>): Promise<void>;
  trainSteps(n: number): Promise<void>;
  reset(): Promise<void>;
}
type ToyWindow = Window & { aoe: { toy: Toy } };

/**
 * The seed the headline check runs on: the default seed 1, not a picked one (README "Toy landscape" has the
 * 20-seed picture: AOE is tighter in most seeds, not all, so a different seed could legitimately fail this).
 */
const SEED = 1;

async function waitIdle(page: Page) {
  await page.waitForFunction(() => {
    const t = (window as unknown as ToyWindow).aoe?.toy;
    return t !== undefined && t.status() === 'idle' && t.metrics() !== null;
  });
}
const metrics = (page: Page) => page.evaluate(() => (window as unknown as ToyWindow).aoe.toy.metrics()!);
const params = (page: Page) => page.evaluate(() => (window as unknown as ToyWindow).aoe.toy.params());

test('dragging ε from 0 to 0.5 tightens the boundary; AUROC is computed; the URL reproduces the picture', async ({
  page,
  browser,
}) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?seed=${SEED}&epsilon=0`);
  await waitIdle(page);
  const at0 = await metrics(page);
  expect(at0.steps).toBe((await params(page)).steps);
  await page.getByTestId('panel-toy').screenshot({ path: 'test-results/toy-eps0.png' });

  // Drag the real slider's thumb from ε = 0 to ε = 0.5 (range 0…1.5).
  const slider = page.getByTestId('toy-epsilon');
  const box = (await slider.boundingBox())!;
  const thumb = 8; // half the thumb width: Chromium maps [thumb, width − thumb] onto [min, max]
  const xAt = (v: number) => box.x + thumb + ((box.width - 2 * thumb) * v) / 1.5;
  await page.mouse.move(xAt(0), box.y + box.height / 2);
  await page.mouse.down();
  for (const v of [0.1, 0.2, 0.3, 0.4, 0.5])
    await page.mouse.move(xAt(v), box.y + box.height / 2, { steps: 3 });
  await page.mouse.up();
  // A pixel off lands one 0.05 step away: nudge with the keyboard (same slider, same commit-on-release path).
  for (let i = 0; i < 4 && (await params(page)).epsilon !== 0.5; i++) {
    await slider.press(Number((await params(page)).epsilon) < 0.5 ? 'ArrowRight' : 'ArrowLeft');
  }
  expect((await params(page)).epsilon).toBe(0.5);
  await expect(page.getByTestId('toy-root')).toHaveAttribute('data-status', 'idle', { timeout: 60_000 });
  await waitIdle(page);
  const at05 = await metrics(page);
  expect(at05.steps).toBe(at0.steps);
  expect(at05.acceptedArea).toBeLessThan(at0.acceptedArea);
  for (const m of [at0, at05]) {
    expect(m.AUROC).toBeGreaterThan(0.5);
    expect(m.AUROC).toBeLessThanOrEqual(1);
    expect(m.FPR95TPR).toBeGreaterThanOrEqual(0);
    expect(m.accuracy).toBeGreaterThan(0.9);
  }
  // The left pane is the same run at ε = 0.
  const base = await page.evaluate(() => (window as unknown as ToyWindow).aoe.toy.baselineMetrics()!);
  expect(base.acceptedArea).toBe(at0.acceptedArea);
  await expect(page.getByTestId('toy-pane-main-numbers')).toContainText(
    `${(100 * at05.acceptedArea).toFixed(1)}%`,
  );
  // Hover read-out: energy, accept/reject, predicted class and p(y|x) under the cursor.
  const canvas = page.getByTestId('toy-pane-main').locator('canvas');
  const cb = (await canvas.boundingBox())!;
  await page.mouse.move(cb.x + cb.width / 2, cb.y + cb.height / 2);
  await expect(page.getByTestId('toy-pane-main').locator('.toy-hover')).toContainText(
    /E = -?\d+\.\d\d .*p\(y\|x\) = \[/,
  );
  await page.getByTestId('panel-toy').screenshot({ path: 'test-results/toy-eps05.png' });
  await page.getByTestId('toy-pane-main').screenshot({ path: 'test-results/toy-pane-eps05.png' });

  // URL state: the link carries seed and ε and reproduces the same numbers in a fresh page.
  const url = new URL(page.url());
  expect(url.searchParams.get('epsilon')).toBe('0.5');
  expect(url.searchParams.get('seed')).toBe(String(SEED));
  expect(url.searchParams.get('tv')).toBe('2');
  const again = await browser.newPage();
  await again.goto(url.pathname + url.search);
  await waitIdle(again);
  expect(await params(again)).toEqual(await params(page));
  expect(await metrics(again)).toEqual(at05);
  await again.close();
  expect(errors).toEqual([]);
});

test('a malformed CSV names the bad line and changes nothing; the test API trains and resets', async ({
  page,
}) => {
  await page.goto(`/?seed=${SEED}&steps=50`);
  await waitIdle(page);
  const before = await params(page);
  await page.getByTestId('toy-csv-input').setInputFiles({
    name: 'bad.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('x,y,label\n0.5,1,0\n1.5,oops,1\n'),
  });
  await expect(page.getByTestId('toy-notice')).toContainText('line 3');
  expect(await params(page)).toEqual(before);

  const steps = await page.evaluate(async () => {
    const t = (window as unknown as ToyWindow).aoe.toy;
    await t.setParams({
      dataset: 'moons',
      noise: 0.2,
      method: 'AOE-PGD',
      epsilon: 0.3,
      lambda: 0.5,
      sigma2: 9,
      steps: 300, // the cosine schedule anneals over `steps`
    });
    await t.reset();
    const a = t.metrics()!.steps;
    await t.trainSteps(300);
    return [a, t.metrics()!.steps];
  });
  expect(steps).toEqual([0, 300]);
  await expect(page.getByTestId('toy-pane-main')).toBeVisible();
  await page.getByTestId('panel-toy').screenshot({ path: 'test-results/toy-moons.png' });

  // ε sweep (tiny: 40 steps per run): progress, then three charts; a second sweep can be cancelled.
  await page.evaluate(() =>
    (window as unknown as ToyWindow).aoe.toy.setParams({ dataset: 'blobs', steps: 40 }),
  );
  await page.getByTestId('toy-sweep-run').click();
  await expect(page.getByTestId('toy-sweep-charts')).toBeVisible();
  await expect(page.getByTestId('toy-sweep-run')).toBeEnabled({ timeout: 90_000 });
  await expect(page.getByTestId('toy-sweep-charts').locator('.recharts-line')).toHaveCount(6);
  await page.locator('.toy-sweep').screenshot({ path: 'test-results/toy-sweep.png' });
  await page.getByTestId('toy-sweep-run').click();
  await page.getByTestId('toy-sweep-cancel').click();
  await expect(page.getByText(/cancelled after \d+ runs/)).toBeVisible();
});
