"""Fixture for the app's test-time attacks (src/train/attackEval.ts `attackBatch`, Fig. 6) against the reference
runner's (reference/test_time_attack.py): FGSM and PGD maximising the OE loss of OOD inputs, on the pretrained
WRN-16-2 in eval mode, with PGD's random start drawn from the app's own generator (Sfc32 = src/core/random.ts,
seed 1, one stream through the budgets in order), so both sides must produce the same attacked images.

    /usr/bin/python3 reference/make_attack_fixture.py      # seconds; deterministic

Inputs: reference/weights/wrn-16-2-cifar10.safetensors; the first 8 images of
tests/fixtures/ood/textures-first200.bin; normalisation of public/models/wrn-16-2-cifar10/manifest.json.
Output: tests/fixtures/detectors/attack_parity.json — per kind and budget: the energy −logsumexp f(x′) of each
attacked image, its ‖x′ − x‖∞, the mean of x′, and 256 pixels of x′ at fixed NHWC flat indices (stride 89).
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import test_time_attack as A  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
OUT = os.path.join(ROOT, "tests", "fixtures", "detectors", "attack_parity.json")
N, BUDGETS, SEED, STRIDE, SAMPLES = 8, [0, 0.05, 0.25, 1.0], 1, 89, 256


def main():
    torch.set_num_threads(1)
    with open(os.path.join(ROOT, "public", "models", "wrn-16-2-cifar10", "manifest.json")) as fh:
        norm = json.load(fh)["normalization"]
    pre = X.normaliser(norm)
    model = X.load_model("WRN-16-2", 0.0, os.path.join(ROOT, "reference", "weights", "wrn-16-2-cifar10.safetensors"))
    model.eval()
    x_u8 = X.read_cifar_bin(os.path.join(ROOT, "tests", "fixtures", "ood", "textures-first200.bin"))[0][:N]
    x = torch.from_numpy(x_u8).float() / 255.0
    idx = [i * STRIDE for i in range(SAMPLES)]
    out = {"generator": "reference/make_attack_fixture.py", "images": "tests/fixtures/ood/textures-first200.bin[:8]",
           "normalization": norm, "seed": SEED, "pgdSteps": A.PGD_STEPS, "pixelIndicesNhwc": idx,
           "torch": torch.__version__, "attacks": {}}
    for kind in ("fgsm", "pgd"):
        rng = A.Sfc32(SEED)
        per = []
        for b in BUDGETS:
            adv = A.attack_set(model, x, b, pre, kind, rng.nchw_uniform)
            with torch.no_grad():
                energy = (-torch.logsumexp(model(pre(adv)), 1)).tolist()
            nhwc = adv.permute(0, 2, 3, 1).reshape(-1).numpy()
            per.append({"budget": b, "energy": energy,
                        "linf": (adv - x).abs().flatten(1).max(1).values.tolist(),
                        "mean": adv.flatten(1).mean(1).tolist(),
                        "pixels": [float(nhwc[i]) for i in idx]})
            print("%s budget %.2f: energies %s" % (kind, b, " ".join("%.3f" % e for e in energy)))
        out["attacks"][kind] = per
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
