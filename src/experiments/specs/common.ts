/**
 * Shared pieces of the specs: what they run — the WRN and toy base configs, their scales and notes, shared grids.
 * What they measure and show is in ./figures.
 */
import { DEFAULT_CONFIG } from '../../train/config';
import { defaultToyParams } from '../../train/toy/params';
import type { RunConfig, Scalar, ScaleSpec, ScaleName } from '../types';

/** The paper's fine-tuning recipe on the pretrained WRN-16-2 (the model the app ships), as a plain config. */
export const WRN_BASE: RunConfig = { ...DEFAULT_CONFIG, backend: 'auto' } as unknown as RunConfig;

/** WRN_BASE at the paper's ε = 0.5: the base of every WRN figure that does not sweep ε from 0. */
export const WRN_BASE_AT_PAPER_EPS: RunConfig = { ...WRN_BASE, epsilon: 0.5 };

/**
 * WRN scales. `smoke`: every code path on a few dozen images (tests, seconds per cell). `quick`: a CPU laptop in
 * minutes per cell (2,000 ID images, 1 epoch of 32 + 32, 1,000 test images per set). `paper`: the paper's recipe
 * (all 50,000 images, 10 epochs of 128 + 128, 10,000 outliers, full test sets) — a real GPU or torchrun.
 */
export const WRN_SCALES: Record<ScaleName, ScaleSpec> = {
  smoke: {
    overrides: {
      subsetSize: 64,
      epochs: 1,
      idBatchSize: 16,
      outlierBatchSize: 16,
      outlierCount: 64,
      evalLimit: 64,
      fitLimit: 128,
    },
    note: '64 ID images, 4 steps of 16 + 16, 64 test images per set: checks the pipeline, not the method',
  },
  quick: {
    overrides: {
      subsetSize: 2000,
      epochs: 1,
      idBatchSize: 32,
      outlierBatchSize: 32,
      outlierCount: 2000,
      evalLimit: 1000,
      fitLimit: 2000,
    },
    note: '2,000 ID images, 62 steps of 32 + 32, 1,000 test images per set',
  },
  paper: {
    overrides: {
      subsetSize: 0,
      epochs: 10,
      idBatchSize: 128,
      outlierBatchSize: 128,
      outlierCount: 10000,
      evalLimit: 0,
      fitLimit: 0,
    },
    note: "the paper's recipe: 50,000 ID images, 10 epochs of 128 + 128, 10,000 outliers, full test sets",
  },
};

/** The toy's defaults (the landscape panel's), as a plain config. */
export const TOY_BASE: RunConfig = { ...defaultToyParams() } as unknown as RunConfig;

/** Toy scales: `smoke` trains 100 steps; `quick` and `paper` the panel's 2,000-step retrain. */
export const TOY_SCALES: Partial<Record<ScaleName, ScaleSpec>> = {
  smoke: { overrides: { steps: 100 }, note: '100 steps per retrain' },
  quick: { overrides: {}, note: "the landscape panel's 2,000-step retrain" },
};

/** ε values of the paper's sweeps (Fig. 4/5/8): 0 (= OE) to 1 in pixel units. */
export const EPSILONS = [0, 0.1, 0.25, 0.5, 0.75, 1];

/**
 * WRN scales with a spec's own additions (e.g. more epochs for Fig. 10) and the quick note measured for that
 * spec's cells. Keys in `extra` must be base config keys.
 */
export function wrnScales(
  extra: Partial<Record<ScaleName, RunConfig>>,
  quickScaleNote: string,
): Record<ScaleName, ScaleSpec> {
  const out = {} as Record<ScaleName, ScaleSpec>;
  for (const name of Object.keys(WRN_SCALES) as ScaleName[]) {
    const s = WRN_SCALES[name];
    out[name] = {
      overrides: { ...s.overrides, ...(extra[name] ?? {}) },
      note: name === 'quick' ? quickScaleNote : s.note,
    };
  }
  return out;
}

/** Test-time attack budgets ‖δ‖∞ of Fig. 6 (pixel units, 0 = clean). */
export const ATTACK_BUDGETS = [0, 0.05, 0.1, 0.25, 0.5, 0.75, 1];

/**
 * The quick-scale note of a WRN figure on the standard quick recipe: the recipe, what is particular to the spec
 * (its number of cells, …), and where the measured time per cell is.
 */
export function quickNote(particulars: string): string {
  return `${WRN_SCALES.quick.note}; ${particulars}; time per cell: README “Quick-scale cost”`;
}

/** OE against AOE, seed 1: the grid of the figures that compare the two at one ε. */
export const OE_VS_AOE: Readonly<Record<string, readonly Scalar[]>> = { method: ['OE', 'AOE'], seed: [1] };
