// Legends name where each series ran: the paper, our committed PyTorch runs ("reference"), the user's browser, or
// another origin (e.g. `npm run exp` in Node) under its own name — never a Node run as "reference".
import { describe, expect, it } from 'vitest';
import { sourceLabel } from './aggregate';

const base = { backend: 'pytorch-cpu', setting: 'consistent', scale: 'quick', date: '2026-11-30' };

describe('sourceLabel', () => {
  it('labels each origin by where it ran', () => {
    expect(sourceLabel({ ...base, origin: 'paper' })).toBe('paper');
    expect(sourceLabel({ ...base, origin: 'torchrun' })).toBe(
      'reference pytorch-cpu, quick, 2026-11-30 (consistent)',
    );
    expect(sourceLabel({ ...base, origin: 'reference' })).toMatch(/^reference pytorch-cpu/);
    expect(sourceLabel({ ...base, origin: 'browser', backend: 'wasm' })).toBe(
      'your browser wasm, quick (consistent)',
    );
    expect(sourceLabel({ ...base, origin: 'node', backend: 'wasm', setting: 'toy' })).toBe(
      'node wasm, quick, 2026-11-30 (toy)',
    );
  });
});
