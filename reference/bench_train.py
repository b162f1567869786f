"""PyTorch-CPU twin of `npm run bench:train` (comparison mode): times the identical training step.

Same model (reference/wrn.py WideResNet, dropout 0.3, train mode), same batch, same step as the app's
`trainStep`: CE on the ID half; OE: one forward of cat(ID, outliers) with CE + lambda * OE loss (lambda 0.5,
separate means), backward, SGD (Nesterov 0.9, wd 5e-4); AOE: first the attack (one signed energy step, eps 0.5,
on the train-mode model, gradient w.r.t. the input only, BN running statistics restored afterwards), then the
OE step on the perturbed outliers. Inference: eval-mode forward of ID + outliers. Random inputs, NHWC data
permuted to NCHW once (not timed). Every kind is warmed up, then the kinds are interleaved repeat by repeat.

Usage: /usr/bin/python3 reference/bench_train.py --model WRN-16-2 --id 128 --out 128 --threads 1 \
           --repeats 5 --warmup 1 --kinds CE,OE,AOE,inference
Prints one JSON object: per kind the median ms and samples, peak RSS (resource.getrusage, bytes), versions.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wrn import WideResNet  # noqa: E402

PRESETS = {"WRN-40-2": (40, 2), "WRN-16-2": (16, 2), "WRN-10-1": (10, 1)}
MEAN = torch.tensor([0.49, 0.48, 0.45]).view(1, 3, 1, 1)
STD = torch.tensor([0.25, 0.24, 0.26]).view(1, 3, 1, 1)


def normalise(x01):
    return (x01 - MEAN) / STD


def aoe_attack(model, xo01, eps):
    """x - eps * sign(grad_x mean E(x)), E = -logsumexp(f(normalise(x))), train-mode model, input gradient
    only; BN running statistics restored afterwards (the paper attacks a discarded copy)."""
    saved = [b.detach().clone() for b in model.buffers()]
    x = xo01.detach().requires_grad_(True)
    e = -torch.logsumexp(model(normalise(x)), 1).mean()
    (g,) = torch.autograd.grad(e, x)
    with torch.no_grad():
        for b, s in zip(model.buffers(), saved):
            b.copy_(s)
    return (xo01 - eps * g.sign()).detach()


def train_step(model, opt, kind, xid, yid, xo01, lam=0.5, eps=0.5):
    model.train()
    if kind == "CE":
        loss = F.cross_entropy(model(xid), yid)
    else:
        xo = aoe_attack(model, xo01, eps) if kind == "AOE" else xo01
        logits = model(torch.cat([xid, normalise(xo)]))
        n = xid.shape[0]
        lo = logits[n:]
        loss = F.cross_entropy(logits[:n], yid) + lam * (torch.logsumexp(lo, 1) - lo.mean(1)).mean()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="WRN-16-2")
    p.add_argument("--id", type=int, default=32)
    p.add_argument("--out", type=int, default=32)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--kinds", default="CE,OE,AOE,inference")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    depth, widen = PRESETS[a.model]
    model = WideResNet(depth, widen, 10, 0.3)
    g = torch.Generator().manual_seed(123)
    xid = normalise(torch.rand(a.id, 3, 32, 32, generator=g))
    yid = torch.randint(0, 10, (a.id,), generator=g)
    xo01 = torch.rand(a.out, 3, 32, 32, generator=g)
    inf = torch.cat([xid, normalise(xo01)])
    kinds = a.kinds.split(",")
    opts = {
        k: torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9, nesterov=True, weight_decay=5e-4)
        for k in kinds
        if k != "inference"
    }

    def once(kind):
        t0 = time.perf_counter()
        if kind == "inference":
            model.eval()
            with torch.no_grad():
                model(inf).sum().item()
        else:
            train_step(model, opts[kind], kind, xid, yid, xo01)
        return (time.perf_counter() - t0) * 1000

    for k in kinds:
        for _ in range(a.warmup):
            once(k)
    samples = {k: [] for k in kinds}
    for _ in range(a.repeats):
        for k in kinds:
            samples[k].append(once(k))
    rows = []
    for k in kinds:
        m = statistics.median(samples[k])
        images = a.id + a.out if k == "inference" else a.id + (0 if k == "CE" else a.out)
        rows.append({"kind": k, "medianMs": m, "samplesMs": samples[k], "imagesPerSecond": images / m * 1000,
                     "idBatch": images if k == "inference" else a.id,
                     "outlierBatch": 0 if k in ("inference", "CE") else a.out})
    print(json.dumps({
        "backendDetail": "PyTorch %s CPU (%d thread(s), Python %s, %s)" % (
            torch.__version__, torch.get_num_threads(), platform.python_version(),
            torch.backends.mkldnn.is_available() and "oneDNN" or "no oneDNN"),
        "timings": rows,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
