/**
 * The WRN run config in the URL (schema-driven, versioned `wv`, keys prefixed `w.`), so a link restores the
 * training form exactly; the toy's keys and `?backend=` are left alone.
 */
import { DEFAULT_CONFIG, type ExperimentConfig } from '../../train/config';
import { WRN_SCHEMA, wrnConfigFromQuery, wrnConfigToQuery } from '../../train/wrnSchema';

/** The config a page load starts with: the URL's, else the browser default. */
export function configFromUrl(): ExperimentConfig {
  const q = Object.fromEntries(new URLSearchParams(location.search));
  return wrnConfigFromQuery(q) ?? { ...DEFAULT_CONFIG };
}

/** Write the config into the URL (replaceState: no history entry per keystroke). */
export function writeConfigToUrl(c: ExperimentConfig): void {
  const url = new URL(location.href);
  for (const k of Object.keys(WRN_SCHEMA)) url.searchParams.delete(`w.${k}`);
  for (const [k, v] of Object.entries(wrnConfigToQuery(c))) url.searchParams.set(k, v);
  history.replaceState(history.state, '', url);
}
