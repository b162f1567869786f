import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, PAPER_CONFIG, validateConfig } from './config';
import { mergeWrnConfig, paperValueOf, WRN_SCHEMA, wrnConfigFromQuery, wrnConfigToQuery } from './wrnSchema';

describe('WRN run-config schema', () => {
  it('has every config key, and its defaults are the browser default', () => {
    expect(Object.keys(WRN_SCHEMA).sort()).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    for (const [k, e] of Object.entries(WRN_SCHEMA))
      expect(e.default).toEqual(DEFAULT_CONFIG[k as keyof typeof DEFAULT_CONFIG]);
  });

  it('round-trips a changed config through the URL and ignores URLs without it', () => {
    const c = {
      ...PAPER_CONFIG,
      method: 'OE+noise' as const,
      epsilon: 0.25,
      nesterov: false,
      setting: 'authors' as const,
      lr: 1e-3,
    };
    const q = wrnConfigToQuery(c);
    expect(q.wv).toBe('1');
    expect(q['w.epsilon']).toBe('0.25');
    expect(wrnConfigFromQuery(q)).toEqual(c);
    expect(wrnConfigFromQuery({ seed: '3' })).toBeNull();
    expect(wrnConfigFromQuery({ wv: '99', 'w.seed': '3' })).toBeNull();
  });

  it('coerces and clamps, and names what it rejects', () => {
    const { config, rejected } = mergeWrnConfig(DEFAULT_CONFIG, {
      epochs: '2.6',
      epsilon: -1,
      method: 'magic',
      nesterov: 'false',
      nope: 1,
    });
    expect(config.epochs).toBe(3);
    expect(config.epsilon).toBe(0);
    expect(config.nesterov).toBe(false);
    expect(config.method).toBe(DEFAULT_CONFIG.method);
    expect(rejected.sort()).toEqual(['method', 'nope']);
    expect(validateConfig(config)).toEqual([]);
  });

  it("shows the paper's values beside the controls the paper states", () => {
    expect(paperValueOf('epsilon')?.value).toBe('0.5');
    expect(paperValueOf('idBatchSize')?.value).toBe('128');
    expect(paperValueOf('seed')).toBeNull();
  });
});
