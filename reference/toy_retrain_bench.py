"""PyTorch-CPU timing of the toy's cold retrain, for `npm run bench:toy` (bench/toyNode.ts).

Reads a JSON problem written by the bench (the app's own data, outliers and seeded initial weights), runs the
identical retrain in PyTorch on ONE thread: MLP 2-64-64-K ReLU (weights [in, out] as the app), full batch (all ID
points + all outliers in one forward pass), Adam (tfjs defaults: betas 0.9/0.999, eps 1e-7), learning rate
cosine-annealed from lr to 0 over `steps` (step t uses 0.5·lr·(1 + cos(π·t/steps))), loss mean CE + λ·mean
(logsumexp − mean logit) on the outliers, each outlier perturbed first by the AOE step
x − ε·sign(∇ₓ mean E), E = −logsumexp (the parameters' gradients are not needed for that step).

Usage: /usr/bin/python3 reference/toy_retrain_bench.py problem.json repeats  → prints one JSON line:
{"torch": version, "threads": 1, "retrainMs": [...], "finalLoss": ..., "cpuMs": [...]}.
"""
import json
import math
import sys
import time

import torch

torch.set_num_threads(1)


def retrain(p):
    x_id = torch.tensor(p["x"], dtype=torch.float32).reshape(-1, 2)
    y_id = torch.tensor(p["y"], dtype=torch.int64)
    x_out = torch.tensor(p["outliers"], dtype=torch.float32).reshape(-1, 2)
    layers = []
    for w, b, (fan_in, fan_out) in zip(p["weights"][0::2], p["weights"][1::2], p["shapes"]):
        layers.append(torch.tensor(w, dtype=torch.float32).reshape(fan_in, fan_out).clone().requires_grad_(True))
        layers.append(torch.tensor(b, dtype=torch.float32).clone().requires_grad_(True))
    n_layers = len(layers) // 2

    def forward(x):
        h = x
        for l in range(n_layers):
            h = torch.addmm(layers[2 * l + 1], h, layers[2 * l])
            if l + 1 < n_layers:
                h = torch.relu(h)
        return h

    opt = torch.optim.Adam(layers, lr=p["lr"], betas=(0.9, 0.999), eps=1e-7)
    steps, lr, eps, lam = p["steps"], p["lr"], p["epsilon"], p["lambda"]
    loss = None
    for t in range(steps):
        for g in opt.param_groups:
            g["lr"] = 0.5 * lr * (1 + math.cos(math.pi * min(t, steps) / steps))
        # AOE step on the outliers: input gradient only.
        xo = x_out.clone().requires_grad_(True)
        e = -torch.logsumexp(forward(xo), dim=1).mean()
        (gx,) = torch.autograd.grad(e, xo)
        x_hat = (x_out - eps * torch.sign(gx)).detach()
        logits = forward(torch.cat([x_id, x_hat], 0))
        n = x_id.shape[0]
        ce = torch.nn.functional.cross_entropy(logits[:n], y_id)
        ood = logits[n:]
        oe = (torch.logsumexp(ood, dim=1) - ood.mean(dim=1)).mean()
        loss = ce + lam * oe
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return float(loss)


def main():
    with open(sys.argv[1]) as f:
        p = json.load(f)
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    retrain({**p, "steps": 20})  # warm-up (allocator, first-call dispatch)
    wall, cpu, final = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        final = retrain(p)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "retrainMs": wall,
                      "cpuMs": cpu, "finalLoss": final}))


if __name__ == "__main__":
    main()
