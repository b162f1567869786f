import { WRN_NORMALIZATION } from '../../train/trainingSets';
import { histogram, meanOf, sharedEdges } from '../../train/analyses/histogram';
import { LabelledNumber } from '../common/NumberInput';
import { ID_COLOR, Plot, SET_COLORS, type PlotLine } from './Plot';
import { useAnalysesStore } from './store';
import type { CardText } from './Card';

const BINS = 40;

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const ENERGY_HISTOGRAMS_CARD: CardText = {
  id: 'histograms',
  title: 'Energy histograms (Fig. 3)',
  claim: 'ID data has low energy, OOD data high; the AOE step pushes training outliers towards the ID side.',
};

/** Fig. 3: energy histograms of ID, each OOD set and the training outliers before/after the AOE step at ε. */
export function EnergyHistograms() {
  const s = useAnalysesStore();
  const e = s.energies;
  if (!e) return null;
  const edges = sharedEdges([e.id, e.outliers, ...e.ood.map((o) => o.energies)], BINS);
  const density = (v: ArrayLike<number>): [number, number][] => {
    const c = histogram(v, edges);
    const n = c.reduce((a, b) => a + b, 0) || 1;
    const pts = c.map((k, i) => [edges[i], k / n] as [number, number]);
    pts.push([edges[BINS], c[BINS - 1] / n]);
    return pts;
  };
  const lines: PlotLine[] = [
    {
      key: 'id',
      label: `ID test (mean ${meanOf(e.id).toFixed(2)})`,
      color: ID_COLOR,
      points: density(e.id),
      step: true,
      width: 2,
    },
    ...e.ood.map((o, i) => ({
      key: o.name,
      label: `${o.name} (${meanOf(o.energies).toFixed(2)})`,
      color: SET_COLORS[i % SET_COLORS.length],
      points: density(o.energies),
      step: true,
    })),
    {
      key: 'outliers',
      label: `training outliers (${meanOf(e.outliers).toFixed(2)})`,
      color: '#495057',
      points: density(e.outliers),
      step: true,
      dash: '4 3',
    },
  ];
  if (s.perturbed)
    lines.push({
      key: 'perturbed',
      label: `outliers after AOE, ε = ${s.perturbed.epsilon} (${meanOf(s.perturbed.energies).toFixed(2)})`,
      color: '#e03131',
      points: density(s.perturbed.energies),
      step: true,
      width: 2.5,
    });
  const yMax = Math.max(...lines.flatMap((l) => l.points.map((p) => p[1]))) * 1.05;
  const std = WRN_NORMALIZATION.std;
  const netLo = s.epsilon / Math.max(...std);
  const netHi = s.epsilon / Math.min(...std);
  return (
    <div data-testid="an-histograms">
      <div className="an-slider">
        <LabelledNumber
          id="an-eps"
          label="AOE step ε"
          type="range"
          min={0}
          max={1}
          step={0.01}
          value={s.epsilon}
          onValue={s.setEpsilon}
        />
        <output htmlFor="an-eps" data-testid="an-eps-value">
          ε = {s.epsilon.toFixed(2)} pixels (of [0, 1]) = {netLo.toFixed(2)}–{netHi.toFixed(2)} in
          network-input units (÷ per-channel std)
        </output>
      </div>
      <Plot
        title="Energy E(x) = −logsumexp f(x) (lower = more ID); fraction of each set per bin"
        width={640}
        height={300}
        x={[edges[0], edges[BINS]]}
        y={[0, yMax || 1]}
        xLabel="energy"
        yLabel="fraction"
        lines={lines}
        testId="an-histogram-plot"
      />
      <p className="an-note">
        {e.outliers.length} training outliers from {e.outlierSource}. The AOE step moves them down the model’s
        energy (eval mode); the red histogram shows where they land — to the left is “more ID-looking”, which
        is what training then penalises.
      </p>
    </div>
  );
}
