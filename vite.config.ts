import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Cross-origin isolation (COOP same-origin + COEP require-corp) makes SharedArrayBuffer available, which the
 * threaded WASM backend needs. Both the dev and the preview server send the headers.
 */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * tfjs-backend-wasm's threaded build starts its pthread workers from a Blob holding its own factory's source
 * (`factory.toString()`). That function reads `_scriptDir`, a variable of the enclosing IIFE; once minified, the
 * renamed variable (and `typeof` guards turned into `!== void 0`) no longer exist in the Blob, and every pthread
 * worker dies with "ReferenceError: e is not defined". Moving `_scriptDir` onto globalThis keeps it resolvable.
 */
function tfjsWasmThreadsFix(): Plugin {
  const global = 'globalThis.__tfjsWasmScriptDir';
  return {
    name: 'tfjs-wasm-threaded-scriptdir',
    transform(code, id) {
      if (!id.includes('tfjs-backend-wasm-threaded-simd.js') || !code.includes('_scriptDir')) return null;
      return {
        code: code.replaceAll('_scriptDir', global).replace(`var ${global} =`, `${global} =`),
        map: null,
      };
    },
  };
}

export default defineConfig({
  plugins: [react()],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsFix()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
});
