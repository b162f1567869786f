import { describe, expect, it } from 'vitest';
import { chooseBackend, formatRatio, softwareAdapterReason, type BackendCandidate } from './backendChoice';

const cand = (backend: BackendCandidate['backend'], o: Partial<BackendCandidate> = {}): BackendCandidate => ({
  backend,
  failure: null,
  software: null,
  probeMs: null,
  ...o,
});

describe('softwareAdapterReason', () => {
  it('recognises the emulators adapters report, in any field', () => {
    // What Debian Chromium reports here (WebGPU adapter info and WebGL's unmasked renderer).
    expect(softwareAdapterReason({ vendor: 'google', architecture: 'swiftshader', description: '' })).toBe(
      'a software emulator (SwiftShader)',
    );
    expect(
      softwareAdapterReason({
        renderer:
          'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      }),
    ).toBe('a software emulator (SwiftShader)');
    expect(softwareAdapterReason({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(
      'a software emulator (llvmpipe)',
    );
    expect(softwareAdapterReason({ device: 'Lavapipe' })).toBe('a software emulator (lavapipe)');
    expect(softwareAdapterReason({ renderer: 'Microsoft Basic Render Driver' })).toMatch(/software emulator/);
    expect(softwareAdapterReason({ vendor: 'nvidia', isFallbackAdapter: true })).toMatch(/fallback/);
  });

  it('does not flag real GPUs', () => {
    expect(
      softwareAdapterReason({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA H200' }),
    ).toBeNull();
    expect(
      softwareAdapterReason({
        renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      }),
    ).toBeNull();
    expect(
      softwareAdapterReason({ vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false }),
    ).toBeNull();
    expect(softwareAdapterReason({})).toBeNull();
  });
});

describe('chooseBackend', () => {
  it('no GPU (this machine): WASM over SwiftShader WebGPU/WebGL, with the measured ratio in the headline', () => {
    const d = chooseBackend([
      cand('webgpu', { software: 'a software emulator (SwiftShader)', probeMs: 1830 }),
      cand('webgl', { software: 'a software emulator (SwiftShader)', probeMs: 410 }),
      cand('wasm', { probeMs: 12.2 }),
      cand('cpu', { probeMs: 95 }),
    ]);
    expect(d.backend).toBe('wasm');
    expect(d.headline).toBe(
      'WebGPU is a software emulator (SwiftShader) here: WASM is 150× faster (probe step 12.2 ms vs 1830 ms)',
    );
    expect(d.skipped.map((s) => s.backend)).toEqual(['webgpu', 'webgl', 'cpu']);
    expect(d.skipped[1].reason).toMatch(
      /^WebGL is a software emulator \(SwiftShader\) here: WASM is 34× faster/,
    );
    expect(d.skipped[2].reason).toBe('WASM is 7.8× faster (probe step 12.2 ms vs 95.0 ms)');
  });

  it('a software GPU that timed out is reported as a lower bound', () => {
    const d = chooseBackend([
      cand('webgpu', { software: 'a software emulator (SwiftShader)', probeMs: 4000, probeTimedOut: true }),
      cand('wasm', { probeMs: 20 }),
    ]);
    expect(d.backend).toBe('wasm');
    expect(d.headline).toMatch(/WASM is more than 200× faster \(probe step 20\.0 ms vs > 4000 ms\)/);
  });

  it('a software GPU is never chosen on faith when it could not be timed', () => {
    const d = chooseBackend([
      cand('webgpu', { software: 'a software emulator (SwiftShader)' }),
      cand('wasm'),
    ]);
    expect(d.backend).toBe('wasm');
    expect(d.headline).toBe('WebGPU is a software emulator (SwiftShader) here: WASM works');
  });

  it('a hardware GPU keeps its place unless a CPU path is ≥ 4× faster on the tiny probe', () => {
    const near = chooseBackend([cand('webgpu', { probeMs: 30 }), cand('wasm', { probeMs: 10 })]);
    expect(near.backend).toBe('webgpu');
    expect(near.headline).toBeNull();
    expect(near.skipped[0].reason).toMatch(/hardware GPU and is preferred: its probe is within 4× of WASM/);
    const far = chooseBackend([cand('webgpu', { probeMs: 50 }), cand('wasm', { probeMs: 10 })]);
    expect(far.backend).toBe('wasm');
    expect(far.headline).toBe('WebGPU is slower here: WASM is 5.0× faster (probe step 10.0 ms vs 50.0 ms)');
    expect(chooseBackend([cand('webgpu'), cand('wasm', { probeMs: 10 })]).backend).toBe('webgpu');
  });

  it('a faster software GPU beats the CPU paths (timings decide, not labels)', () => {
    const d = chooseBackend([
      cand('webgl', { software: 'a software emulator (SwiftShader)', probeMs: 5 }),
      cand('wasm', { probeMs: 12 }),
    ]);
    expect(d.backend).toBe('webgl');
    expect(d.skipped[0].reason).toMatch(/^WebGL is 2\.4× faster/);
  });

  it('failures are passed through, and nothing working throws with every reason', () => {
    const d = chooseBackend([
      cand('webgpu', { failure: 'navigator.gpu is missing' }),
      cand('wasm', { probeMs: 3 }),
    ]);
    expect(d.backend).toBe('wasm');
    expect(d.skipped).toEqual([{ backend: 'webgpu', reason: 'navigator.gpu is missing' }]);
    expect(d.headline).toBeNull();
    expect(() => chooseBackend([cand('wasm', { failure: 'x' }), cand('cpu', { failure: 'y' })])).toThrow(
      /wasm: x; cpu: y/,
    );
  });

  it('formats ratios', () => {
    expect([150.4, 9.96, 2.34].map(formatRatio)).toEqual(['150×', '10.0×', '2.3×']);
  });
});
