import { create } from 'zustand';
import type { BackendInfo } from '../worker/backend';

/** App-wide state that the shell renders. Panels keep their own slices in their own stores. */
export interface AppState {
  backend: BackendInfo | null;
  backendError: string | null;
  setBackend(info: BackendInfo): void;
  setBackendError(message: string): void;
}

export const useAppStore = create<AppState>((set) => ({
  backend: null,
  backendError: null,
  setBackend: (info) => set({ backend: info, backendError: null }),
  setBackendError: (message) => set({ backendError: message }),
}));
