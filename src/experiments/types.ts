/**
 * Experiments as data: the types every surface shares (spec → runner → rows → figures/exports).
 * DOM-free and tensor-free: specs and rows are plain JSON, read by the worker, the Node CLI, the UI and the
 * PyTorch reference (`reference/run_experiment.py`) alike.
 */

/** A config value a grid axis can take. */
export type Scalar = string | number | boolean;

/** A complete, serialisable run config (the toy's ToyParams or the WRN's WrnRunConfig), as plain JSON. */
export type RunConfig = Record<string, Scalar>;

/** Which model family a spec trains. */
export type ModelKind = 'toy' | 'wrn';

/**
 * What a spec's cells do with their model, which (with the model) selects the cell executor
 * (src/experiments/executors/table.ts): `fine-tune` (default) trains the start model with the cell's method;
 * `openset` puts a new 6-way head on the start WRN's features for a CIFAR-10 open-set split (linear probe, then
 * a short CE fine-tune) and evaluates known vs unknown classes.
 */
export const CELL_TASKS = ['fine-tune', 'openset'] as const;
export type CellTask = (typeof CELL_TASKS)[number];

/**
 * Scales a spec can run at. `quick`: a subset and few steps that finish in minutes on a CPU-only laptop;
 * `paper`: the paper's recipe (a real GPU); `smoke`: the smallest run that exercises every code path (tests).
 */
export const SCALES = ['smoke', 'quick', 'paper'] as const;
export type ScaleName = (typeof SCALES)[number];

/** A scale's overrides of `base` plus a one-line description of what it costs. */
export interface ScaleSpec {
  /** Overrides applied on top of `base` before the grid (e.g. subsetSize, epochs, evalLimit). */
  overrides: RunConfig;
  /** What this scale runs and how long it took where it was measured, for the UI. */
  note: string;
}

/** Names of the nine detectors (src/experiments/detectors.ts maps them to core detectors). */
export const DETECTOR_NAMES = [
  'MSP',
  'MaxLogit',
  'EBO',
  'ODIN',
  'Mahalanobis',
  'ViM',
  'KLMatching',
  'SHE',
  'DICE',
] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** OOD metric names as pytorch-ood / OpenOOD (values are fractions in rows, shown in percent). */
export const OOD_METRIC_NAMES = ['AUROC', 'AUPR-IN', 'AUPR-OUT', 'FPR95TPR'] as const;
export type OodMetricName = (typeof OOD_METRIC_NAMES)[number];
/** Every metric a row can carry: the OOD metrics, ID accuracy `ACC` (fraction), toy accepted area `AREA`. */
export type MetricName = OodMetricName | 'ACC' | 'AREA';

/** What to evaluate on each trained cell. */
export interface EvaluateSpec {
  /** Detectors to fit (on ID training data of the cell's model, where needed) and score. */
  detectors: readonly DetectorName[];
  /** OOD test sets by name, or 'all' that the run has. */
  oodSets: readonly string[] | 'all';
  metrics: readonly MetricName[];
  /** Evaluate after every epoch (rows carry `epoch`), not only at the end (Fig. 10). */
  everyEpoch?: boolean;
  /** Test-time attack on the OOD inputs (Fig. 6): FGSM (or PGD) budgets ‖δ‖∞ in pixel units. */
  attack?: { kind: 'fgsm' | 'pgd'; budgets: readonly number[] };
  /** Per-cell artefacts to keep by reference: energy histograms, ROC curves, per-sample scores. */
  artefacts?: readonly ('histograms' | 'roc' | 'scores')[];
}

/** Which slice of rows a plot panel shows on its y axis. */
export interface PlotPanel {
  metric: MetricName;
  /** A detector name; omitted for ACC. */
  detector?: string;
  /** A set name, or 'mean' (all OOD sets), 'mean-near', 'mean-far'; omitted for ACC. */
  oodSet?: string;
  /** Axis title override (default: metric, detector, set). */
  title?: string;
  /** What a random detector scores on this metric (fraction: AUROC 0.5, FPR95 0.95), drawn as a reference line. */
  chance?: number;
}

