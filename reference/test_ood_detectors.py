"""Checks ood_detectors.py (the torchrun runner's detectors) against the independent numpy/scipy/sklearn
expected values of src/core/__fixtures__/detectors.json (make_detector_fixtures.py), which the app's detectors
are tested against too. The 'small' toy uses the runner's settings (ViM d = D/2 = 3, DICE p = 90) and is compared
in full; the 'medium' toy (d = 10, p = 65) for every detector but ViM and DICE.

    /usr/bin/python3 reference/test_ood_detectors.py     # < 1 s
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ood_detectors as D  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "core", "__fixtures__", "detectors.json")


def main():
    with open(FIX) as fh:
        toys = json.load(fh)["toys"]
    for name, t in toys.items():
        d, c = t["D"], t["C"]
        z = np.array(t["trainFeatures"]).reshape(-1, d)
        zt = np.array(t["testFeatures"]).reshape(-1, d)
        W, b = np.array(t["W"]).reshape(c, d), np.array(t["b"])
        y = np.array(t["trainLabels"])
        fitted = D.FittedDetectors(z, z @ W.T + b, y, W, b)
        got = fitted.scores(zt, zt @ W.T + b)
        ex = t["expected"]
        names = ["MaxLogit", "KLMatching", "SHE", "Mahalanobis"] + (["ViM", "DICE"] if name == "small" else [])
        want = {"MSP": ex["MSP_T1"], "EBO": ex["EBO_T1"], **{k: ex[k] for k in names}}
        for k, v in want.items():
            err = np.max(np.abs(got[k] - np.array(v)) / np.maximum(1, np.abs(v)))
            assert err < 1e-9, (name, k, err)
            print("%-7s %-12s max rel err %.1e" % (name, k, err))
    # Metrics by hand (OOD positive, a tie): ID [0, 1, 2], OOD [1, 3]. Pairs (OOD > ID): 1 beats 0, ties 1, loses
    # to 2; 3 beats all -> AUROC 4.5/6. TPR >= 0.95 needs both OOD above the threshold (<= 1): FPR = 2/3.
    m = D.ood_metrics([0, 1, 2], [1, 3])
    assert abs(m["AUROC"] - 4.5 / 6) < 1e-12 and abs(m["FPR95TPR"] - 2 / 3) < 1e-12, m
    print("OK")


if __name__ == "__main__":
    main()
