/**
 * Learning-rate schedules as pure functions of the step count. A schedule maps t = optimizer steps already taken
 * (0 for the first step) to the learning rate used for the next step. Stateless, so training can resume anywhere.
 */

/** Learning rate as a function of steps taken t ≥ 0. */
export type LrSchedule = (t: number) => number;

function checkPositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} must be a positive finite number, got ${v}`);
}

/** Constant learning rate lr0 for every step. */
export function constantSchedule(lr0: number): LrSchedule {
  checkPositive('lr0', lr0);
  return () => lr0;
}

/**
 * The AOE fine-tuning schedule as coded (OOD_SPEC §5; Hendrycks' OE `cosine_annealing` inside a `LambdaLR`
 * stepped after every optimizer step):
 *   lr_t = lrMin + (lr0 − lrMin) · ½ · (1 + cos(π · t / totalSteps)),  lrMin = 1e-6.
 * t = steps taken so far; lr_0 = lr0 and lr_{totalSteps} = lrMin. The paper's run uses lr0 = 5e-4 and
 * totalSteps = 10 epochs × 391 batches = 3910 although only 3900 steps run (the short last outlier batch breaks
 * the loop), so the final lr is slightly above lrMin. Beyond totalSteps the cosine rises again, as in the original;
 * we follow it rather than clamp, so the function equals the reference for every t.
 * @param lr0 initial learning rate (> 0). @param totalSteps T_tot (> 0). @param lrMin floor (default 1e-6).
 */
export function cosineAnnealingSchedule(lr0: number, totalSteps: number, lrMin = 1e-6): LrSchedule {
  checkPositive('lr0', lr0);
  checkPositive('totalSteps', totalSteps);
  if (!(lrMin >= 0 && lrMin <= lr0)) throw new Error(`lrMin must lie in [0, lr0], got ${lrMin}`);
  return (t) => lrMin + (lr0 - lrMin) * 0.5 * (1 + Math.cos((Math.PI * t) / totalSteps));
}

/**
 * Linear warm-up followed by cosine decay, for pre-training (not part of the AOE recipe):
 *   t < warmupSteps:  lr_t = lr0 · (t + 1) / warmupSteps      (reaches lr0 on the last warm-up step)
 *   otherwise:        lr_t = lrMin + (lr0 − lrMin) · ½ · (1 + cos(π · min(1, (t − W) / (T − W))))
 * with W = warmupSteps, T = totalSteps; held at lrMin after T.
 * @param warmupSteps W ≥ 0 (0 = plain cosine from lr0); must be < totalSteps.
 */
export function warmupCosineSchedule(
  lr0: number,
  totalSteps: number,
  warmupSteps: number,
  lrMin = 0,
): LrSchedule {
  checkPositive('lr0', lr0);
  checkPositive('totalSteps', totalSteps);
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0 && warmupSteps < totalSteps)) {
    throw new Error(`warmupSteps must be an integer in [0, totalSteps), got ${warmupSteps}`);
  }
  if (!(lrMin >= 0 && lrMin <= lr0)) throw new Error(`lrMin must lie in [0, lr0], got ${lrMin}`);
  return (t) => {
    if (t < warmupSteps) return (lr0 * (t + 1)) / warmupSteps;
    const progress = Math.min(1, (t - warmupSteps) / (totalSteps - warmupSteps));
    return lrMin + (lr0 - lrMin) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}