/** How rows become a figure: the UI, the figure's CSV and the PNG/SVG all use this. */
export interface PlotSpec {
  kind: 'line' | 'bar' | 'table';
  /** A config key, or 'epoch' / 'budget' / 'detector' / 'oodSet' (row fields). */
  x: string;
  /** What distinguishes series: a config key (usually 'method'), or a row field. */
  series: string;
  panels: readonly PlotPanel[];
  /** Aggregate repeated cells (different seeds) as mean ± sd. */
  aggregate: 'mean-sd';
  /** How a numeric x axis is spaced (default 'linear'); 'log' for values spread over decades, e.g. 10 … 10,000. */
  xScale?: 'linear' | 'log';
}

/** A declarative experiment: a complete base config, the axes to vary, what to evaluate and how to plot it. */
export interface ExperimentSpec {
  /** kebab-case id that starts with its model, e.g. `toy-eps-sweep`, `wrn-table2`. */
  id: string;
  title: string;
  /** Where in the paper (e.g. "Table 2", "Fig. 4"). */
  paperRef: string;
  /** The paper's claim in one sentence. */
  claim: string;
  model: ModelKind;
  /** What a cell does (default 'fine-tune'); see {@link CELL_TASKS}. */
  task?: CellTask;
  /** What a reader must know beside the claim (grouping, caveats), shown on the card under it. */
  note?: string;
  base: RunConfig;
  /** Axis → values. The cells are the Cartesian product, applied over `base` (and the scale's overrides). */
  grid: Readonly<Record<string, readonly Scalar[]>>;
  scales: Partial<Record<ScaleName, ScaleSpec>>;
  evaluate: EvaluateSpec;
  plot: PlotSpec;
}

/** Where a row was produced (shown as the series' source in every figure). */
export const ORIGINS = ['paper', 'reference', 'browser', 'node', 'torchrun', 'import'] as const;
export type Origin = (typeof ORIGINS)[number];

/** Provenance of a run of cells: the same for every row a run produced. */
export interface Provenance {
  origin: Origin;
  /** tfjs backend ('wasm', 'webgpu', …) or 'pytorch-cpu' / 'pytorch-cuda'. */
  backend: string;
  /** Free text: CPU model / GPU name / browser. */
  device: string;
  scale: ScaleName | 'custom';
  appVersion: string;
  /** ISO date-time the cell finished. */
  date: string;
}

/** One number an executor measured on a trained cell (the runner adds identity and provenance). */
export interface Measurement {
  /** '' for ID accuracy / area. */
  detector: string;
  /** '' for ID accuracy / area. */
  oodSet: string;
  metric: MetricName;
  value: number;
  /** null for the final evaluation. */
  epoch: number | null;
  /** null for clean (unattacked) inputs. */
  budget: number | null;
  /** Number of ID and OOD samples behind an OOD metric (null where not applicable). */
  nId: number | null;
  nOod: number | null;
}

/** Which trained cell, at which grid point, a row is about. */
export interface CellIdentity {
  experiment: string;
  /** Canonical identity of the trained model (shared between identical cells and experiments). */
  cellKey: string;
  /** The grid point's axis values, e.g. { method: 'AOE', epsilon: 0.5, seed: 1 }. */
  cell: RunConfig;
  /** The complete effective config the cell trained with. */
  config: RunConfig;
  seed: number;
  /** 'consistent' | 'authors' (WRN), 'toy' (toy), 'paper' (printed numbers). */
  setting: string;
}

/**
 * One flat result: one number about one trained cell. `value` is a fraction for every metric (AUROC 0.978,
 * ACC 0.9257).
 */
export interface ResultRow extends CellIdentity, Measurement, Provenance {}

/** One planned unit of training: a canonical config and every grid point it serves. */
export interface CellPlan {
  cellKey: string;
  config: RunConfig;
  /** Grid points (axis values) this trained model answers for (e.g. AOE ε=0 and OE+noise ε=0 share OE). */
  points: RunConfig[];
}
