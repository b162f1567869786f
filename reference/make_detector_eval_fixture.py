"""Fixture for the app's detector evaluation (src/train/detectorEval.ts): the pretrained WRN-16-2 with the nine
detectors fitted on the CI's 1,000 CIFAR-10 training images and scored on its 1,000 test images (ID) vs two small
OOD sets, computed by reference/ood_detectors.py (the torchrun runner's detectors; pytorch-ood v0.2 formulas,
OOD_SPEC §1, §3).

    /usr/bin/python3 reference/make_detector_eval_fixture.py      # about a minute on one core; deterministic

Inputs: reference/weights/wrn-16-2-cifar10.safetensors in eval mode, normalised with the statistics of
public/models/wrn-16-2-cifar10/manifest.json; tests/fixtures/cifar10/{train,test}_first1000.bin. It writes (once,
if missing) the OOD fixtures in CIFAR-10 binary layout (label byte 0, then R, G, B planes):
  tests/fixtures/ood/textures-first200.bin   the first 200 records of textures10-32.bin (the app's served file)
  tests/fixtures/ood/uniform-noise-200.bin   200 images, pytorch-ood's uniform law U[0, 255) truncated to uint8,
                                             numpy default_rng(20261130), drawn HWC then stored as planes
Output: tests/fixtures/detectors/wrn16_2_eval.json — per detector and OOD set AUROC, AUPR-IN, AUPR-OUT, FPR95TPR
(fractions, OOD positive) and the first 20 scores of each set (higher = more OOD), plus the ID accuracy.
Settings: MSP/EBO T = 1; ODIN eps 0.002, T 1000, sign ÷ std; Mahalanobis without input pre-processing; ViM
d = 64 (D = 128); DICE p = 90; KL-Matching and SHE fitted with the given labels.
"""
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import ood_detectors as D  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TEXTURES_SRC = os.environ.get("TEXTURES_BIN", "/work/shared/data/ood/textures10-32.bin")
OOD_DIR = os.path.join(ROOT, "tests", "fixtures", "ood")
OUT = os.path.join(ROOT, "tests", "fixtures", "detectors", "wrn16_2_eval.json")
N_FIRST = 20


def ensure_ood_fixtures():
    os.makedirs(OOD_DIR, exist_ok=True)
    tex = os.path.join(OOD_DIR, "textures-first200.bin")
    if not os.path.exists(tex):
        with open(TEXTURES_SRC, "rb") as fh:
            raw = fh.read(200 * 3073)
        assert len(raw) == 200 * 3073
        with open(tex, "wb") as fh:
            fh.write(raw)
    uni = os.path.join(OOD_DIR, "uniform-noise-200.bin")
    if not os.path.exists(uni):
        rng = np.random.default_rng(20261130)
        img = rng.uniform(0, 255, (200, 32, 32, 3)).astype(np.uint8).transpose(0, 3, 1, 2).reshape(200, 3072)
        rec = np.zeros((200, 3073), np.uint8)
        rec[:, 1:] = img
        rec.tofile(uni)
    return {"Textures": tex, "Uniform noise": uni}


def main():
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    t0 = time.time()
    with open(os.path.join(ROOT, "public", "models", "wrn-16-2-cifar10", "manifest.json")) as fh:
        norm = json.load(fh)["normalization"]
    pre = X.normaliser(norm)
    model = X.load_model("WRN-16-2", 0.3, os.path.join(ROOT, "reference", "weights", "wrn-16-2-cifar10.safetensors"))
    model.eval()
    f32 = lambda a: torch.from_numpy(a).float() / 255.0  # noqa: E731
    fix = os.path.join(ROOT, "tests", "fixtures", "cifar10")
    xtr, ytr = X.read_cifar_bin(os.path.join(fix, "train_first1000.bin"))
    xte, yte = X.read_cifar_bin(os.path.join(fix, "test_first1000.bin"))
    fitted = D.fit_detectors(model, pre(f32(xtr)), ytr)
    sid, lid = D.score_all(model, fitted, pre(f32(xte)), norm["std"])
    sets = {k: X.read_cifar_bin(p)[0] for k, p in ensure_ood_fixtures().items()}
    result = {
        "generator": "reference/make_detector_eval_fixture.py",
        "model": "reference/weights/wrn-16-2-cifar10.safetensors (eval mode)",
        "normalization": norm,
        "fit": "tests/fixtures/cifar10/train_first1000.bin (1000, given labels)",
        "id": "tests/fixtures/cifar10/test_first1000.bin (1000)",
        "oodFiles": {"Textures": "tests/fixtures/ood/textures-first200.bin",
                     "Uniform noise": "tests/fixtures/ood/uniform-noise-200.bin"},
        "settings": {"temperature": 1, "odin": {"eps": D.ODIN_EPS, "temperature": D.ODIN_T, "normStd": norm["std"]},
                     "mahalanobisEps": 0, "vimD": fitted.vim_d, "diceP": D.DICE_P},
        "idAccuracy": float((lid.argmax(1) == yte).mean()),
        "torch": torch.__version__,
        "detectors": {},
    }
    scores = {k: D.score_all(model, fitted, pre(f32(v)), norm["std"])[0] for k, v in sets.items()}
    for det in D.DETECTORS:
        result["detectors"][det] = {
            "metrics": {k: D.ood_metrics(sid[det], scores[k][det]) for k in sets},
            "firstScores": {"ID": sid[det][:N_FIRST].tolist(), **{k: scores[k][det][:N_FIRST].tolist() for k in sets}},
        }
        m = result["detectors"][det]["metrics"]
        print("%-12s " % det + "  ".join("%s AUROC %.4f FPR95 %.4f" % (k, v["AUROC"], v["FPR95TPR"]) for k, v in m.items()))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(result, fh, indent=1)
    print("ID accuracy %.4f; wrote %s in %.1fs" % (result["idAccuracy"], os.path.relpath(OUT, ROOT), time.time() - t0))


if __name__ == "__main__":
    main()
