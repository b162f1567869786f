import { sourceLabel, type Series } from '../../experiments/aggregate';

/**
 * One colour and marker per training method, used by every figure (and its PNG/SVG), so OE, AOE, OE + noise and
 * CE look the same everywhere. Series that are not methods (detectors, sets) cycle through a fallback palette.
 * Sources are told apart by line style: the paper dotted, reference runs dashed, the user's runs solid.
 */
export interface SeriesStyle {
  color: string;
  /** recharts dot shape. */
  marker: 'circle' | 'square' | 'triangle' | 'diamond' | 'cross' | 'star';
}

export const METHOD_STYLES: Readonly<Record<string, SeriesStyle>> = {
  CE: { color: '#7a7a7a', marker: 'square' },
  OE: { color: '#2f7ed8', marker: 'circle' },
  'OE+noise': { color: '#f28e2b', marker: 'triangle' },
  AOE: { color: '#d62728', marker: 'diamond' },
  'AOE-PGD': { color: '#8c564b', marker: 'star' },
};

/**
 * The logit detectors compared in per-detector figures (e.g. the open-set card): distinct from each other and
 * from the method colours.
 */
export const DETECTOR_STYLES: Readonly<Record<string, SeriesStyle>> = {
  MSP: { color: '#59a14f', marker: 'circle' },
  MaxLogit: { color: '#b07aa1', marker: 'square' },
  EBO: { color: '#17becf', marker: 'diamond' },
};

const FALLBACK = ['#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7', '#9c755f', '#4e79a7', '#e15759'];
const MARKERS: SeriesStyle['marker'][] = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'];

/** The style of a series name (a method's or detector's fixed one, else a stable pick by name). */
export function seriesStyle(name: string): SeriesStyle {
  const fixed = METHOD_STYLES[name] ?? DETECTOR_STYLES[name];
  if (fixed) return fixed;
  // A series the plot's series key does not split (e.g. accuracy in a per-detector figure): neutral.
  if (name === '') return { color: '#555b66', marker: 'circle' };
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return { color: FALLBACK[h % FALLBACK.length], marker: MARKERS[h % MARKERS.length] };
}

/** Dash pattern by where the numbers come from. */
export function originDash(origin: string): string | undefined {
  if (origin === 'paper') return '2 3';
  if (origin === 'reference' || origin === 'torchrun') return '6 3';
  return undefined;
}

/** Display name of a method in legends ('OE+noise' → 'OE + noise'). */
export const methodLabel = (name: string): string => (name === 'OE+noise' ? 'OE + noise' : name);

/**
 * A series' legend: "AOE · reference pytorch-cpu, quick, …"; only the source for a series without a name (a
 * panel the series key does not split, e.g. accuracy in a per-detector figure).
 */
export const seriesLegend = (s: Series): string =>
  s.name ? `${methodLabel(s.name)} · ${sourceLabel(s)}` : sourceLabel(s);

/** What an x key means, with units, for axis titles and table headers. */
const AXIS_LABELS: Readonly<Record<string, string>> = {
  epsilon: 'ε (pixel units; 0 = plain OE)',
  budget: 'attack budget ‖δ‖∞ (pixel units, 0 = clean)',
  epoch: 'fine-tuning epoch',
  sigma2: 'σ² of the synthetic outliers (PPCA latent variance)',
  outlierCount: 'distinct training outliers',
  oodSet: 'OOD set (far → near)',
  detector: 'detector',
};

/** Axis title of a plot key ('budget' → 'attack budget ‖δ‖∞ (pixel units, 0 = clean)'); the key if unknown. */
export const axisLabel = (key: string): string => AXIS_LABELS[key] ?? key;
