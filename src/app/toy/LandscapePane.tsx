import { useEffect, useRef, useState, type MouseEvent } from 'react';
import type { ToyEvaluation } from '../../train/toy/evaluate';
import { CLASS_COLORS, drawLandscape, probe, type EnergyScale } from './draw';
import { useToyStore } from './toyStore';

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/** The pane's headline numbers under the canvas: label and how it is read from the evaluation. */
const HEADLINE_NUMBERS: [string, (ev: ToyEvaluation) => string | number][] = [
  ['accepted area', (ev) => percent(ev.acceptedArea)],
  ['AUROC', (ev) => percent(ev.AUROC)],
  ['FPR95TPR', (ev) => percent(ev.FPR95TPR)],
  ['ID accuracy', (ev) => percent(ev.accuracy)],
  ['steps', (ev) => ev.steps],
];

/** One landscape canvas with its title, headline numbers and a hover read-out. Clicking adds an ID point. */
export function LandscapePane(props: {
  title: string;
  subtitle: string;
  evaluation: ToyEvaluation | null;
  scale: EnergyScale;
  testId: string;
  size: number;
}) {
  const { evaluation: ev, scale, size } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const data = useToyStore((s) => s.data);
  const showOutliers = useToyStore((s) => s.params.showOutliers);
  const showArrows = useToyStore((s) => s.params.showArrows);
  const showTest = useToyStore((s) => s.params.showTest);
  const addPoint = useToyStore((s) => s.addPoint);
  const [hover, setHover] = useState<{ x: number; y: number } | null>(null);

  useEffect(() => {
    if (!canvas.current || !ev) return;
    const t0 = performance.now();
    drawLandscape(canvas.current, ev, data, {
      size,
      dpr: window.devicePixelRatio || 1,
      scale,
      params: { showOutliers, showArrows, showTest },
    });
    // Read by `npm run bench:toy`; a bounded buffer so long sessions do not accumulate entries.
    if (performance.getEntriesByName('toy-draw').length > 500) performance.clearMeasures('toy-draw');
    performance.measure('toy-draw', { start: t0, end: performance.now() });
  }, [ev, data, scale, size, showOutliers, showArrows, showTest]);

  const toView = (e: MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const half = ev?.viewHalf ?? 6;
    return {
      x: ((e.clientX - rect.left) / rect.width) * 2 * half - half,
      y: half - ((e.clientY - rect.top) / rect.height) * 2 * half,
    };
  };
  const info = ev && hover ? probe(ev, hover.x, hover.y) : null;

  return (
    <figure className="toy-pane" data-testid={props.testId}>
      <figcaption>
        <strong>{props.title}</strong> <span className="muted">{props.subtitle}</span>
      </figcaption>
      <div className="toy-canvas-wrap" style={{ width: size, height: size }}>
        <canvas
          ref={canvas}
          style={{ width: size, height: size }}
          aria-label={`${props.title}: energy landscape; click to add an ID point, shift-click for another class`}
          onMouseMove={(e) => setHover(toView(e))}
          onMouseLeave={() => setHover(null)}
          onClick={(e) => {
            const p = toView(e);
            void addPoint(p.x, p.y, e.shiftKey);
          }}
        />
        {!ev && <div className="toy-canvas-empty">training…</div>}
      </div>
      <div className="toy-hover" aria-live="off">
        {info && hover ? (
          <>
            ({hover.x.toFixed(2)}, {hover.y.toFixed(2)}) · E = {info.energy.toFixed(2)}{' '}
            {info.accepted ? '(accepted as ID)' : '(rejected as OOD)'} · class{' '}
            <span style={{ color: CLASS_COLORS[info.predicted % CLASS_COLORS.length] }}>■</span>{' '}
            {info.predicted} · p(y|x) = [{info.probs.map((p) => p.toFixed(2)).join(', ')}]
          </>
        ) : (
          <span className="muted">hover the plane for E(x), the predicted class and p(y|x)</span>
        )}
      </div>
      {ev && (
        <dl className="toy-numbers" data-testid={`${props.testId}-numbers`}>
          {HEADLINE_NUMBERS.map(([label, text]) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>{text(ev)}</dd>
            </div>
          ))}
        </dl>
      )}
    </figure>
  );
}
