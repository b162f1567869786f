/**
 * Memory of Chromium's processes from /proc (Linux): every descendant of this Node process whose command line is
 * Chromium, grouped by `--type=` (the tab's renderer — which also runs its dedicated workers as threads —, the
 * GPU process, utilities, the browser). RSS counts shared pages in every process that maps them, so the sum
 * uses PSS (proportional set size) from `smaps_rollup`.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** One process's memory, bytes. */
export interface ProcMemory {
  pid: number;
  kind: string;
  rssBytes: number;
  pssBytes: number;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …; comm may hold spaces and parentheses, so split after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function kindOf(cmdline: string): string | null {
  if (!/chrom/i.test(cmdline.split('\0')[0] ?? '')) return null;
  const t = /--type=([a-z-]+)/.exec(cmdline);
  if (!t) return 'browser';
  if (t[1] === 'utility') {
    const s = /--utility-sub-type=([\w.]+)/.exec(cmdline);
    return `utility:${s ? s[1].split('.').pop() : '?'}`;
  }
  return t[1];
}

function kbField(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Chromium processes below `root` (default: this process) with their RSS and PSS. */
export function chromiumProcesses(root = process.pid): ProcMemory[] {
  const pids = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const parent = new Map(pids.map((p) => [p, parentOf(p)]));
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid) ?? -1, hops = 0; p > 1 && hops < 20; p = parent.get(p) ?? -1, hops++)
      if (p === root) return true;
    return false;
  };
  const out: ProcMemory[] = [];
  for (const pid of pids) {
    if (!below(pid)) continue;
    try {
      const kind = kindOf(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      if (!kind) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      out.push({ pid, kind, rssBytes: kbField(rollup, 'Rss'), pssBytes: kbField(rollup, 'Pss') });
    } catch {
      // the process ended between listing and reading
    }
  }
  return out;
}

/** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two points. */
export function slope(x: number[], y: number[]): number {
  const n = x.length;
  if (n < 2) return 0;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}
