import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { thinCurve } from '../../core/curveThinning';
import type { CurvePoint } from '../../train/checkpoint';

/**
 * About `max` points of a long run, so it stays cheap to draw: the loss and the accuracy curve are each thinned
 * by core's `thinCurve` (smallest visible change first, any area change allowed), and the points either keeps are
 * drawn (first and last always).
 */
function thin(points: CurvePoint[], max = 400): CurvePoint[] {
  if (points.length <= max) return points;
  const steps = points.map((p) => p.step);
  const keep = new Set<number>();
  for (const key of ['loss', 'accuracy'] as const) {
    const t = thinCurve(
      steps,
      points.map((p) => p[key]),
      { maxPoints: max / 2, areaTolerance: Infinity },
    );
    t.indices.forEach((i) => keep.add(i));
  }
  return [...keep].sort((a, b) => a - b).map((i) => points[i]);
}

function Chart(props: { data: CurvePoint[]; dataKey: 'loss' | 'accuracy'; label: string; color: string }) {
  const percent = props.dataKey === 'accuracy';
  return (
    <figure className="train-chart" aria-label={`${props.label} per step`}>
      <figcaption>{props.label}</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={props.data} margin={{ top: 4, right: 12, bottom: 16, left: 4 }}>
          <CartesianGrid stroke="#eef0f4" />
          <XAxis
            dataKey="step"
            type="number"
            allowDecimals={false}
            domain={['dataMin', 'dataMax']}
            label={{ value: 'step', position: 'insideBottom', offset: -8 }}
          />
          <YAxis
            domain={percent ? [0, 1] : ['auto', 'auto']}
            tickFormatter={(v: number) => (percent ? `${Math.round(v * 100)}%` : v.toFixed(2))}
            width={48}
          />
          <Tooltip
            formatter={(v) => (percent ? `${(Number(v) * 100).toFixed(2)}%` : Number(v).toFixed(5))}
            labelFormatter={(s) => `step ${s}`}
          />
          <Line
            type="monotone"
            dataKey={props.dataKey}
            name={props.label}
            stroke={props.color}
            dot={props.data.length < 40}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Live loss and running-accuracy curves; exact values on hover. */
export function TrainingCharts(props: { curve: CurvePoint[] }) {
  if (props.curve.length === 0)
    return <p className="muted">Loss and accuracy curves appear here once training runs.</p>;
  const data = thin(props.curve);
  return (
    <div className="train-charts" data-testid="train-charts">
      <Chart data={data} dataKey="loss" label="Training loss" color="#3b5bdb" />
      <Chart data={data} dataKey="accuracy" label="Running train accuracy (epoch)" color="#12b886" />
    </div>
  );
}
