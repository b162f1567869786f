// The worker's one active run: cancel reaches the running function's signal, pause holds it at its gate, a
// second run is refused while one goes, and controls do nothing once it has settled.
import { describe, expect, it } from 'vitest';
import { ActiveRun } from './activeRun';

describe('ActiveRun', () => {
  it('cancels and pauses the running function, refuses a second and forgets a settled one', async () => {
    const active = new ActiveRun();
    let passedGates = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = active.run(async (control) => {
      await control.gate();
      passedGates++;
      await held;
      await control.gate(); // paused below: waits here until resumed or cancelled
      passedGates++;
      return control.signal.aborted;
    });
    expect(active.running).toBe(true);
    await expect(active.run(async () => 1)).rejects.toThrow(/already in progress/);
    active.setPaused(true);
    release();
    await new Promise((r) => setTimeout(r, 20));
    expect(passedGates).toBe(1);
    active.setPaused(false);
    expect(await first).toBe(false);
    expect(passedGates).toBe(2);
    expect(active.running).toBe(false);

    const second = active.run(async (control) => {
      await new Promise((r) => setTimeout(r, 10));
      await control.gate();
      return 'not cancelled';
    });
    active.cancel();
    await expect(second).rejects.toThrow(/abort/i);
    expect(active.running).toBe(false);
    active.cancel(); // nothing runs: no effect, no throw
    expect(await active.run(async (control) => control.signal.aborted)).toBe(false);
  });
});
