"""The linear-probe stage of reference/openset_finetune.py on a small, committed slice, solved to convergence ->
tests/fixtures/wrn/openset-probe-split1.json, so src/train/linearProbe.test.ts can hold the app's probe
(src/train/linearProbe.ts on features the app computes) against PyTorch's.

Split 1's known classes among the first 1,000 CIFAR-10 training records (tests/fixtures/cifar10/train_first1000.bin),
the first N of them, relabelled with openset_finetune.select (ascending class index); eval-mode features of the
pretrained WRN-16-2 (openset_finetune.features_of); the reference's objective CE + 5e-4/2*|W|^2 (bias unpenalised)
minimised by the reference's L-BFGS (strong Wolfe), in float64 and run until the gradient is below 1e-10, so the
result is the objective's unique minimiser (not an iteration count's snapshot).

    /usr/bin/python3 reference/make_openset_probe_fixture.py     (a few seconds; deterministic)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_lib as L  # noqa: E402
import openset_finetune as O  # noqa: E402

ROOT = os.path.join(HERE, "..")
N = 240
WD = 5e-4

raw = np.fromfile(os.path.join(ROOT, "tests", "fixtures", "cifar10", "train_first1000.bin"), dtype=np.uint8).reshape(-1, 3073)
x_all = raw[:, 1:].reshape(-1, 3, 32, 32).copy()
y_all = raw[:, 0].astype(np.int64)
known, _ = O.split_classes(1)
positions = np.nonzero(np.isin(y_all, known))[0][:N]
x, y = O.select(x_all[positions], y_all[positions], known)

model = L.WideResNet(16, 2, 10)
arrays, _ = L.load_safetensors(os.path.join(HERE, "weights", "wrn-16-2-cifar10.safetensors"))
L.load_model_state(model, arrays)
feats = O.features_of(model, x).double()
yt = torch.from_numpy(y)
torch.manual_seed(1)
fc = torch.nn.Linear(feats.shape[1], len(known)).double()
fc.bias.data.zero_()
opt = torch.optim.LBFGS(fc.parameters(), lr=1, max_iter=5000, history_size=20, line_search_fn="strong_wolfe",
                        tolerance_grad=1e-10, tolerance_change=1e-14)


def objective():
    return F.cross_entropy(fc(feats), yt) + WD / 2 * (fc.weight ** 2).sum()


def closure():
    opt.zero_grad()
    loss = objective()
    loss.backward()
    return loss


opt.step(closure)
loss = objective()
loss.backward()
grad = max(float(fc.weight.grad.abs().max()), float(fc.bias.grad.abs().max()))
out = {
    "split": 1,
    "source": "tests/fixtures/cifar10/train_first1000.bin",
    "positions": positions.tolist(),
    "labels": y.tolist(),
    "weightDecay": WD,
    "loss": float(loss),
    "gradientMaxAbs": grad,
    "trainAccuracy": float((fc(feats).argmax(1) == yt).double().mean()),
    # tfjs fc layout [D, C] (the transpose of nn.Linear's [C, D]).
    "weight": [[float(v) for v in row] for row in fc.weight.detach().t()],
    "bias": [float(v) for v in fc.bias.detach()],
    "featuresFirstRow": [float(v) for v in feats[0]],
}
with open(os.path.join(ROOT, "tests", "fixtures", "wrn", "openset-probe-split1.json"), "w") as f:
    json.dump(out, f)
print("N=%d loss %.8f max|grad| %.2e train acc %.4f" % (len(y), out["loss"], grad, out["trainAccuracy"]))
