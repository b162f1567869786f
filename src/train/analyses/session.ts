/**
 * Analyses of the current model (no training) as a session object the worker adapts and Node tests reach: the
 * detector table (progressive, cached per model version, data and sizes), ROC curves and energies from the last
 * table's scores, the AOE-step energies and gallery of the training outliers, and the test-time attack. It reads
 * the model and data through `AnalysesSource` (the training worker's session), so results carry the model
 * version and the UI refreshes when the model changes. `cancel()` aborts every running call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from '../../models/wasmKernels';
import type { WideResNet } from '../../models/wrn';
import { evaluateAttack, type AttackKind } from '../attackEval';
import { evaluateDetectors, DETECTOR_KEYS, type DetectorKey } from '../detectorEval';
import { progressiveDetectorTable, type ProgressiveTable } from '../detectorProgressive';
import { normalizer } from '../batches';
import type { ModelInfo } from '../modelSession';
import { ppcaOutliers } from '../trainingSets';
import type { ImageSet, TrainingData } from '../types';
import { summariseDetectors, type DetectorSummary } from './summary';
import { plotRoc, type PlotRoc } from './roc';
import { firstImages, outlierGallery, perturbedEnergies, type GalleryTile } from './outlierEnergy';
import { orderFarToNear } from './oodGroups';

/** The model the analyses run on, as the training worker holds it. */
export interface CurrentModel {
  model: WideResNet;
  info: ModelInfo;
  /** Bumped whenever the weights change. */
  version: number;
  /** Training method of a run just finished, or null (pretrained / imported / scratch). */
  method: string | null;
}

/** Where the analyses get the model and data from (the training worker's session in the app). */
export interface AnalysesSource {
  model(): CurrentModel | null;
  /** The Data panel's sets normalised as the model expects, or null while no ID split is loaded. */
  data(): TrainingData | null;
  /** True while a training run holds the model. */
  trainingRunning(): boolean;
}

/** Which model a result belongs to. */
export interface AnalysedModel {
  version: number;
  /** "WRN-16-2 · pretrained (CIFAR-10 …)" */
  label: string;
  /** Training method of a run just finished here, or null (pretrained / imported / scratch). */
  method: string | null;
}

export type Progress = (fraction: number, message: string) => void;

export interface DetectorTableResult {
  model: AnalysedModel;
  accuracy: number;
  testCount: number;
  limit: number;
  fitLimit: number;
  /** Images behind this table per set ('ID' = the test set) and in the full table; final = every set complete. */
  counts: Record<string, number>;
  fullCounts: Record<string, number>;
  final: boolean;
  /** 1-based table index of the progressive sequence and its length. */
  stage: number;
  stages: number;
  /** OOD sets far → near. */
  oodSets: string[];
  summaries: DetectorSummary[];
}

export interface EnergiesResult {
  model: AnalysedModel;
  /** Energies E = −logsumexp (the EBO score) of the ID test images and each OOD set (far → near). */
  id: Float32Array;
  ood: { name: string; energies: Float32Array }[];
  /** Clean training outliers' energies and where the outliers come from. */
  outliers: Float32Array;
  outlierSource: string;
}

export interface AttackResult {
  model: AnalysedModel;
  kind: AttackKind;
  detector: string;
  budgets: number[];
  limit: number;
  /** perSet[set] = AUROC and FPR95 per budget, far → near; 'mean' over all sets last. */
  curves: { set: string; auroc: number[]; fpr95: number[] }[];
}

/** Images per set of the tables before the full one (Analyses panel default). */
export const DEFAULT_TABLE_STAGES = [250, 1000, 4000];

type TableScores = { version: number; limit: number; bySet: Record<string, Record<string, Float32Array>> };

export class AnalysesSession {
  private readonly running = new Set<AbortController>();
  /** Scores of the latest table (for ROC curves and energies). */
  private scores: TableScores | null = null;
  /** The last finished table with what it was computed from (model version, data object, sizes). */
  private finished: {
    key: string;
    data: TrainingData;
    result: DetectorTableResult;
    scores: TableScores | null;
  } | null = null;
  /** PPCA outliers generated when none are loaded, for the train split they were made from. */
  private generated: { train: ImageSet; set: ImageSet } | null = null;
  /** How many training outliers the last `energies` call used (the ε slider perturbs the same ones). */
  private outlierCount = 256;

  constructor(private readonly source: AnalysesSource) {}

