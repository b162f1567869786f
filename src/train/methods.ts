/**
 * ONE table of training methods, shared by the 2-D toy and the WideResNet: what each method does to the
 * training outliers, what ε means for it, and which config keys it reads (so the experiment runner knows which
 * cells are identical and trains them once). Tensor-free, so the UI can import it; the perturbations themselves
 * are `perturbWithMethod` in ./perturb.ts.
 */

export const METHODS = ['CE', 'OE', 'OE+noise', 'AOE', 'AOE-PGD'] as const;
export type Method = (typeof METHODS)[number];

/**
 * Gaussian-noise baseline (OE+noise) variant.
 * - `'paper'`: i.i.d. δ ~ N(0, ε·I) per element and image (paper Eq. 10: ε is the *variance*, std √ε).
 * - `'code'`: one N(0, 1) pattern per batch, shared by all outliers, scaled by ε (the authors' EPS_GAUSS).
 */
export type NoiseMode = 'paper' | 'code';

/** What ε is for a method: a signed-step size, a noise variance/std, an L∞ radius, or unused. */
export type EpsilonRole = 'none' | 'step' | 'noise' | 'radius';

export interface MethodInfo {
  label: string;
  /** One line for help texts. */
  help: string;
  /** Trains on outliers at all (false only for CE). */
  usesOutliers: boolean;
  epsilonRole: EpsilonRole;
  /** Config keys that change what this method computes besides ε/λ (others are ignored for cell identity). */
  reads: readonly string[];
}

export const METHOD_TABLE: Readonly<Record<Method, MethodInfo>> = {
  CE: {
    label: 'CE',
    help: 'plain cross-entropy on ID data (no outliers)',
    usesOutliers: false,
    epsilonRole: 'none',
    reads: [],
  },
  OE: {
    label: 'OE',
    help: 'outlier exposure: uniform posterior on the training outliers',
    usesOutliers: true,
    epsilonRole: 'none',
    reads: [],
  },
  'OE+noise': {
    label: 'OE + noise',
    help: 'OE on outliers plus Gaussian noise (paper Eq. 10, ε = variance; authors\u2019 code: ε = std, shared)',
    usesOutliers: true,
    epsilonRole: 'noise',
    reads: ['noiseMode', 'clamp'],
  },
  AOE: {
    label: 'AOE',
    help: 'OE on outliers moved one signed step down the energy gradient: x − ε·sign(∇ₓE)',
    usesOutliers: true,
    epsilonRole: 'step',
    reads: ['clamp'],
  },
  'AOE-PGD': {
    label: 'AOE-PGD',
    help: 'OE on outliers after k projected steps down the energy inside the L∞ ball of radius ε',
    usesOutliers: true,
    epsilonRole: 'radius',
    reads: ['pgdSteps', 'pgdAlpha', 'clamp'],
  },
};

/** Whether the method trains on outliers at all. */
export function usesOutliers(method: Method): boolean {
  return METHOD_TABLE[method].usesOutliers;
}

/**
 * The config a method actually trains with: every method at ε = 0 is plain OE (x̂ = x), OE and CE ignore ε, CE
 * ignores λ. The result is a valid config of the same type.
 */
export function canonicalMethodConfig<C extends { method: string; epsilon: number; lambda?: number }>(
  config: C,
): C {
  let method = config.method as Method;
  if (!METHODS.includes(method)) throw new Error(`Unknown method "${String(method)}".`);
  if (METHOD_TABLE[method].epsilonRole !== 'none' && config.epsilon === 0) method = 'OE';
  const info = METHOD_TABLE[method];
  const out = { ...config, method };
  if (info.epsilonRole === 'none') out.epsilon = 0;
  if (!info.usesOutliers && out.lambda !== undefined) out.lambda = 0;
  return out;
}

/**
 * What identifies a training: the canonical config with every key the method does not read set to null, so
 * that identical trainings compare equal (OE at any ε or noise mode, CE at any outlier setting).
 * @param outlierKeys config keys that only matter when the method uses outliers (σ², #outliers, batch sizes…).
 */
export function trainingIdentity(
  config: Record<string, unknown> & { method: string; epsilon: number },
  outlierKeys: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = canonicalMethodConfig(config);
  const info = METHOD_TABLE[out.method as Method];
  for (const k of ['noiseMode', 'pgdSteps', 'pgdAlpha', 'clamp']) {
    if (k in out && !info.reads.includes(k)) out[k] = null;
  }
  if (!info.usesOutliers) for (const k of outlierKeys) if (k in out) out[k] = null;
  return out;
}
