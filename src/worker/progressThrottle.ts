import type { CurvePoint } from '../train/checkpoint';
import type { TrainProgress } from '../train/loop';
import type { TrainUpdate } from './trainApi';

/**
 * Sends progress to the UI at most about every 240 ms (plus every status change), with the curve points
 * collected since the previous message; elapsed and ETA are advanced to the moment of sending.
 */
export function throttled(onUpdate: (u: TrainUpdate) => void) {
  let latest: TrainProgress | null = null;
  let at = 0;
  let points: CurvePoint[] = [];
  let sent = 0;
  const flush = () => {
    if (!latest) return;
    const extra = latest.status === 'running' ? (performance.now() - at) / 1000 : 0;
    const eta = Math.max(0, latest.etaSeconds - extra);
    onUpdate({
      progress: { ...latest, elapsedSeconds: latest.elapsedSeconds + extra, etaSeconds: eta },
      points,
    });
    points = [];
    sent = performance.now();
  };
  const timer = setInterval(() => {
    if (performance.now() - sent >= 240) flush();
  }, 250);
  return {
    push(p: TrainProgress, point: CurvePoint | null) {
      latest = p;
      at = performance.now();
      if (point) points.push(point);
      if (p.status !== 'running' || performance.now() - sent >= 240) flush();
    },
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