  /**
   * All nine detectors (or a subset) on `limit` images per set (0 = all), progressively: a complete table from a
   * stratified subset of `stages[0]` images per set first, refined at each further stage size to the full sets;
   * `onTable` gets every table (the final one too, which is also the return value). Keeps the latest table's
   * scores for ROC and histograms. The same model, data and sizes again return the finished table at once.
   */
  detectorTable(
    o: { limit: number; fitLimit: number; detectors?: DetectorKey[]; stages?: number[] },
    onProgress: Progress,
    onTable?: (t: DetectorTableResult) => void,
  ): Promise<DetectorTableResult> {
    return this.cancellable(async (signal) => {
      const { data, model } = this.need();
      const detectors = o.detectors ?? DETECTOR_KEYS;
      const stages = o.stages ?? DEFAULT_TABLE_STAGES;
      const key = JSON.stringify([model.version, o.limit, o.fitLimit, detectors, stages]);
      const done = this.finished;
      if (done && done.key === key && done.data === data) {
        this.scores = done.scores;
        onTable?.(done.result);
        return done.result;
      }
      const oodSets = orderFarToNear(Object.keys(data.oodTests));
      const resultOf = (t: ProgressiveTable): DetectorTableResult => ({
        model: describeModel(model),
        accuracy: t.accuracy,
        testCount: t.testCount,
        limit: o.limit,
        fitLimit: o.fitLimit,
        counts: t.counts,
        fullCounts: t.fullCounts,
        final: t.final,
        stage: t.stage,
        stages: t.stages,
        oodSets,
        summaries: summariseDetectors(t.metrics),
      });
      let result: DetectorTableResult | null = null;
      await progressiveDetectorTable(model.model, data, {
        detectors,
        oodSets: 'all',
        limit: o.limit,
        fitLimit: o.fitLimit,
        stages,
        signal,
        keepScores: true,
        onProgress,
        onTable: (t) => {
          this.scores = { version: model.version, limit: o.limit, bySet: t.scores! };
          result = resultOf(t);
          onTable?.(result);
        },
      });
      this.finished = { key, data, result: result!, scores: this.scores };
      return result!;
    });
  }

  /** ROC curves per OOD set of a detector from the last detector table's scores (thinned for drawing). */
  async roc(detector: DetectorKey): Promise<{ model: AnalysedModel; curves: ({ set: string } & PlotRoc)[] }> {
    const { model } = this.need();
    const scores = this.scores;
    if (!scores || scores.version !== model.version || !scores.bySet[detector])
      throw new Error(`Run the detector table for ${detector} on this model first.`);
    const bySet = scores.bySet[detector];
    const sets = orderFarToNear(Object.keys(bySet).filter((s) => s !== 'ID'));
    return {
      model: describeModel(model),
      curves: sets.map((set) => ({ set, ...plotRoc(bySet.ID, bySet[set]) })),
    };
  }

  /** Energies of ID, OOD sets (the last table's EBO scores when it is of this model) and the first outliers. */
  energies(o: { limit: number; outlierCount: number }, onProgress: Progress): Promise<EnergiesResult> {
    return this.cancellable(async (signal) => {
      const { data, model } = this.need();
      let bySet = this.scores?.version === model.version ? this.scores.bySet.EBO : undefined;
      if (!bySet) {
        const ev = await evaluateDetectors(model.model, data, {
          detectors: ['EBO'],
          oodSets: 'all',
          limit: o.limit,
          fitLimit: 0,
          signal,
          keepScores: true,
          onProgress,
        });
        bySet = ev.scores!.EBO;
      }
      this.outlierCount = o.outlierCount;
      const { set, source } = this.trainingOutliers(data);
      const outliers = await this.withOutliers(data, set, o.outlierCount, (x, pre) =>
        perturbedEnergies(model.model, x, 0, pre, signal),
      );
      const names = orderFarToNear(Object.keys(bySet).filter((s) => s !== 'ID'));
      return {
        model: describeModel(model),
        id: bySet.ID,
        ood: names.map((name) => ({ name, energies: bySet[name] })),
        outliers,
        outlierSource: source,
      };
    });
  }

  /** Energies of the outliers of the last `energies` call after the AOE step at ε (pixel units). */
  perturbedEnergies(
    epsilon: number,
  ): Promise<{ model: AnalysedModel; epsilon: number; energies: Float32Array }> {
    return this.cancellable(async (signal) => {
      const { data, model } = this.need();
      const set = this.trainingOutliers(data).set;
      const energies = await this.withOutliers(data, set, this.outlierCount, (x, pre) =>
        perturbedEnergies(model.model, x, epsilon, pre, signal),
      );
      return { model: describeModel(model), epsilon, energies };
    });
  }

