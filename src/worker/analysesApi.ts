/**
 * Analyses of the current model (no training): a thin adapter over src/train/analyses and the detector and
 * attack evaluations, on whatever model the training area holds and the data the Data panel loaded. Results
 * carry the model version so the UI refreshes when the model changes. One cancel aborts every running call.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as Comlink from 'comlink';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { evaluateAttack, type AttackKind } from '../train/attackEval';
import { evaluateDetectors, DETECTOR_KEYS, type DetectorKey } from '../train/detectorEval';
import { progressiveDetectorTable, type ProgressiveTable } from '../train/detectorProgressive';
import { normalizer } from '../train/batches';
import { ppcaOutliers } from '../train/trainingSets';
import { summariseDetectors, type DetectorSummary } from '../train/analyses/summary';
import { plotRoc, type PlotRoc } from '../train/analyses/roc';
import {
  firstImages,
  outlierGallery,
  perturbedEnergies,
  type GalleryTile,
} from '../train/analyses/outlierEnergy';
import { orderFarToNear } from '../train/analyses/oodGroups';
import type { ImageSet, TrainingData } from '../train/types';
import { currentModel, dataForCurrentModel, trainingRunning } from './trainApi';

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

export interface AnalysesWorkerApi {
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
  ): Promise<DetectorTableResult>;
  /** ROC curves per OOD set of a detector from the last detector table's scores (thinned for drawing). */
  roc(detector: DetectorKey): Promise<{ model: AnalysedModel; curves: ({ set: string } & PlotRoc)[] }>;
  /** Energies of ID, OOD sets and the first `outlierCount` training outliers. */
  energies(o: { limit: number; outlierCount: number }, onProgress: Progress): Promise<EnergiesResult>;
  /** Energies of the same outliers after the AOE step at ε (pixel units). */
  perturbedEnergies(
    epsilon: number,
  ): Promise<{ model: AnalysedModel; epsilon: number; energies: Float32Array }>;
  /** Fig. 2: the first `count` outliers perturbed at each ε, each tile with its energy. */
  gallery(o: { count: number; epsilons: number[] }): Promise<{ model: AnalysedModel; rows: GalleryTile[][] }>;
  /** Fig. 6: a detector under FGSM/PGD on the OOD inputs at each budget. */
  attack(
    o: { kind: AttackKind; budgets: number[]; limit: number; detector: DetectorKey },
    onProgress: Progress,
  ): Promise<AttackResult>;
  cancel(): Promise<void>;
}

const running = new Set<AbortController>();
type TableScores = { version: number; limit: number; bySet: Record<string, Record<string, Float32Array>> };
let scores: TableScores | null = null;
/** The last finished table with what it was computed from (model version, data object, sizes). */
let finished: {
  key: string;
  data: TrainingData;
  result: DetectorTableResult;
  scores: TableScores | null;
} | null = null;
/** Images per set of the tables before the full one (Analyses panel default). */
export const DEFAULT_TABLE_STAGES = [250, 1000, 4000];
let generated: { train: ImageSet; set: ImageSet } | null = null;

function need(): { data: TrainingData; model: NonNullable<ReturnType<typeof currentModel>> } {
  const data = dataForCurrentModel();
  if (!data) throw new Error('Load the CIFAR-10 train and test split in the Data panel first.');
  const m = currentModel();
  if (!m) throw new Error('No model is loaded: load the pretrained model or import weights.');
  if (trainingRunning())
    throw new Error('A training run is using the model; the analyses refresh when it ends.');
  if (Object.keys(data.oodTests).length === 0) throw new Error('No OOD test set is loaded (Data panel).');
  if (tf.getBackend() === 'wasm') registerWasmTrainingKernels();
  return { data, model: m };
}

function modelOf(m: NonNullable<ReturnType<typeof currentModel>>): AnalysedModel {
  const i = m.info;
  return { version: m.version, label: `${i.preset} · ${i.source} (${i.detail})`, method: m.method };
}

/** Run `fn` with an AbortSignal that `cancel()` aborts. */
async function cancellable<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  running.add(ac);
  try {
    return await fn(ac.signal);
  } finally {
    running.delete(ac);
  }
}

