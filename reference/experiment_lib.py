"""Training and evaluating one planned cell of an `aoe-experiment` v1 file in PyTorch (run_experiment.py runs
many of them on torchrun ranks). Mirrors the app's trainer (src/train/loop.ts, step.ts, settings.ts) without
being bit-identical to it (different random streams): same recipe, same two named settings.

Data: the app's prepared files (public/data: CIFAR-10 binary batches, OOD sets listed in manifest.json),
uint8 NCHW in memory; [0,1] floats before normalisation. Training outliers: PPCA samples (numpy, as the app's
"Synthetic training outliers": q = 32 components fitted on 2,000 training images, x = μ + W z + ε with
z ~ N(0, σ² I), quantised to uint8), the same for every cell with the same σ² and count (seeded by neither).
"""
import gzip
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

import ood_detectors as D
from safetensors_io import load_file
from wrn import WideResNet

# The model's pretrained statistics (OOD_SPEC §4); also the evaluation's in both settings.
PRETRAINED_NORM = {"mean": (125.3 / 255, 123.0 / 255, 113.9 / 255), "std": (63.0 / 255, 62.1 / 255, 66.7 / 255)}
AUTHORS_TRAIN_NORM = {"mean": (0.4914, 0.4822, 0.4465), "std": (0.2023, 0.1994, 0.2010)}
# Twin of src/train/settings.ts SETTING_TABLE.
SETTINGS = {
    "consistent": {"id_norm": "model", "normalize_outliers": True, "fixed": {}, "outlier_count": None,
                   "noise_ood_count": 1000},
    "authors": {"id_norm": AUTHORS_TRAIN_NORM, "normalize_outliers": False,
                "fixed": {"noiseMode": "code", "oeReduction": "whole-batch", "clamp": False},
                "outlier_count": 9984, "noise_ood_count": 500},
}
WEIGHTS = {"WRN-16-2": "reference/weights/wrn-16-2-cifar10.safetensors"}
ARCH = {"WRN-40-2": (40, 2), "WRN-16-2": (16, 2), "WRN-10-1": (10, 1)}


# ------------------------------------------------------------------------------------------------ data
def read_cifar_bin(path):
    """CIFAR-10 binary records (label byte + 3072 R,G,B planes) -> (uint8 [N,3,32,32], int64 [N])."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % 3073:
        raise ValueError("%s is not in CIFAR-10 binary layout" % path)
    rec = raw.reshape(-1, 3073)
    return rec[:, 1:].reshape(-1, 3, 32, 32).copy(), rec[:, 0].astype(np.int64)


def read_idx_rgb32(path):
    """IDX (optionally gzipped) 28x28 grey -> uint8 [N,3,32,32]: PIL bilinear resize to 32x32 (the app's
    default `idxToRgb32` mode), grey replicated to RGB."""
    from PIL import Image

    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as fh:
        raw = fh.read()
    magic, n, h, w = struct.unpack(">IIII", raw[:16])
    if magic != 2051:
        raise ValueError("%s is not an IDX3 image file" % path)
    g = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h, w)
    out = np.stack([np.asarray(Image.fromarray(im).resize((32, 32), Image.BILINEAR)) for im in g])
    return np.ascontiguousarray(np.repeat(out[:, None], 3, axis=1))


def ood_name(path):
    """The app's names for OOD files (src/data/loadFiles.ts)."""
    base = os.path.basename(path)
    if base.lower().startswith("textures"):
        return "Textures"
    if "fashion" in path.lower():
        return "Fashion-MNIST"
    if "mnist" in path.lower():
        return "MNIST"
    return base


def noise_set(kind, n, seed):
    """pytorch-ood's noise law drawn at 32x32 (the app's default 'subsample'): Gaussian N(128, 128²) clipped and
    truncated, uniform U[0,255) truncated; numpy default_rng(seed) (the app draws from its own generator)."""
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        a = np.clip(rng.normal(128.0, 128.0, (n, 32, 32, 3)), 0, 255)
    else:
        a = rng.uniform(0, 255, (n, 32, 32, 3))
    return np.ascontiguousarray(a.astype(np.uint8).transpose(0, 3, 1, 2))


