import { DETECTOR_TABLE } from '../../train/detectorEval';
import type { DetectorTableResult } from '../../worker/analysesApi';
import { useAnalysesStore } from './store';
import type { CardText } from './Card';

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const PER_DATASET_CARD: CardText = {
  id: 'per-dataset',
  title: 'Per data set, far → near (Fig. 7)',
  claim: 'Detection degrades as OOD data looks more like ID data; AOE claims to keep it more stable.',
};

/** Fig. 7: AUROC per OOD set for the ROC card's detector, ordered far → near, with the group of each set. */
export function PerDataset(props: { table: DetectorTableResult }) {
  const detector = useAnalysesStore((s) => s.rocDetector);
  const summary = props.table.summaries.find((s) => s.detector === detector) ?? props.table.summaries[0];
  if (!summary) return null;
  const w = 560;
  const barH = 22;
  const left = 150;
  const h = summary.sets.length * (barH + 6) + 30;
  const sx = (v: number) => left + ((v - 0.5) / 0.5) * (w - left - 60);
  return (
    <div data-testid="an-per-dataset">
      <p className="an-note">
        Detector: the one chosen for the ROC curves. Blue = far OOD, orange = near OOD, grey = not grouped.
      </p>
      <svg viewBox={`0 0 ${w} ${h}`} width="100%" role="img" aria-label="AUROC per OOD set, far to near">
        <text x={8} y={14} className="an-plot-title">
          {DETECTOR_TABLE[summary.detector as keyof typeof DETECTOR_TABLE]?.label ?? summary.detector} AUROC
          (%), far → near; bars start at 50 (random)
        </text>
        {summary.sets.map((s, i) => {
          const y = 24 + i * (barH + 6);
          const v = s.metrics.AUROC;
          return (
            <g key={s.name}>
              <text x={left - 6} y={y + 15} textAnchor="end" className="an-tick">
                {s.name} ({s.group ?? 'ungrouped'})
              </text>
              <rect
                x={left}
                y={y}
                width={Math.max(0, sx(v) - left)}
                height={barH}
                fill={s.group === 'near' ? '#f08c00' : s.group === 'far' ? '#1c7ed6' : '#868e96'}
              />
              <text x={Math.max(left, sx(v)) + 4} y={y + 15} className="an-tick">
                {(100 * v).toFixed(2)}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
