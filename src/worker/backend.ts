import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from '../models/wasmKernels';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  chooseBackend,
  softwareAdapterReason,
  type AdapterFacts,
  type BackendCandidate,
} from '../train/backendChoice';

/** The tfjs backends the app can run on, in the order it tries them. */
export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

/** One backend that was tried and not used, with the reason in words a user can act on. */
export interface BackendFallback {
  backend: BackendName;
  reason: string;
}

/** What the worker ended up running on, and why. */
export interface BackendInfo {
  backend: BackendName;
  /** Human-readable details of the chosen backend (adapter, threads, SIMD). */
  detail: string;
  /** Every backend tried before the chosen one, in order, with why it was skipped. */
  fallbacks: BackendFallback[];
  /** Whether the worker was forced onto this backend by the user. */
  forced: boolean;
  crossOriginIsolated: boolean;
  /** Why a preferred backend was passed over for speed (e.g. "WebGPU is a software emulator … 150× faster"). */
  headline?: string | null;
  /** Set when the chosen (e.g. forced) GPU backend is a software emulator: why. */
  software?: string | null;
  /** The start-up probe step on each candidate (ms, median), as measured. */
  probes?: {
    backend: BackendName;
    probeMs: number | null;
    probeTimedOut?: boolean;
    software: string | null;
  }[];
}

/** Longest the start-up probe may take on one backend before it counts as "slower than this" (ms). */
const PROBE_LIMIT_MS = 3000;

/**
 * Time a tiny representative training step on the active backend: a 3×3 convolution 16 → 16 channels on a
 * [4, 16, 16, 16] batch, ReLU and mean, forward and backward (gradients w.r.t. input and filter). One warm-up
 * (shader compilation), then the median of three (one when a step takes > 300 ms). Gives up after PROBE_LIMIT_MS
 * (the result is then a bound).
 */
async function probeStep(): Promise<{ ms: number; timedOut: boolean }> {
  const x = tf.randomUniform([4, 16, 16, 16]) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 16, 16], -0.1, 0.1) as tf.Tensor4D;
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.mean(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))),
  );
  const once = async () => {
    const t0 = performance.now();
    const out = g([x, w]);
    await Promise.all(out.map((t) => t.data()));
    tf.dispose(out);
    return performance.now() - t0;
  };
  const release = () => tf.dispose([x, w]);
  const warm = once();
  const first = await Promise.race([
    warm.catch((err: unknown) => ({ err })),
    new Promise<null>((r) => setTimeout(() => r(null), PROBE_LIMIT_MS)),
  ]);
  if (first === null) {
    // Timed out: the step still finishes in the background; free its inputs only then.
    warm.then(release, release);
    return { ms: PROBE_LIMIT_MS, timedOut: true };
  }
  if (typeof first === 'object') {
    release();
    throw first.err; // the caller treats the backend as untimed
  }
  try {
    // Median of 3; a slow backend (> 300 ms a step, e.g. an emulator) is timed once to keep start-up short.
    const t1 = await once();
    if (t1 > 300) return { ms: t1, timedOut: false };
    const times = [t1, await once(), await once()].sort((a, b) => a - b);
    return { ms: times[1], timedOut: false };
  } finally {
    release();
  }
}

/** What the active GPU backend's adapter says about itself (WebGPU adapter info, WebGL renderer). */
async function adapterFacts(name: BackendName): Promise<AdapterFacts> {
  if (name === 'webgpu') {
    const adapter = await (navigator as Navigator & { gpu?: GPU }).gpu?.requestAdapter();
    const info = adapter?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    const legacy = (adapter as { isFallbackAdapter?: boolean } | null | undefined)?.isFallbackAdapter;
    return {
      vendor: info?.vendor,
      architecture: info?.architecture,
      device: info?.device,
      description: info?.description,
      isFallbackAdapter: info?.isFallbackAdapter ?? legacy,
    };
  }
  if (name === 'webgl') {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return {};
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return { renderer: String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
  }
  return {};
}

async function describeWebGpu(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'WebGPU';
  const adapter = await gpu.requestAdapter();
  const info = adapter?.info;
  if (!info) return 'WebGPU';
  return `WebGPU (${[info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter'})`;
}

async function checkPrerequisites(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu) return 'navigator.gpu is missing (this browser or context has no WebGPU)';
    const adapter = await gpu.requestAdapter();
    if (!adapter) return 'navigator.gpu.requestAdapter() returned no adapter';
  }
  if (name === 'webgl') {
    if (typeof OffscreenCanvas === 'undefined') return 'OffscreenCanvas is not available in this worker';
    const gl =
      new OffscreenCanvas(1, 1).getContext('webgl2') ?? new OffscreenCanvas(1, 1).getContext('webgl');
    if (!gl) return 'no WebGL context could be created in the worker';
  }
  return null;
}

function configureWasm(): string {
  setWasmPaths({
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  });
  const cores = navigator.hardwareConcurrency || 1;
  if (self.crossOriginIsolated) {
    // Use every core, up to the 8 threads tfjs-wasm's pre-started pthread pool serves (see liftWasmCoreCap).
    const threads = Math.min(cores, 8);
    setThreadsCount(threads);
    return `WASM (SIMD, ${threads} threads)`;
  }
  return 'WASM (single thread: the page is not cross-origin isolated)';
}

