/**
 * Which tfjs backend to train on, decided from facts about the adapters and a timed probe step on each
 * candidate — pure functions, so the decision is unit-tested in Node; `src/worker/backend.ts` only gathers the
 * facts and timings in the browser.
 *
 * Why: on a machine without a GPU, Chromium offers WebGPU and WebGL on SwiftShader, a CPU emulator of a GPU;
 * they initialise and compute correctly, so "first backend that works" picked WebGPU, 100–200× slower than
 * WASM for our convnets.
 */

/** Backends in the order the app prefers them when nothing else is known. */
export const BACKEND_PREFERENCE = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_PREFERENCE)[number];

/** What the browser says about a GPU backend's adapter (any field may be missing). */
export interface AdapterFacts {
  /** WebGPU `GPUAdapterInfo` fields. */
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  /** WebGPU: the adapter is the browser's fallback (software) adapter. */
  isFallbackAdapter?: boolean;
  /** WebGL: `UNMASKED_RENDERER_WEBGL` (WEBGL_debug_renderer_info), else `RENDERER`. */
  renderer?: string;
}

/** Names of CPU rasterisers / GPU emulators that adapters report. */
const SOFTWARE_NAMES =
  /swiftshader|llvmpipe|lavapipe|softpipe|software rasterizer|microsoft basic render|basic render driver|warp\b/i;

/**
 * Why a GPU adapter is a software emulator, or null when nothing says so.
 * @returns e.g. "a software emulator (SwiftShader)".
 */
export function softwareAdapterReason(f: AdapterFacts): string | null {
  const text = [f.vendor, f.architecture, f.device, f.description, f.renderer].filter(Boolean).join(' ');
  const m = SOFTWARE_NAMES.exec(text);
  if (m) return `a software emulator (${canonicalName(m[0])})`;
  if (f.isFallbackAdapter) return 'the browser’s fallback (software) adapter';
  return null;
}

function canonicalName(s: string): string {
  const l = s.toLowerCase();
  if (l === 'swiftshader') return 'SwiftShader';
  if (l === 'llvmpipe') return 'llvmpipe';
  if (l === 'lavapipe') return 'lavapipe';
  return s;
}

/** One backend as the worker found it. */
export interface BackendCandidate {
  backend: BackendKind;
  /** null if it initialised and computed correctly; else why not. */
  failure: string | null;
  /** From `softwareAdapterReason` (GPU backends only). */
  software: string | null;
  /** Median wall time of the probe step (ms), null if not timed (failed, or timing not run). */
  probeMs: number | null;
  /** The probe did not finish within the time limit (probeMs is then the limit, a lower bound). */
  probeTimedOut?: boolean;
}

/** The decision: the chosen backend, why each other one is not used, and a one-line headline for the badge. */
export interface BackendDecision {
  backend: BackendKind;
  /** For every candidate not chosen, in preference order: why (a sentence a user can act on). */
  skipped: { backend: BackendKind; reason: string }[];
  /** Set when a preferred backend initialised but was passed over for speed, e.g. "WebGPU is … WASM is 150× faster". */
  headline: string | null;
}

/**
 * A hardware GPU backend must be at least this many times slower than a CPU path on the probe before the CPU path
 * is preferred: the probe is tiny (dispatch latency dominates on a real GPU), while real batches favour the GPU.
 */
export const HARDWARE_GPU_TOLERANCE = 4;

const LABEL: Record<BackendKind, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };

/** "150×" / "2.3×" from a ratio. */
export function formatRatio(r: number): string {
  return r >= 10 ? `${Math.round(r)}×` : `${r.toFixed(1)}×`;
}

/**
 * Choose the backend: the eligible candidate (failure null; none → throws with every reason) with the smallest
 * effective probe time, ties broken by preference (WebGPU → WebGL → WASM → CPU). Effective time:
 * - software GPU backend: its probe time (untimed → +∞: never chosen over a working CPU path on faith);
 * - hardware GPU backend: probe time / HARDWARE_GPU_TOLERANCE (untimed → 0: trusted);
 * - WASM / CPU: probe time (untimed → a large finite number, so they still beat an untimed software GPU).
 */
export function chooseBackend(candidates: readonly BackendCandidate[]): BackendDecision {
  const ok = candidates.filter((c) => c.failure === null);
  if (ok.length === 0) {
    throw new Error(
      `No tfjs backend could be started (${candidates.map((c) => `${c.backend}: ${c.failure}`).join('; ')})`,
    );
  }
  const rank = (c: BackendCandidate) => BACKEND_PREFERENCE.indexOf(c.backend);
  const isGpu = (c: BackendCandidate) => c.backend === 'webgpu' || c.backend === 'webgl';
  const eff = (c: BackendCandidate): number => {
    if (isGpu(c) && c.software) return c.probeMs ?? Infinity;
    if (isGpu(c)) return c.probeMs === null ? 0 : c.probeMs / HARDWARE_GPU_TOLERANCE;
    return c.probeMs ?? Number.MAX_VALUE;
  };
  const best = [...ok].sort((a, b) => (eff(a) < eff(b) ? -1 : eff(a) > eff(b) ? 1 : rank(a) - rank(b)))[0];
  const skipped: BackendDecision['skipped'] = [];
  let headline: string | null = null;
  for (const c of [...candidates].sort((a, b) => rank(a) - rank(b))) {
    if (c === best) continue;
    if (c.failure !== null) {
      skipped.push({ backend: c.backend, reason: c.failure });
      continue;
    }
    const timed = c.probeMs !== null && best.probeMs !== null;
    const probe = timed
      ? ` (probe step ${fmtMs(best.probeMs!)} vs ${c.probeTimedOut ? '> ' : ''}${fmtMs(c.probeMs!)})`
      : '';
    const faster = timed
      ? `${LABEL[best.backend]} is ${c.probeTimedOut ? 'more than ' : ''}${formatRatio(c.probeMs! / best.probeMs!)} faster${probe}`
      : `${LABEL[best.backend]} works`;
    let reason: string;
    if (rank(c) < rank(best)) {
      reason = c.software
        ? `${LABEL[c.backend]} is ${c.software} here: ${faster}`
        : `${LABEL[c.backend]} is slower here: ${faster}`;
      headline ??= reason;
    } else if (isGpu(best) && !best.software && timed && best.probeMs! > c.probeMs!) {
      reason =
        `${LABEL[best.backend]} runs on a hardware GPU and is preferred: its probe is within ` +
        `${HARDWARE_GPU_TOLERANCE}× of ${LABEL[c.backend]}${probe}, and real batches favour the GPU`;
    } else {
      reason = timed
        ? `${LABEL[best.backend]} is ${formatRatio(c.probeMs! / best.probeMs!)} faster${probe}`
        : `not needed: ${LABEL[best.backend]} works`;
    }
    skipped.push({ backend: c.backend, reason });
  }
  return { backend: best.backend, skipped, headline };
}

function fmtMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}