class Data:
    """CIFAR-10 and the OOD sets of a prepared data folder, loaded lazily and cached per process."""

    def __init__(self, root):
        self.root = root
        with open(os.path.join(root, "manifest.json")) as fh:
            self.manifest = json.load(fh)
        self._cache = {}

    def _get(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def train(self):
        def make():
            parts = [read_cifar_bin(os.path.join(self.root, "cifar10", "data_batch_%d.bin" % i)) for i in range(1, 6)]
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        return self._get("train", make)

    def test(self):
        return self._get("test", lambda: read_cifar_bin(os.path.join(self.root, "cifar10", "test_batch.bin")))

    def ood_sets(self, noise_count):
        """{name: uint8 [N,3,32,32]}: every .bin / IDX image file of the manifest, then the two noise sets."""
        def files():
            out = {}
            for f in self.manifest.get("ood", []):
                p = os.path.join(self.root, f["path"])
                if f["path"].endswith(".bin"):
                    out[ood_name(p)] = read_cifar_bin(p)[0]
                elif f["path"].endswith("images-idx3-ubyte.gz"):
                    out[ood_name(p)] = read_idx_rgb32(p)
            return out
        sets = dict(self._get("ood-files", files))
        sets["Gaussian noise"] = self._get(("gauss", noise_count), lambda: noise_set("gaussian", noise_count, 1))
        sets["Uniform noise"] = self._get(("unif", noise_count), lambda: noise_set("uniform", noise_count, 2))
        return sets

    def outliers(self, sigma2, count):
        return self._get(("ppca", sigma2, count), lambda: ppca_outliers(self.train()[0], sigma2, count))


def ppca_outliers(train_u8, sigma2, count, components=32, fit_count=2000, seed=1):
    """PPCA (Tipping & Bishop, closed form via SVD) of `fit_count` random training images in [0,1] NHWC order,
    sampled at latent variance σ² with the isotropic noise σ_n² unscaled (src/data/outliers/ppca.ts).
    @returns uint8 [count,3,32,32]."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(train_u8), size=min(fit_count, len(train_u8)), replace=False)
    x = train_u8[idx].transpose(0, 2, 3, 1).reshape(len(idx), -1).astype(np.float64) / 255
    mu = x.mean(0)
    _, s, vt = np.linalg.svd(x - mu, full_matrices=False)
    lam = s**2 / len(idx)
    d, q = x.shape[1], components
    noise_var = max(0.0, (np.sum((x - mu) ** 2) / len(idx) - lam[:q].sum()) / (d - q))
    scale = np.sqrt(np.maximum(lam[:q] - noise_var, 0) * sigma2)
    z = rng.standard_normal((count, q)) * scale
    out = mu + z @ vt[:q] + math.sqrt(noise_var) * rng.standard_normal((count, d))
    u8 = np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(u8.reshape(count, 32, 32, 3).transpose(0, 3, 1, 2))


# ----------------------------------------------------------------------------------------------- model
def load_model(name, drop_rate, weights=None):
    if name not in ARCH:
        raise ValueError("unknown model %r (known: %s)" % (name, ", ".join(ARCH)))
    path = weights or WEIGHTS.get(name)
    if not path or not os.path.exists(path):
        raise FileNotFoundError("no pretrained weights for %s: pass --weights %s=FILE.safetensors" % (name, name))
    depth, widen = ARCH[name]
    model = WideResNet(depth, widen, 10, drop_rate)
    state = load_file(path)
    missing, unexpected = model.load_state_dict({k: v for k, v in state.items()}, strict=False)
    if [k for k in missing if not k.endswith("num_batches_tracked")] or unexpected:
        raise ValueError("weights %s do not fit %s: missing %s unexpected %s" % (path, name, missing[:3], unexpected[:3]))
    return model


def normaliser(norm):
    """(x − mean_c)/std_c on x's device (float32 NCHW)."""
    m = torch.tensor(norm["mean"], dtype=torch.float32).view(1, 3, 1, 1)
    s = torch.tensor(norm["std"], dtype=torch.float32).view(1, 3, 1, 1)
    return lambda x: (x - m.to(x.device)) / s.to(x.device)


def effective_config(config):
    """The config with what its setting fixes (src/train/settings.ts withSetting)."""
    return {**config, **SETTINGS[config.get("setting", "consistent")]["fixed"]}
