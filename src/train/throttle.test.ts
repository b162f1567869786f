import { describe, expect, it } from 'vitest';
import { throttle } from './throttle';

describe('throttle', () => {
  it('passes the first call, then at most one per interval, and every forced call', () => {
    let t = 1000;
    const got: number[] = [];
    const send = throttle(
      (v: number) => got.push(v),
      200,
      () => t,
    );
    send(1); // first: passes
    t += 100;
    send(2); // 100 ms later: dropped
    send(3, true); // forced: passes and restarts the interval
    t += 150;
    send(4); // 150 ms after the forced one: dropped
    t += 50;
    send(5); // 200 ms: passes
    expect(got).toEqual([1, 3, 5]);
  });
  it('does nothing without a target', () => {
    expect(() => throttle<number>(undefined)(1, true)).not.toThrow();
  });
});
