import type { CurvePoint } from '../train/checkpoint';
import type { TrainProgress } from '../train/loop';
import { throttle } from '../train/throttle';
import type { TrainUpdate } from './trainApi';

/**
 * Sends progress to the UI at most about every 240 ms (plus every status change), with the curve points
 * collected since the previous message; elapsed and ETA are advanced to the moment of sending. A timer keeps
 * the clock moving between steps (a long step sends nothing itself).
 */
export function throttled(onUpdate: (u: TrainUpdate) => void) {
  let latest: TrainProgress | null = null;
  let at = 0;
  let points: CurvePoint[] = [];
  const flush = () => {
    if (!latest) return;
    const extra = latest.status === 'running' ? (performance.now() - at) / 1000 : 0;
    const eta = Math.max(0, latest.etaSeconds - extra);
    onUpdate({
      progress: { ...latest, elapsedSeconds: latest.elapsedSeconds + extra, etaSeconds: eta },
      points,
    });
    points = [];
  };
  const send = throttle(flush, 240, () => performance.now());
  const timer = setInterval(() => send(undefined), 250);
  return {
    push(p: TrainProgress, point: CurvePoint | null) {
      latest = p;
      at = performance.now();
      if (point) points.push(point);
      send(undefined, p.status !== 'running');
    },
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
