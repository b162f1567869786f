import * as Comlink from 'comlink';
import { create } from 'zustand';
import type { DetectorKey } from '../../train/detectorEval';
import type { PlotRoc } from '../../train/analyses/roc';
import type { GalleryTile } from '../../train/analyses/outlierEnergy';
import type {
  AnalysedModel,
  AnalysesWorkerApi,
  AttackResult,
  DetectorTableResult,
  EnergiesResult,
} from '../../worker/analysesApi';
import { computeWorker } from '../workerClient';

/** ε values of the outlier gallery (Fig. 2), pixel units. */
export const GALLERY_EPSILONS = [0, 0.05, 0.1, 0.25, 0.5, 1];
/** Test-time attack budgets ‖δ‖∞ (Fig. 6), pixel units. */
export const ATTACK_BUDGETS = [0, 0.05, 0.1, 0.25, 0.5, 0.75, 1];

const fromUrl = (key: string, fallback: number) => {
  const v = Number(new URLSearchParams(globalThis.location?.search ?? '').get(key));
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export interface AnalysesState {
  /** Model version the shown results belong to (null before the first run). */
  version: number | null;
  /** Images per set (ID test and each OOD set; 0 = all) and ID training images to fit on. */
  limit: number;
  fitLimit: number;
  busy: { fraction: number; message: string } | null;
  error: string | null;
  table: DetectorTableResult | null;
  rocDetector: DetectorKey;
  roc: { model: AnalysedModel; curves: ({ set: string } & PlotRoc)[] } | null;
  energies: EnergiesResult | null;
  /** AOE step ε of the histogram (pixel units) and the perturbed outliers' energies at it. */
  epsilon: number;
  perturbed: { epsilon: number; energies: Float32Array } | null;
  gallery: GalleryTile[][] | null;
  attackKind: 'fgsm' | 'pgd';
  attackDetector: DetectorKey;
  /** Attack results of every model analysed this session (newest last), for OE vs AOE side by side. */
  attacks: AttackResult[];
  attackBusy: boolean;
  setLimits(limit: number, fitLimit: number): void;
  refresh(): Promise<void>;
  cancel(): Promise<void>;
  setEpsilon(eps: number): void;
  setRocDetector(d: DetectorKey): Promise<void>;
  setAttack(p: Partial<Pick<AnalysesState, 'attackKind' | 'attackDetector'>>): void;
  runAttack(): Promise<void>;
}

const api = () => computeWorker().analyses as unknown as Comlink.Remote<AnalysesWorkerApi>;
const msg = (e: unknown) => (e instanceof Error ? e.message : String(e));
const aborted = (e: unknown) => /abort/i.test(msg(e));

let epsTimer: ReturnType<typeof setTimeout> | null = null;
let epsSeq = 0;

export const useAnalysesStore = create<AnalysesState>((set, get) => {
  const progress = Comlink.proxy((fraction: number, message: string) => set({ busy: { fraction, message } }));
  async function perturb(eps: number): Promise<void> {
    const seq = ++epsSeq;
    try {
      const r = await api().perturbedEnergies(eps);
      if (seq === epsSeq) set({ perturbed: { epsilon: r.epsilon, energies: r.energies } });
    } catch (e) {
      if (!aborted(e)) set({ error: msg(e) });
    }
  }
  return {
    version: null,
    limit: fromUrl('analysesLimit', 0),
    fitLimit: fromUrl('analysesFit', 1000),
    busy: null,
    error: null,
    table: null,
    rocDetector: 'EBO',
    roc: null,
    energies: null,
    epsilon: 0.5,
    perturbed: null,
    gallery: null,
    attackKind: 'fgsm',
    attackDetector: 'EBO',
    attacks: [],
    attackBusy: false,
    setLimits: (limit, fitLimit) => set({ limit, fitLimit }),
    refresh: async () => {
      if (get().busy) return;
      const { limit, fitLimit } = get();
      set({ busy: { fraction: 0, message: 'starting' }, error: null });
      try {
        // Every table of the progressive sequence is shown as it comes (labelled with its n); the ROC follows
        // each, the histograms and gallery start after the first (from its images) instead of after the last.
        let sideCards: Promise<void> | null = null;
        const onTable = Comlink.proxy((table: DetectorTableResult) => {
          set({ table, version: table.model.version });
          void api()
            .roc(get().rocDetector)
            .then((roc) => set({ roc }))
            .catch(() => undefined);
          sideCards ??= (async () => {
            set({ energies: await api().energies({ limit, outlierCount: 256 }, progress), perturbed: null });
            await perturb(get().epsilon);
            set({ gallery: (await api().gallery({ count: 6, epsilons: GALLERY_EPSILONS })).rows });
          })().catch((e: unknown) => {
            if (!aborted(e)) set({ error: msg(e) });
          });
        });
        const table = await api().detectorTable({ limit, fitLimit }, progress, onTable);
        set({ table, version: table.model.version });
        set({ roc: await api().roc(get().rocDetector) });
        await sideCards;
      } catch (e) {
        set({ error: aborted(e) ? 'Cancelled.' : msg(e) });
      } finally {
        set({ busy: null });
      }
    },
    cancel: async () => {
      await api().cancel();
    },
    setEpsilon: (eps) => {
      set({ epsilon: eps });
      if (epsTimer) clearTimeout(epsTimer);
      epsTimer = setTimeout(() => void perturb(eps), 120);
    },
    setRocDetector: async (d) => {
      set({ rocDetector: d });
      try {
        if (get().table) set({ roc: await api().roc(d) });
      } catch (e) {
        set({ error: msg(e) });
      }
    },
    setAttack: (p) => set(p),
    runAttack: async () => {
      if (get().attackBusy || get().busy) return;
      set({ attackBusy: true, busy: { fraction: 0, message: 'attack' }, error: null });
      try {
        const { attackKind, attackDetector, limit } = get();
        const r = await api().attack(
          {
            kind: attackKind,
            budgets: ATTACK_BUDGETS,
            limit: Math.min(limit, 200),
            detector: attackDetector,
          },
          progress,
        );
        const keep = get().attacks.filter(
          (a) => !(a.model.version === r.model.version && a.kind === r.kind && a.detector === r.detector),
        );
        set({ attacks: [...keep, r].slice(-4) });
      } catch (e) {
        set({ error: aborted(e) ? 'Cancelled.' : msg(e) });
      } finally {
        set({ attackBusy: false, busy: null });
      }
    },
  };
});
