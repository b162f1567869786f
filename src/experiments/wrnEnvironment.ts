/**
 * The one {@link WrnEnvironment} the worker and `npm run exp` share: data from a loader (the worker's Data-panel
 * sets; public/data in Node), training outliers generated per cell (PPCA of the ID training pixels at the cell's
 * σ², count and seed — the same bytes on every surface), and a fresh copy of a start model (the pretrained
 * WRN-16-2) for every cell, so all cells of a grid start from identical weights. DOM-free.
 */
import type { ImageSet } from '../data/imageSet';
import type { WideResNet } from '../models/wrn';
import { wrnFromState } from '../models/io';
import { WRN_PRESETS } from '../models/wrnSpec';
import type { ExperimentConfig } from '../train/config';
import { ppcaOutliers } from '../train/trainingSets';
import type { TrainingData } from '../train/types';
import type { WrnEnvironment } from './executors/wrnCell';

export interface WrnEnvironmentSources {
  /** ID train/test, OOD test sets, normalisation (its `outliers` is ignored). */
  data(signal: AbortSignal): Promise<TrainingData>;
  /** The start model every cell copies (not disposed by the environment; the caller owns it). */
  template(): Promise<WideResNet>;
  /** How many generated outlier sets to keep (each 10,000 × 3,072 bytes at the paper's count). Default 2. */
  keepOutlierSets?: number;
}

/** The preset name ('WRN-16-2', …) of a WRN config, or `WRN-d-k` when it is not a preset. */
export function presetName(c: { depth: number; widenFactor: number }): string {
  const hit = Object.entries(WRN_PRESETS).find(
    ([, p]) => p.depth === c.depth && p.widenFactor === c.widenFactor,
  );
  return hit ? hit[0] : `WRN-${c.depth}-${c.widenFactor}`;
}

/** A fresh model holding a copy of `template`'s weights and BN statistics, with `dropRate`. Caller disposes. */
export function copyModel(template: WideResNet, dropRate: number): WideResNet {
  return wrnFromState({ ...template.config, dropRate }, template.getState());
}

/** Build the environment. Outlier sets are memoised by (train set, σ², count, seed), most recent first. */
export function createWrnEnvironment(src: WrnEnvironmentSources): WrnEnvironment {
  const keep = src.keepOutlierSets ?? 2;
  const memo: { train: ImageSet; key: string; set: ImageSet }[] = [];
  return {
    data: (signal) => src.data(signal),
    async outliers(config: ExperimentConfig, signal: AbortSignal): Promise<ImageSet> {
      const { train } = await src.data(signal);
      const key = `${config.sigma2}|${config.outlierCount}|${config.seed}`;
      const hit = memo.findIndex((m) => m.train === train && m.key === key);
      if (hit >= 0) {
        const [m] = memo.splice(hit, 1);
        memo.unshift(m);
        return m.set;
      }
      signal.throwIfAborted();
      const set = ppcaOutliers(train, config.outlierCount, config.sigma2, config.seed);
      set.name = `PPCA outliers σ²=${config.sigma2}`;
      memo.unshift({ train, key, set });
      memo.splice(keep);
      return set;
    },
    async startModel(config: ExperimentConfig): Promise<WideResNet> {
      const template = await src.template();
      const preset = presetName(template.config);
      if (preset !== config.model) {
        throw new Error(
          `The start model is ${preset}, but the cell asks for ${config.model}: load a ${config.model} or run the spec with model ${preset}.`,
        );
      }
      return copyModel(template, config.dropRate);
    },
  };
}
