"""PyTorch-CPU twin of `npm run bench:eval`: the progressive detector table on the same weights and images.

Reads the dump bench/evalBench.ts writes (DIR/meta.json; every set as raw uint8 NHWC in the app's stratified
order; the fit images with labels), then per repeat: features + logits of the fit set and fitting of the nine
detectors (reference/ood_detectors.py, the torchrun runner's code), then per stage the new images of every set
(one eval forward for features/logits, ODIN's gradient + x̂ forward), all nine scores on the images so far and the
four metrics per OOD set. Times from after model loading: fit, each table. Prints one JSON object.

Usage: /usr/bin/python3 reference/bench_eval.py DIR --threads 1 --repeats 1
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import ood_detectors as D  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def load(dir_, entry, pre):
    raw = np.fromfile(os.path.join(dir_, entry["file"]), dtype=np.uint8).reshape(entry["n"], 32, 32, 3)
    return pre(torch.from_numpy(raw.transpose(0, 3, 1, 2).copy()).float() / 255.0)


def one_run(model, meta, fit_x, fit_y, sets, std):
    t0 = time.perf_counter()
    fitted = D.fit_detectors(model, fit_x, fit_y)
    t_fit = time.perf_counter() - t0
    done = {k: 0 for k in sets}
    acc = {k: {"z": [], "f": [], "odin": []} for k in sets}
    tables = []
    for stage in meta["stageSizes"]:
        counts = {}
        for k, x in sets.items():
            n = min(stage, len(x))
            counts[k] = n
            if n > done[k]:
                xb = x[done[k] : n]
                z, f = D.features_logits(model, xb)
                acc[k]["z"].append(z)
                acc[k]["f"].append(f)
                acc[k]["odin"].append(D.odin_scores(model, xb, std))
                done[k] = n
        scores = {}
        for k in sets:
            z = np.concatenate(acc[k]["z"])
            f = np.concatenate(acc[k]["f"])
            s = fitted.scores(z, f)
            s["ODIN"] = np.concatenate(acc[k]["odin"])
            scores[k] = s
        metrics = {
            d: {k: D.ood_metrics(scores["ID"][d], scores[k][d]) for k in sets if k != "ID"} for d in D.DETECTORS
        }
        tables.append({"counts": counts, "seconds": time.perf_counter() - t0, "metrics": metrics})
    return {"fitSeconds": t_fit, "tables": tables}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.dir, "meta.json")) as fh:
        meta = json.load(fh)
    pre = X.normaliser(meta["normalization"])
    model = X.load_model("WRN-16-2", 0.0, os.path.join(ROOT, "reference", "weights", "wrn-16-2-cifar10.safetensors"))
    model.eval()
    fit_x = load(a.dir, meta["fit"], pre)
    fit_y = np.fromfile(os.path.join(a.dir, meta["fit"]["labels"]), dtype=np.int32).astype(np.int64)
    sets = {s["key"]: load(a.dir, s, pre) for s in meta["sets"]}
    # Warm-up (not timed): allocator, thread pool and autograd paths on 10 images.
    D.features_logits(model, fit_x[:10])
    D.odin_scores(model, fit_x[:10], meta["normalization"]["std"])
    runs = [one_run(model, meta, fit_x, fit_y, sets, meta["normalization"]["std"]) for _ in range(a.repeats)]
    print(
        json.dumps(
            {
                "runs": runs,
                "threads": a.threads,
                "torch": torch.__version__,
                "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
