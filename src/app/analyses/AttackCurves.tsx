import { DetectorSelect } from './DetectorSelect';
import type { AttackResult } from '../../worker/analysesApi';
import { Plot, SET_COLORS, type PlotLine } from './Plot';
import { ATTACK_BUDGETS, useAnalysesStore } from './store';
import type { CardText } from './Card';

function lines(r: AttackResult, key: 'auroc' | 'fpr95', chance: number): PlotLine[] {
  const out: PlotLine[] = [
    {
      key: '_chance',
      label: 'random guess',
      color: '#adb5bd',
      dash: '4 4',
      points: [
        [0, chance],
        [1, chance],
      ],
    },
  ];
  r.curves.forEach((c, i) =>
    out.push({
      key: c.set,
      label: c.set === 'mean' ? 'mean over sets' : c.set,
      color: c.set === 'mean' ? '#111' : SET_COLORS[i % SET_COLORS.length],
      width: c.set === 'mean' ? 3 : 1.2,
      points: r.budgets.map((b, k) => [b, c[key][k]] as [number, number]),
    }),
  );
  return out;
}

/** The two Fig. 6 plots per model: the metric, its axis label, and what random guessing scores on it. */
const ATTACK_METRICS = [
  { key: 'auroc', title: 'AUROC', yLabel: 'AUROC', chance: 0.5 },
  { key: 'fpr95', title: 'FPR95', yLabel: 'FPR at 95 % TPR', chance: 0.95 },
] as const;

function modelTitle(r: AttackResult): string {
  return r.model.method ? `${r.model.method}-trained` : 'this model';
}

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const ATTACK_CURVES_CARD: CardText = {
  id: 'attack',
  title: 'Robustness to test-time attacks on OOD data (Fig. 6)',
  claim:
    'AOE-trained models degrade more slowly under FGSM on OOD inputs and stay above random guessing; OE can fall below it.',
};

/** Fig. 6: AUROC and FPR95 vs attack budget, per OOD set and averaged; one row per analysed model. */
export function AttackCurves() {
  const s = useAnalysesStore();
  return (
    <div data-testid="an-attack">
      <div className="an-controls">
        <label>
          Attack{' '}
          <select
            value={s.attackKind}
            onChange={(e) => s.setAttack({ attackKind: e.target.value as 'fgsm' | 'pgd' })}
          >
            <option value="fgsm">FGSM (one step, the paper)</option>
            <option value="pgd">PGD (10 steps, stronger)</option>
          </select>
        </label>
        <DetectorSelect value={s.attackDetector} onChange={(d) => s.setAttack({ attackDetector: d })} />
        <button type="button" disabled={s.attackBusy || s.busy !== null} onClick={() => void s.runAttack()}>
          Attack the OOD sets of this model
        </button>
        <span className="an-note">
          Budgets ‖δ‖∞ = {ATTACK_BUDGETS.join(', ')} (pixels); each OOD image maximises its OE loss (looks
          more ID), ID images stay clean; metrics per budget on the first {Math.min(s.limit, 200)} images per
          set.
        </span>
      </div>
      {s.attacks.length === 0 && (
        <p className="an-note">
          No attack run yet. Run it on this model; after a training run, run it again to see the two models
          side by side (e.g. OE vs AOE).
        </p>
      )}
      {s.attacks.map((r) => (
        <div key={`${r.model.version}-${r.kind}-${r.detector}`} data-testid="an-attack-result">
          <p className="an-model-label">
            {r.model.method ? `${r.model.method}: ` : ''}
            {r.model.label} — {r.kind.toUpperCase()}, {r.limit} images per set
          </p>
          <div className="an-row">
            {ATTACK_METRICS.map((m) => (
              <Plot
                key={m.key}
                title={`${modelTitle(r)}: ${r.detector} ${m.title} under ${r.kind.toUpperCase()}`}
                x={[0, 1]}
                y={[0, 1]}
                xLabel="attack budget ‖δ‖∞ (pixels)"
                yLabel={m.yLabel}
                lines={lines(r, m.key, m.chance)}
              />
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
