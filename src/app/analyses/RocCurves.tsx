import { DETECTOR_TABLE } from '../../train/detectorEval';
import { DetectorSelect } from './DetectorSelect';
import { Plot, SET_COLORS } from './Plot';
import { useAnalysesStore } from './store';
import type { CardText } from './Card';

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const ROC_CURVES_CARD: CardText = {
  id: 'roc',
  title: 'ROC curves per OOD set',
  claim:
    'How many ID images a detector wrongly flags for each OOD recall; the dot is the FPR95 operating point.',
};

/** ROC per OOD set for one detector, FPR95 points marked, exact values on hover. */
export function RocCurves() {
  const s = useAnalysesStore();
  if (!s.roc) return null;
  const curves = s.roc.curves;
  return (
    <div data-testid="an-roc">
      <DetectorSelect value={s.rocDetector} onChange={(d) => void s.setRocDetector(d)} />
      <Plot
        title={`ROC of ${DETECTOR_TABLE[s.rocDetector].label}: OOD = positive; dots = FPR at 95 % TPR`}
        width={520}
        height={360}
        x={[0, 1]}
        y={[0, 1]}
        xLabel="false positive rate (ID flagged as OOD)"
        yLabel="true positive rate"
        lines={[
          {
            key: '_chance',
            label: 'random guess',
            color: '#adb5bd',
            points: [
              [0, 0],
              [1, 1],
            ],
            dash: '4 4',
          },
          ...curves.map((c, i) => ({
            key: c.set,
            label: `${c.set}: AUROC ${(100 * c.auroc).toFixed(2)}, FPR95 ${(100 * c.fpr95.fpr).toFixed(2)}`,
            color: SET_COLORS[i % SET_COLORS.length],
            points: c.fpr.map((x, k) => [x, c.tpr[k]] as [number, number]),
          })),
        ]}
        markers={curves.map((c, i) => ({
          x: c.fpr95.fpr,
          y: c.fpr95.tpr,
          color: SET_COLORS[i % SET_COLORS.length],
          label: `${c.set}: FPR ${c.fpr95.fpr.toFixed(4)} at TPR ${c.fpr95.tpr.toFixed(4)} (score ≥ ${c.fpr95.threshold.toPrecision(4)})`,
        }))}
        testId="an-roc-plot"
      />
    </div>
  );
}
