import { useState, type MouseEvent } from 'react';

export interface PlotLine {
  key: string;
  label: string;
  color: string;
  points: [number, number][];
  dash?: string;
  width?: number;
  /** Draw as a histogram step line (points are bin left edges; the last point closes the last bin). */
  step?: boolean;
}
export interface PlotMarker {
  x: number;
  y: number;
  color: string;
  label: string;
}

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);

function ticks(lo: number, hi: number, n = 5): number[] {
  return Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
}

/**
 * A small SVG line plot: axes with ticks, lines (optionally step-shaped), markers, a legend, and the exact
 * values of the nearest point on hover (keyboard users read the same numbers in the tables next to it).
 */
export function Plot(props: {
  title: string;
  width?: number;
  height?: number;
  x: [number, number];
  y: [number, number];
  xLabel: string;
  yLabel: string;
  lines: PlotLine[];
  markers?: PlotMarker[];
  testId?: string;
}) {
  const { width = 420, height = 260, lines, markers = [] } = props;
  const m = { l: 48, r: 10, t: 22, b: 36 };
  const w = width - m.l - m.r;
  const h = height - m.t - m.b;
  const sx = (v: number) => m.l + ((v - props.x[0]) / (props.x[1] - props.x[0] || 1)) * w;
  const sy = (v: number) => m.t + h - ((v - props.y[0]) / (props.y[1] - props.y[0] || 1)) * h;
  const [hover, setHover] = useState<{ line: string; x: number; y: number; px: number; py: number } | null>(
    null,
  );
  const onMove = (e: MouseEvent<SVGSVGElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - r.left) / r.width) * width;
    const py = ((e.clientY - r.top) / r.height) * height;
    let best: typeof hover = null;
    // Snap to the nearest plotted point anywhere in the plot (exact values, not interpolated).
    let d = Infinity;
    for (const l of lines)
      for (const [x, y] of l.points) {
        const dd = (sx(x) - px) ** 2 + (sy(y) - py) ** 2;
        if (dd < d) {
          d = dd;
          best = { line: l.label, x, y, px: sx(x), py: sy(y) };
        }
      }
    setHover(best);
  };
  const path = (l: PlotLine) => {
    const pts = l.points;
    if (!l.step) return pts.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x)},${sy(y)}`).join('');
    let d = '';
    for (let i = 0; i < pts.length - 1; i++) {
      const [x0, y0] = pts[i];
      const x1 = pts[i + 1][0];
      d += `${i ? 'L' : 'M'}${sx(x0)},${sy(y0)}L${sx(x1)},${sy(y0)}`;
    }
    return d;
  };
  return (
    <figure className="an-plot" data-testid={props.testId}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-label={props.title}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      >
        <text x={m.l} y={14} className="an-plot-title">
          {props.title}
        </text>
        {ticks(props.x[0], props.x[1]).map((v) => (
          <g key={`x${v}`}>
            <line x1={sx(v)} x2={sx(v)} y1={m.t} y2={m.t + h} className="an-gridline" />
            <text x={sx(v)} y={m.t + h + 14} textAnchor="middle" className="an-tick">
              {fmt(v)}
            </text>
          </g>
        ))}
        {ticks(props.y[0], props.y[1], 4).map((v) => (
          <g key={`y${v}`}>
            <line x1={m.l} x2={m.l + w} y1={sy(v)} y2={sy(v)} className="an-gridline" />
            <text x={m.l - 4} y={sy(v) + 4} textAnchor="end" className="an-tick">
              {fmt(v)}
            </text>
          </g>
        ))}
        <text x={m.l + w / 2} y={height - 4} textAnchor="middle" className="an-axis">
          {props.xLabel}
        </text>
        <text transform={`translate(12 ${m.t + h / 2}) rotate(-90)`} textAnchor="middle" className="an-axis">
          {props.yLabel}
        </text>
        {lines.map((l) => (
          <path
            key={l.key}
            d={path(l)}
            fill="none"
            stroke={l.color}
            strokeWidth={l.width ?? 1.5}
            strokeDasharray={l.dash}
          />
        ))}
        {markers.map((mk) => (
          <circle key={mk.label} cx={sx(mk.x)} cy={sy(mk.y)} r={4} fill={mk.color} stroke="white">
            <title>{mk.label}</title>
          </circle>
        ))}
        {hover && (
          <g pointerEvents="none">
            <circle cx={hover.px} cy={hover.py} r={3.5} fill="none" stroke="#111" />
            <text
              x={Math.min(hover.px + 6, width - 150)}
              y={Math.max(hover.py - 8, 30)}
              className="an-hover"
              data-testid="plot-hover"
            >
              {hover.line}: ({hover.x.toPrecision(4)}, {hover.y.toPrecision(4)})
            </text>
          </g>
        )}
      </svg>
      <figcaption className="an-legend">
        {lines
          .filter((l) => !l.key.startsWith('_'))
          .map((l) => (
            <span key={l.key}>
              <i style={{ background: l.color, opacity: l.dash ? 0.6 : 1 }} />
              {l.label}
            </span>
          ))}
      </figcaption>
    </figure>
  );
}

/** Distinct colours for OOD sets (far → near), ID in blue, outliers grey/red. */
export const SET_COLORS = [
  '#e8590c',
  '#2f9e44',
  '#9c36b5',
  '#1098ad',
  '#8d6e63',
  '#f08c00',
  '#5c940d',
  '#495057',
];
export const ID_COLOR = '#1c7ed6';
