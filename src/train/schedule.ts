/**
 * Learning rate at optimizer step t (0-based: the rate used for the (t+1)-th update).
 * Linear warm-up from lr/warmup to lr over `warmup` steps, then cosine annealing
 * lr_t = lrMin + (lr − lrMin)·½(1 + cos(π·t′/T′)) with t′ = t − warmup, T′ = total − warmup —
 * with warmup 0 this is exactly the AOE code's per-step LambdaLR (OOD_SPEC §5), T = epochs·stepsPerEpoch.
 * Past `total` the rate stays at lrMin.
 */
export function learningRate(t: number, total: number, lr: number, lrMin: number, warmup = 0): number {
  if (warmup > 0 && t < warmup) return (lr * (t + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, Math.max(0, (t - warmup) / span));
  return lrMin + (lr - lrMin) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
