/**
 * ONE table of the two named training settings (OOD_SPEC §5 and §8) and what each means to the trainer, the
 * evaluation and the UI. `'consistent'` is this app's default (DESIGN.md "Pixels": every input normalised with
 * the model's statistics, ε in [0,1] pixel units). `'authors'` reproduces the authors' code as it runs
 * (2mey10/Adversarial-OE): ID images normalised with their *training* statistics and augmented; outliers fed
 * raw in [0,1] (no normalisation, no augmentation), so ε acts in network-input units; one shared noise
 * pattern per batch for OE + noise; the OE loss averaged over the whole 2B batch; evaluation with the pretrained
 * statistics; noise OOD sets of 500. Both attack a train-mode model (dropout active, BatchNorm on the
 * outlier-only batch, its statistics discarded) — that is `perturbOutliers` in either setting.
 * The PyTorch twin of this table is `SETTINGS` in reference/run_experiment_lib.py.
 */
import type { OeReduction } from '../core/losses';
import { AOE_TRAIN_CIFAR10_NORM } from '../data/augment';
import type { OutlierSetting } from './config';
import { METHOD_TABLE, type Method, type NoiseMode } from './methods';

/** Per-channel statistics in [0,1] pixel units: input = (pixel − mean)/std. */
export interface ChannelNorm {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface SettingInfo {
  label: string;
  /** One line for help texts and result labels. */
  help: string;
  /**
   * Statistics the ID training images are normalised with: `'model'` = the model's own (pretrained)
   * statistics, or fixed ones (the authors' CIFAR-10 training statistics, std 0.2023/0.1994/0.2010).
   */
  idTrainNorm: 'model' | ChannelNorm;
  /** Outliers normalised like the ID images (true) or fed raw in [0,1] (false: the authors' code). */
  normalizeOutliers: boolean;
  /** Units ε is applied in: [0,1] pixels before normalisation, or network-input units. */
  epsilonUnits: 'pixel' | 'input';
  /** Config keys this setting fixes (applied by {@link withSetting}; the trainer runs the result). */
  fixed: Partial<{ noiseMode: NoiseMode; oeReduction: OeReduction; clamp: boolean }>;
  /**
   * Distinct training outliers used (the first n of the loaded ones, cycled in order each epoch); null = all.
   * The authors' code keeps 9,984 of its GAN file (`random_split`), tiled to the epoch, unshuffled.
   */
  outlierCount: number | null;
  /** Size of each generated noise OOD test set (Gaussian, uniform). */
  noiseOodCount: number;
  /** Evaluation normalises every test input with the model's pretrained statistics (both settings). */
  evalNorm: 'model';
}

export const SETTING_TABLE: Readonly<Record<OutlierSetting, SettingInfo>> = {
  consistent: {
    label: 'consistent',
    help: 'outliers normalised like ID data; ε in [0,1] pixel units; i.i.d. noise (variance ε); separate OE means',
    idTrainNorm: 'model',
    normalizeOutliers: true,
    epsilonUnits: 'pixel',
    fixed: {},
    outlierCount: null,
    noiseOodCount: 1000,
    evalNorm: 'model',
  },
  authors: {
    label: 'authors’ code',
    help:
      'ID normalised with training stats; raw [0,1] outliers (9,984, unshuffled); ε in network-input units; ' +
      'one shared ε·N(0, I) noise pattern per batch; OE loss over the whole 2B batch',
    idTrainNorm: { mean: AOE_TRAIN_CIFAR10_NORM.mean, std: AOE_TRAIN_CIFAR10_NORM.std },
    normalizeOutliers: false,
    epsilonUnits: 'input',
    fixed: { noiseMode: 'code', oeReduction: 'whole-batch', clamp: false },
    outlierCount: 9984,
    noiseOodCount: 500,
    evalNorm: 'model',
  },
};

/** The setting of a config, defaulting to 'consistent' for configs saved before settings existed. */
export function settingOf(config: { setting?: OutlierSetting }): SettingInfo {
  const s = SETTING_TABLE[config.setting ?? 'consistent'];
  if (!s) throw new Error(`Unknown setting "${String(config.setting)}".`);
  return s;
}

/** A config switched to `setting`, with the keys that setting fixes (noise mode, OE reduction, clamp). */
export function withSetting<C extends { setting?: OutlierSetting }>(config: C, setting: OutlierSetting): C {
  return { ...config, setting, ...SETTING_TABLE[setting].fixed };
}

/** What the trainer feeds the network under a setting. */
export interface TrainingPipeline {
  /** Normalisation of the ID training batches. */
  idNorm: ChannelNorm;
  /** Outliers (pixels in [0,1]) → network input, inside the attack and before the forward pass. */
  outlierNorm: ChannelNorm | null;
  /** Outliers actually cycled through, given how many are loaded. */
  outliersUsed: (loaded: number) => number;
}

/**
 * The trainer's view of a setting. @param modelNorm the model's (pretrained) statistics, also the evaluation's.
 */
export function trainingPipeline(
  config: { setting?: OutlierSetting },
  modelNorm: ChannelNorm,
): TrainingPipeline {
  const s = settingOf(config);
  const idNorm = s.idTrainNorm === 'model' ? modelNorm : s.idTrainNorm;
  return {
    idNorm,
    outlierNorm: s.normalizeOutliers ? idNorm : null,
    outliersUsed: (loaded) => (s.outlierCount === null ? loaded : Math.min(loaded, s.outlierCount)),
  };
}

/** ε of a config expressed in both units (per channel), for every place the UI shows ε. */
export interface EpsilonBothUnits {
  /** What the number is: a signed-step size (AOE), an L∞ radius (AOE-PGD), a noise std (OE + noise), or unused. */
  quantity: 'step' | 'radius' | 'noise std' | 'none';
  /** The units the config's ε is given in under this setting. */
  native: 'pixel' | 'input';
  /** The quantity in [0,1] pixel units of a normalised input, per channel (R, G, B). */
  pixel: [number, number, number];
  /** The quantity in network-input units (after normalisation), per channel. */
  input: [number, number, number];
  /** One line, e.g. "ε = 0.5 input units ≈ 0.10 px" (channel means). */
  text: string;
}

/**
 * ε in pixel and network-input units. Pixel = input × std_c of the normalisation the ID training images get
 * (consistent: the model's statistics; authors: their training statistics std 0.2023/0.1994/0.2010, so the
 * authors' ε = 0.5 ≈ 0.10 px). For OE + noise the quantity is the noise std: √ε in the paper's Eq. 10 mode
 * (ε is a variance), ε in the authors' shared-pattern mode.
 * @param modelNorm the model's pretrained statistics (used by the consistent setting).
 */
export function epsilonInBothUnits(
  c: { epsilon: number; method?: Method; noiseMode?: NoiseMode; setting?: OutlierSetting },
  modelNorm: ChannelNorm,
): EpsilonBothUnits {
  const s = settingOf(c);
  const norm = s.idTrainNorm === 'model' ? modelNorm : s.idTrainNorm;
  const role = c.method ? METHOD_TABLE[c.method].epsilonRole : 'step';
  const noiseMode = s.fixed.noiseMode ?? c.noiseMode ?? 'paper';
  const amount = role === 'noise' && noiseMode === 'paper' ? Math.sqrt(c.epsilon) : c.epsilon;
  const quantity = role === 'noise' ? 'noise std' : role;
  const per = (f: (sd: number) => number) => norm.std.map(f) as [number, number, number];
  const pixel = s.epsilonUnits === 'pixel' ? per(() => amount) : per((sd) => amount * sd);
  const input = s.epsilonUnits === 'input' ? per(() => amount) : per((sd) => amount / sd);
  const mean = (v: readonly number[]) => (v[0] + v[1] + v[2]) / 3;
  const name = quantity === 'noise std' ? 'noise std' : 'ε';
  const text =
    s.epsilonUnits === 'pixel'
      ? `${name} = ${fmt(mean(pixel))} px ≈ ${fmt(mean(input))} input units`
      : `${name} = ${fmt(mean(input))} input units ≈ ${fmt(mean(pixel))} px`;
  return { quantity, native: s.epsilonUnits, pixel, input, text };
}

function fmt(v: number): string {
  return v === 0 ? '0' : Math.abs(v) >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}
