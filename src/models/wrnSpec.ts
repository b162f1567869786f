import type { WrnConfig } from './types';

/** Named WideResNet presets (dropRate is pytorch-ood's default 0.3; override per use). */
export const WRN_PRESETS = {
  /** The paper's model (2,243,546 trainable parameters for 10 classes). */
  'WRN-40-2': { depth: 40, widenFactor: 2 },
  /** The browser default: same design, 3× shallower. */
  'WRN-16-2': { depth: 16, widenFactor: 2 },
  /** Tiny model for tests. */
  'WRN-10-1': { depth: 10, widenFactor: 1 },
} as const;
export type WrnPresetName = keyof typeof WRN_PRESETS;

/** Build a config from a preset name. */
export function wrnConfig(
  preset: WrnPresetName,
  options: { numClasses?: number; dropRate?: number } = {},
): WrnConfig {
  const { depth, widenFactor } = WRN_PRESETS[preset];
  const config: WrnConfig = {
    kind: 'wrn',
    depth,
    widenFactor,
    numClasses: options.numClasses ?? 10,
    dropRate: options.dropRate ?? 0.3,
  };
  validateWrnConfig(config);
  return config;
}

/** Throws a readable error for an impossible architecture. */
export function validateWrnConfig(c: WrnConfig): void {
  if (!Number.isInteger(c.depth) || c.depth < 10 || (c.depth - 4) % 6 !== 0) {
    throw new Error(`WideResNet depth must be 6n+4 with n ≥ 1 (10, 16, 22, 28, 40, …), got ${c.depth}`);
  }
  if (!Number.isInteger(c.widenFactor) || c.widenFactor < 1) {
    throw new Error(`WideResNet widen factor must be a positive integer, got ${c.widenFactor}`);
  }
  if (!Number.isInteger(c.numClasses) || c.numClasses < 2) {
    throw new Error(`numClasses must be an integer ≥ 2, got ${c.numClasses}`);
  }
  if (!(c.dropRate >= 0 && c.dropRate < 1)) throw new Error(`dropRate must be in [0, 1), got ${c.dropRate}`);
}

/** Kind of one state_dict entry. */
export type EntryKind =
  'conv' | 'bnWeight' | 'bnBias' | 'bnMean' | 'bnVar' | 'bnCount' | 'fcWeight' | 'fcBias';

/** One entry of the PyTorch state_dict, with its tfjs counterpart. */
export interface StateEntry {
  /** PyTorch key, e.g. `block2.layer.0.convShortcut.weight`. */
  key: string;
  kind: EntryKind;
  /** Shape in PyTorch's layout (conv [out,in,kh,kw], fc [C,in]). */
  torchShape: number[];
  /** Shape in the tfjs layout (conv [kh,kw,in,out], fc [in,C]); [] for num_batches_tracked. */
  tfShape: number[];
  /** Trainable parameter (true) or buffer (running stats, counter). */
  trainable: boolean;
}

/** Channel widths [16, 16k, 32k, 64k] and blocks per group n = (depth − 4)/6. */
export function wrnShape(c: WrnConfig): { channels: [number, number, number, number]; n: number } {
  const k = c.widenFactor;
  return { channels: [16, 16 * k, 32 * k, 64 * k], n: (c.depth - 4) / 6 };
}

function convEntry(key: string, out: number, inC: number, ks: number): StateEntry {
  return { key, kind: 'conv', torchShape: [out, inC, ks, ks], tfShape: [ks, ks, inC, out], trainable: true };
}

function bnEntries(prefix: string, ch: number): StateEntry[] {
  const v = (suffix: string, kind: EntryKind, trainable: boolean): StateEntry => ({
    key: `${prefix}.${suffix}`,
    kind,
    torchShape: [ch],
    tfShape: [ch],
    trainable,
  });
  return [
    v('weight', 'bnWeight', true),
    v('bias', 'bnBias', true),
    v('running_mean', 'bnMean', false),
    v('running_var', 'bnVar', false),
    { key: `${prefix}.num_batches_tracked`, kind: 'bnCount', torchShape: [], tfShape: [], trainable: false },
  ];
}

/** One BasicBlock's layout: where it sits and what it maps. */
export interface BlockSpec {
  prefix: string;
  inC: number;
  outC: number;
  stride: number;
  /** in ≠ out: the shortcut is a 1×1 conv on the pre-activated input. */
  hasShortcut: boolean;
}

/** The BasicBlocks in order (block1..3 × n). */
export function wrnBlocks(c: WrnConfig): BlockSpec[] {
  const { channels, n } = wrnShape(c);
  const blocks: BlockSpec[] = [];
  for (let g = 0; g < 3; g++) {
    for (let i = 0; i < n; i++) {
      const inC = i === 0 ? channels[g] : channels[g + 1];
      const outC = channels[g + 1];
      blocks.push({
        prefix: `block${g + 1}.layer.${i}`,
        inC,
        outC,
        stride: i === 0 && g > 0 ? 2 : 1,
        hasShortcut: inC !== outC,
      });
    }
  }
  return blocks;
}

/**
 * The full PyTorch state_dict layout of pytorch-ood's `WideResNet` (OOD_SPEC.md §4), in PyTorch's order
 * (227 entries for WRN-40-2 including the 37 num_batches_tracked counters).
 */
export function wrnStateEntries(c: WrnConfig): StateEntry[] {
  const { channels } = wrnShape(c);
  const entries: StateEntry[] = [convEntry('conv1.weight', 16, 3, 3)];
  for (const b of wrnBlocks(c)) {
    entries.push(...bnEntries(`${b.prefix}.bn1`, b.inC));
    entries.push(convEntry(`${b.prefix}.conv1.weight`, b.outC, b.inC, 3));
    entries.push(...bnEntries(`${b.prefix}.bn2`, b.outC));
    entries.push(convEntry(`${b.prefix}.conv2.weight`, b.outC, b.outC, 3));
    if (b.hasShortcut) entries.push(convEntry(`${b.prefix}.convShortcut.weight`, b.outC, b.inC, 1));
  }
  const last = channels[3];
  entries.push(...bnEntries('bn1', last));
  entries.push({
    key: 'fc.weight',
    kind: 'fcWeight',
    torchShape: [c.numClasses, last],
    tfShape: [last, c.numClasses],
    trainable: true,
  });
  entries.push({
    key: 'fc.bias',
    kind: 'fcBias',
    torchShape: [c.numClasses],
    tfShape: [c.numClasses],
    trainable: true,
  });
  return entries;
}
