import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineAnnealingSchedule, warmupCosineSchedule } from './schedules';

describe('cosineAnnealingSchedule (AOE as coded: lr0 5e-4, T_tot 3910, floor 1e-6)', () => {
  const lr = cosineAnnealingSchedule(5e-4, 3910);
  it('matches hand-computed values', () => {
    expect(lr(0)).toBeCloseTo(5e-4, 15); // cos 0 = 1
    expect(lr(1955)).toBeCloseTo(1e-6 + 4.99e-4 / 2, 15); // half-way: cos(π/2) = 0 → 2.505e-4
    expect(lr(1955)).toBeCloseTo(2.505e-4, 15);
    expect(lr(3910)).toBeCloseTo(1e-6, 15); // cos π = −1
    // quarter: ½(1 + cos(π/4)) = ½(1 + √2/2) = 0.8535533905932737
    expect(lr(977.5)).toBeCloseTo(1e-6 + 4.99e-4 * 0.8535533905932737, 15);
    // the last step actually run (t = 3899): ½(1 + cos(π·3899/3910)) = ½(1 − cos(11π/3910))
    const last = 1e-6 + 4.99e-4 * 0.5 * (1 - Math.cos((11 * Math.PI) / 3910));
    expect(lr(3899)).toBeCloseTo(last, 18);
    expect(lr(3899)).toBeGreaterThan(1e-6);
  });
  it('is monotone non-increasing on [0, T_tot]', () => {
    for (let t = 1; t <= 3910; t++) expect(lr(t)).toBeLessThanOrEqual(lr(t - 1));
  });
  it('rejects bad arguments', () => {
    expect(() => cosineAnnealingSchedule(0, 10)).toThrow(/lr0/);
    expect(() => cosineAnnealingSchedule(1e-3, 0)).toThrow(/totalSteps/);
    expect(() => cosineAnnealingSchedule(1e-3, 10, 1)).toThrow(/lrMin/);
  });
});

describe('constant and warm-up cosine', () => {
  it('constant', () => {
    const lr = constantSchedule(0.1);
    expect([lr(0), lr(5), lr(1e6)]).toEqual([0.1, 0.1, 0.1]);
    expect(() => constantSchedule(NaN)).toThrow(/lr0/);
  });
  it('warm-up 4 steps then cosine to 0 over 8 more, by hand', () => {
    const lr = warmupCosineSchedule(0.1, 12, 4);
    [0.025, 0.05, 0.075, 0.1].forEach((v, t) => expect(lr(t)).toBeCloseTo(v, 15));
    expect(lr(4)).toBeCloseTo(0.1, 15); // progress 0
    expect(lr(8)).toBeCloseTo(0.05, 15); // progress ½ → cos(π/2) = 0
    expect(lr(6)).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 15); // progress ¼
    expect(lr(12)).toBeCloseTo(0, 15);
    expect(lr(20)).toBeCloseTo(0, 15); // held after T
    expect(warmupCosineSchedule(0.1, 12, 0, 0.01)(0)).toBeCloseTo(0.1, 15);
    expect(() => warmupCosineSchedule(0.1, 12, 12)).toThrow(/warmupSteps/);
  });
});
