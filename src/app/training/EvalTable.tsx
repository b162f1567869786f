import type { EvaluationResult } from '../../train/evaluate';

const pct = (v: number) => `${(v * 100).toFixed(1)}`;

function Rows(props: { label: string; r: EvaluationResult }) {
  return (
    <>
      {Object.entries(props.r.metrics).flatMap(([set, byDet]) =>
        Object.entries(byDet).map(([det, m]) => (
          <tr key={`${props.label}-${set}-${det}`}>
            <td>{props.label}</td>
            <td>{set}</td>
            <td>{det}</td>
            <td>{pct(m.AUROC)}</td>
            <td>{pct(m.FPR95TPR)}</td>
            <td>{pct(m['AUPR-IN'])}</td>
            <td>{pct(m['AUPR-OUT'])}</td>
          </tr>
        )),
      )}
    </>
  );
}

/** Accuracy and OOD metrics before and after training (percent). */
export function EvalTable(props: { before: EvaluationResult | null; after: EvaluationResult | null }) {
  const { before, after } = props;
  if (!before && !after) return null;
  return (
    <div className="train-eval" data-testid="train-eval">
      <p>
        ID test accuracy:{' '}
        {before && (
          <span>
            before <strong>{pct(before.accuracy)}%</strong> ({before.testCount} images){after ? ', ' : ''}
          </span>
        )}
        {after && (
          <span>
            after <strong>{pct(after.accuracy)}%</strong> ({after.testCount} images)
          </span>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th>Model</th>
            <th>OOD set</th>
            <th>Detector</th>
            <th>AUROC ↑</th>
            <th>FPR95 ↓</th>
            <th>AUPR-IN ↑</th>
            <th>AUPR-OUT ↑</th>
          </tr>
        </thead>
        <tbody>
          {before && <Rows label="before" r={before} />}
          {after && <Rows label="after" r={after} />}
        </tbody>
      </table>
    </div>
  );
}