/**
 * tfjs-wasm 4.22's C++ caps XNNPACK's threads at min(requested, 8, hardwareConcurrency / 2), reading
 * navigator.hardwareConcurrency (through emscripten_num_logical_cores) once while the module starts, so
 * setThreadsCount alone cannot use every core. While the backend starts, present twice the real core count;
 * the returned function restores the real value.
 */
function liftWasmCoreCap(): () => void {
  const cores = navigator.hardwareConcurrency || 1;
  try {
    Object.defineProperty(navigator, 'hardwareConcurrency', { value: cores * 2, configurable: true });
  } catch {
    return () => {};
  }
  return () => {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}

/** The WASM backend as initialised: SIMD or not, and the thread count XNNPACK really uses. */
async function describeWasm(): Promise<string> {
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const threads = getThreadsCount();
  const cores = navigator.hardwareConcurrency || 1;
  const why = threaded ? '' : self.crossOriginIsolated ? ', no wasm threads' : ', not cross-origin isolated';
  return `WASM (${simd ? 'SIMD' : 'no SIMD'}, ${threads} of ${cores} threads${why})`;
}

/**
 * Start one backend and prove it computes. @returns its detail string, or throws / returns a failure reason.
 */
async function initBackend(name: BackendName): Promise<{ detail: string } | { failure: string }> {
  try {
    const missing = await checkPrerequisites(name);
    if (missing) return { failure: missing };
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      configureWasm();
      // Stock tfjs-wasm cannot train a convnet (no Conv2DBackpropFilter); add it before any training.
      registerWasmTrainingKernels();
    }
    const restoreCores = name === 'wasm' && self.crossOriginIsolated ? liftWasmCoreCap() : () => {};
    let ok: boolean;
    try {
      ok = await tf.setBackend(name);
      await tf.ready();
    } finally {
      restoreCores();
    }
    if (!ok || tf.getBackend() !== name) return { failure: `tf.setBackend('${name}') failed to initialise` };
    // A tiny computation proves the backend really runs, not merely registers.
    const probe = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1));
    const values = await probe.data();
    probe.dispose();
    if (values[0] !== 2 || values[1] !== 3) return { failure: 'a test computation gave wrong numbers' };
    if (name === 'cpu') {
      // tfjs-cpu's own conv filter gradient is ~10-25× slower than this forward-conv formulation.
      useFastCpuConvFilterGradient();
      return { detail: 'CPU (plain JavaScript, slowest)' };
    }
    if (name === 'webgpu') return { detail: await describeWebGpu() };
    if (name === 'webgl') return { detail: `WebGL ${tf.env().getNumber('WEBGL_VERSION')}` };
    return { detail: await describeWasm() };
  } catch (err) {
    return { failure: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Start the fastest backend here. Every candidate (WebGPU, WebGL, WASM; CPU only when WASM fails) is started,
 * its adapter checked for software emulation (SwiftShader, llvmpipe, …) and a tiny training step timed on it;
 * `chooseBackend` (src/train/backendChoice.ts) decides from those facts and says why in `headline`/`fallbacks`.
 * @param forced when given, only this backend is tried (its failure is an error, not a fallback); its adapter
 *   is still checked, so the badge can say that a forced WebGPU is an emulator.
 */
export async function selectBackend(forced?: BackendName): Promise<BackendInfo> {
  const base = { forced: Boolean(forced), crossOriginIsolated: self.crossOriginIsolated };
  if (forced) {
    const r = await initBackend(forced);
    if ('failure' in r) throw new Error(`No tfjs backend could be started (${forced}: ${r.failure})`);
    const software = softwareAdapterReason(await adapterFacts(forced));
    return { ...base, backend: forced, detail: r.detail, fallbacks: [], software };
  }
  const candidates: BackendCandidate[] = [];
  const details = new Map<BackendName, string>();
  for (const name of BACKEND_ORDER) {
    if (name === 'cpu' && details.has('wasm')) {
      candidates.push({ backend: 'cpu', failure: null, software: null, probeMs: null });
      continue;
    }
    const r = await initBackend(name);
    if ('failure' in r) {
      candidates.push({ backend: name, failure: r.failure, software: null, probeMs: null });
      continue;
    }
    details.set(name, r.detail);
    const software = softwareAdapterReason(await adapterFacts(name));
    let timing: { ms: number | null; timedOut: boolean } = { ms: null, timedOut: false };
    try {
      timing = await probeStep();
    } catch {
      // An untimed candidate is judged by its kind (see chooseBackend).
    }
    candidates.push({
      backend: name,
      failure: null,
      software,
      probeMs: timing.ms,
      probeTimedOut: timing.timedOut,
    });
  }
  const decision = chooseBackend(candidates);
  if (tf.getBackend() !== decision.backend) {
    const again = await initBackend(decision.backend);
    if ('failure' in again) throw new Error(`${decision.backend} stopped working: ${again.failure}`);
  }
  const chosen = candidates.find((c) => c.backend === decision.backend)!;
  return {
    ...base,
    backend: decision.backend,
    detail: details.get(decision.backend) ?? decision.backend.toUpperCase(),
    fallbacks: decision.skipped,
    headline: decision.headline,
    software: chosen.software,
    probes: candidates.map((c) => ({
      backend: c.backend,
      probeMs: c.probeMs,
      probeTimedOut: c.probeTimedOut,
      software: c.software,
    })),
  };
}
