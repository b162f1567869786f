import { describe, expect, it } from 'vitest';
import { defaultToyParams } from './params';
import { RetrainMemo } from './retrainMemo';

const state = (steps: number) => ({ weights: [] as never, steps, loss: steps / 10 });

describe('the toy retrain memo', () => {
  it('keys on training settings, ε and data version, not on display settings', () => {
    const p = defaultToyParams();
    const k = RetrainMemo.key(p, 0.5, 1);
    expect(RetrainMemo.key({ ...p, showArrows: 1 - p.showArrows, grid: p.grid + 10 }, 0.5, 1)).toBe(k);
    expect(RetrainMemo.key(p, 0.4, 1)).not.toBe(k);
    expect(RetrainMemo.key(p, 0.5, 2)).not.toBe(k);
    expect(RetrainMemo.key({ ...p, lambda: p.lambda + 0.1 }, 0.5, 1)).not.toBe(k);
  });

  it('keeps the newest entries up to its capacity (a re-put entry counts as new)', () => {
    const m = new RetrainMemo(2);
    m.put('a', state(1));
    m.put('b', state(2));
    m.put('a', state(3)); // refresh a: b is now the oldest
    m.put('c', state(4));
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')!.steps).toBe(3);
    expect(m.get('c')!.steps).toBe(4);
    expect(m.size).toBe(2);
    m.clear();
    expect(m.size).toBe(0);
  });
});