  /** Fig. 2: the first `count` outliers perturbed at each ε, each tile with its energy. */
  async gallery(o: {
    count: number;
    epsilons: number[];
  }): Promise<{ model: AnalysedModel; rows: GalleryTile[][] }> {
    const { data, model } = this.need();
    const set = this.trainingOutliers(data).set;
    const rows = await this.withOutliers(data, set, o.count, (x, pre) =>
      outlierGallery(model.model, x, o.epsilons, pre),
    );
    return { model: describeModel(model), rows };
  }

  /** Fig. 6: a detector under FGSM/PGD on the OOD inputs at each budget; curves far → near, then the mean. */
  attack(
    o: { kind: AttackKind; budgets: number[]; limit: number; detector: DetectorKey },
    onProgress: Progress,
  ): Promise<AttackResult> {
    return this.cancellable(async (signal) => {
      const { data, model } = this.need();
      const ev = await evaluateAttack(model.model, data, {
        kind: o.kind,
        budgets: o.budgets,
        detectors: [o.detector],
        oodSets: 'all',
        limit: o.limit,
        fitLimit: o.limit,
        seed: 1,
        signal,
        onProgress,
      });
      const sets = orderFarToNear(Object.keys(data.oodTests));
      const curves = sets.map((set) => ({
        set,
        auroc: ev.perBudget.map((b) => b[o.detector][set].AUROC),
        fpr95: ev.perBudget.map((b) => b[o.detector][set].FPR95TPR),
      }));
      const mean = (k: 'auroc' | 'fpr95') =>
        o.budgets.map((_, i) => curves.reduce((a, c) => a + c[k][i], 0) / curves.length);
      curves.push({ set: 'mean', auroc: mean('auroc'), fpr95: mean('fpr95') });
      return {
        model: describeModel(model),
        kind: o.kind,
        detector: o.detector,
        budgets: [...o.budgets],
        limit: o.limit,
        curves,
      };
    });
  }

  /** Abort every running call (each rejects with an AbortError within a batch). */
  cancel(): void {
    for (const ac of this.running) ac.abort();
  }

  /** The model and data, or a message saying what to do first. */
  private need(): { data: TrainingData; model: CurrentModel } {
    const data = this.source.data();
    if (!data) throw new Error('Load the CIFAR-10 train and test split in the Data panel first.');
    const model = this.source.model();
    if (!model) throw new Error('No model is loaded: load the pretrained model or import weights.');
    if (this.source.trainingRunning())
      throw new Error('A training run is using the model; the analyses refresh when it ends.');
    if (Object.keys(data.oodTests).length === 0) throw new Error('No OOD test set is loaded (Data panel).');
    if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
    return { data, model };
  }

  /** Run `fn` with an AbortSignal that `cancel()` aborts. */
  private async cancellable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    this.running.add(ac);
    try {
      return await fn(ac.signal);
    } finally {
      this.running.delete(ac);
    }
  }

  /** The loaded training outliers, or PPCA outliers (σ² = 2, seed 1) of the train split when none are loaded. */
  private trainingOutliers(data: TrainingData): { set: ImageSet; source: string } {
    if (data.outliers) return { set: data.outliers, source: data.outliers.source ?? data.outliers.name };
    if (!this.generated || this.generated.train !== data.train)
      this.generated = { train: data.train, set: ppcaOutliers(data.train, 256, 2, 1) };
    return {
      set: this.generated.set,
      source: 'PPCA σ² = 2, seed 1 (generated here: no training outliers are loaded)',
    };
  }

  /** `fn` on the first `count` images of `set` as a [count, H, W, 3] tensor in [0,1], disposed afterwards. */
  private async withOutliers<T>(
    data: TrainingData,
    set: ImageSet,
    count: number,
    fn: (x: tf.Tensor4D, pre: ReturnType<typeof normalizer>) => Promise<T>,
  ): Promise<T> {
    const x = firstImages(set, count);
    try {
      return await fn(x, normalizer(data.normalization.mean, data.normalization.std));
    } finally {
      x.dispose();
    }
  }
}

/** What a result says about its model: version, "WRN-16-2 · pretrained (…)" and the method that trained it. */
function describeModel(m: CurrentModel): AnalysedModel {
  const i = m.info;
  return { version: m.version, label: `${i.preset} · ${i.source} (${i.detail})`, method: m.method };
}
