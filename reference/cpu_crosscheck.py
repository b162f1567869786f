"""CPU cross-check of the GPU results (torch 1.13 here vs 2.11 + H200 there) and of one data choice:
re-evaluates saved models on the full CIFAR-10 test set and Fashion-MNIST, padded (as gpu_job.py) and resized
28->32 bilinearly (the app's `idxToRgb32` mode 'resize'; its default is now 'pad', as here), and prints EBO/MSP AUROC and FPR95TPR.

    nice -n 19 /usr/bin/python3 reference/cpu_crosscheck.py --cifar /work/cache/package \
        reference/weights/wrn-16-2-cifar10.safetensors [more.safetensors ...]

About 80 s per model on the 2-core dev box. Writes reference/results/cpu-crosscheck.json.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_lib as L  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cifar", default="/work/cache/package")
    p.add_argument("--ood", default="/work/shared/data/ood")
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "cpu-crosscheck.json"))
    p.add_argument("weights", nargs="+")
    a = p.parse_args()
    torch.set_num_threads(2)
    _, _, xte, yte, _ = L.load_cifar10(a.cifar, check_md5=False)
    xte01 = xte.astype(np.float32) / 255.0
    grey = L.load_idx_images(os.path.join(a.ood, "fashion-mnist", "t10k-images-idx3-ubyte.gz"))
    pad = L.fashion_mnist_32(os.path.join(a.ood, "fashion-mnist", "t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255
    g = torch.from_numpy(grey).float()[:, None] / 255.0
    res = F.interpolate(g, size=(32, 32), mode="bilinear", align_corners=False, antialias=True)
    res = torch.round(res * 255).clamp(0, 255) / 255.0  # the app stores resized images as uint8
    res = res.repeat(1, 3, 1, 1).numpy()
    cpu = torch.device("cpu")
    out = {"torch": torch.__version__, "models": {}}
    for w in a.weights:
        arrays, meta = L.load_safetensors(w)
        m = L.WideResNet(16, 2, 10)
        L.load_model_state(m, arrays)
        lid = L.logits_of(m, xte01, cpu, batch=500)
        r = {"id_accuracy": float((lid.argmax(1) == yte).mean())}
        for name, x in (("fashion-mnist-pad", pad), ("fashion-mnist-resize", res)):
            lo = L.logits_of(m, x, cpu, batch=500)
            for det, fn in (("MSP", L.msp_score), ("EBO", L.energy_score)):
                r["%s %s" % (det, name)] = L.ood_metrics(fn(lid), fn(lo))
        out["models"][os.path.basename(w)] = r
        print(os.path.basename(w), json.dumps(r), flush=True)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
