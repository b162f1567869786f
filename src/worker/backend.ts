import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, useFastCpuConvFilterGradient } from '../models/wasmKernels';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

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
 * Select the first backend that initialises, recording why each earlier one was skipped.
 * @param forced when given, only this backend is tried (its failure is an error, not a fallback).
 */
export async function selectBackend(forced?: BackendName): Promise<BackendInfo> {
  const order: readonly BackendName[] = forced ? [forced] : BACKEND_ORDER;
  const fallbacks: BackendFallback[] = [];
  for (const name of order) {
    try {
      const missing = await checkPrerequisites(name);
      if (missing) {
        fallbacks.push({ backend: name, reason: missing });
        continue;
      }
      let detail: string = name.toUpperCase();
      if (name === 'wasm') {
        await import('@tensorflow/tfjs-backend-wasm');
        detail = configureWasm();
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
      if (!ok || tf.getBackend() !== name) {
        fallbacks.push({ backend: name, reason: `tf.setBackend('${name}') failed to initialise` });
        continue;
      }
      // A tiny computation proves the backend really runs, not merely registers.
      const probe = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1));
      const values = await probe.data();
      probe.dispose();
      if (values[0] !== 2 || values[1] !== 3) {
        fallbacks.push({ backend: name, reason: 'a test computation gave wrong numbers' });
        continue;
      }
      if (name === 'webgpu') detail = await describeWebGpu();
      if (name === 'webgl') detail = `WebGL ${tf.env().getNumber('WEBGL_VERSION')}`;
      if (name === 'cpu') {
        // tfjs-cpu's own conv filter gradient is ~10-25× slower than this forward-conv formulation.
        useFastCpuConvFilterGradient();
        detail = 'CPU (plain JavaScript, slowest)';
      }
      if (name === 'wasm') detail = await describeWasm();
      return {
        backend: name,
        detail,
        fallbacks,
        forced: Boolean(forced),
        crossOriginIsolated: self.crossOriginIsolated,
      };
    } catch (err) {
      fallbacks.push({ backend: name, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  const tried = fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ');
  throw new Error(`No tfjs backend could be started (${tried})`);
}
