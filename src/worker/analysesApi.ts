/**
 * Analyses of the current model (no training): a thin adapter over `AnalysesSession` (src/train/analyses), on
 * whatever model the training area holds and the data the Data panel loaded. Energies go back transferred.
 */
import * as Comlink from 'comlink';
import type { AttackKind } from '../train/attackEval';
import type { DetectorKey } from '../train/detectorEval';
import type { PlotRoc } from '../train/analyses/roc';
import type { GalleryTile } from '../train/analyses/outlierEnergy';
import {
  AnalysesSession,
  type AnalysedModel,
  type AttackResult,
  type DetectorTableResult,
  type EnergiesResult,
  type Progress,
} from '../train/analyses/session';
import { currentModel, dataForCurrentModel, trainingRunning } from './trainApi';

export type { AnalysedModel, AttackResult, DetectorTableResult, EnergiesResult, Progress };

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

const session = new AnalysesSession({
  model: currentModel,
  data: dataForCurrentModel,
  trainingRunning,
});

export const analysesApi: AnalysesWorkerApi = {
  detectorTable: (o, onProgress, onTable) => session.detectorTable(o, onProgress, onTable),
  roc: (detector) => session.roc(detector),
  energies: (o, onProgress) => session.energies(o, onProgress),
  async perturbedEnergies(epsilon) {
    const r = await session.perturbedEnergies(epsilon);
    return Comlink.transfer(r, [r.energies.buffer]);
  },
  gallery: (o) => session.gallery(o),
  attack: (o, onProgress) => session.attack(o, onProgress),
  async cancel() {
    session.cancel();
  },
};