function trainingOutliers(data: TrainingData): { set: ImageSet; source: string } {
  if (data.outliers) return { set: data.outliers, source: data.outliers.source ?? data.outliers.name };
  if (!generated || generated.train !== data.train)
    generated = { train: data.train, set: ppcaOutliers(data.train, 256, 2, 1) };
  return {
    set: generated.set,
    source: 'PPCA σ² = 2, seed 1 (generated here: no training outliers are loaded)',
  };
}

let outlierCount = 256;

export const analysesApi: AnalysesWorkerApi = {
  detectorTable: (o, onProgress, onTable) =>
    cancellable(async (signal) => {
      const { data, model } = need();
      const detectors = o.detectors ?? DETECTOR_KEYS;
      const stages = o.stages ?? DEFAULT_TABLE_STAGES;
      const key = JSON.stringify([model.version, o.limit, o.fitLimit, detectors, stages]);
      if (finished && finished.key === key && finished.data === data) {
        scores = finished.scores;
        onTable?.(finished.result);
        return finished.result;
      }
      const oodSets = orderFarToNear(Object.keys(data.oodTests));
      const resultOf = (t: ProgressiveTable): DetectorTableResult => ({
        model: modelOf(model),
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
          scores = { version: model.version, limit: o.limit, bySet: t.scores! };
          result = resultOf(t);
          onTable?.(result);
        },
      });
      finished = { key, data, result: result!, scores };
      return result!;
    }),

  async roc(detector) {
    const { model } = need();
    if (!scores || scores.version !== model.version || !scores.bySet[detector])
      throw new Error(`Run the detector table for ${detector} on this model first.`);
    const bySet = scores.bySet[detector];
    const sets = orderFarToNear(Object.keys(bySet).filter((s) => s !== 'ID'));
    return {
      model: modelOf(model),
      curves: sets.map((set) => ({ set, ...plotRoc(bySet.ID, bySet[set]) })),
    };
  },

  energies: (o, onProgress) =>
    cancellable(async (signal) => {
      const { data, model } = need();
      let bySet = scores?.version === model.version ? scores.bySet.EBO : undefined;
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
      outlierCount = o.outlierCount;
      const { set, source } = trainingOutliers(data);
      const pre = normalizer(data.normalization.mean, data.normalization.std);
      const x = firstImages(set, o.outlierCount);
      try {
        const outliers = await perturbedEnergies(model.model, x, 0, pre, signal);
        const names = orderFarToNear(Object.keys(bySet).filter((s) => s !== 'ID'));
        const ood = names.map((name) => ({ name, energies: bySet[name] }));
        const result: EnergiesResult = {
          model: modelOf(model),
          id: bySet.ID,
          ood,
          outliers,
          outlierSource: source,
        };
        return result;
      } finally {
        x.dispose();
      }
    }),

  perturbedEnergies: (epsilon) =>
    cancellable(async (signal) => {
      const { data, model } = need();
      const pre = normalizer(data.normalization.mean, data.normalization.std);
      const x = firstImages(trainingOutliers(data).set, outlierCount);
      try {
        const energies = await perturbedEnergies(model.model, x, epsilon, pre, signal);
        return Comlink.transfer({ model: modelOf(model), epsilon, energies }, [energies.buffer]);
      } finally {
        x.dispose();
      }
    }),

  async gallery(o) {
    const { data, model } = need();
    const pre = normalizer(data.normalization.mean, data.normalization.std);
    const x = firstImages(trainingOutliers(data).set, o.count);
    try {
      return { model: modelOf(model), rows: await outlierGallery(model.model, x, o.epsilons, pre) };
    } finally {
      x.dispose();
    }
  },

  attack: (o, onProgress) =>
    cancellable(async (signal) => {
      const { data, model } = need();
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
        model: modelOf(model),
        kind: o.kind,
        detector: o.detector,
        budgets: [...o.budgets],
        limit: o.limit,
        curves,
      };
    }),

  async cancel() {
    for (const ac of running) ac.abort();
  },
};
