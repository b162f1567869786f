"""CIFAR-10 open-set benchmark (near-OOD, no download): 6 known / 4 unknown classes, a 6-class WRN-16-2
fine-tuned from the pretrained 10-class WRN-16-2's features, evaluated with MSP, MaxLogit and Energy (EBO).

    /usr/bin/python3 reference/openset_finetune.py --split 1 --seed 1 --steps 300 --cifar public/data/cifar10

Splits: the five standard CIFAR-10 open-set splits (Neal et al. 2018, as listed in Vaze et al. 2022's
repository sgvaze/osr_closed_set_all_you_need, data/open_set_splits/osr_splits.py, key 'cifar-10-10'; the same
lists as src/data/openSetSplits.ts). Known classes are relabelled 0..5 in ascending CIFAR-10 index order (Vaze
et al. relabel in list order: a permutation of the labels, which changes no metric).

Recipe (LP-FT, Kumar et al. 2022): the pretrained network's 10-way fc is replaced by a fresh 6-way head
(PyTorch's default Linear init from torch.manual_seed(seed), bias 0); (1) linear probe: the head alone is
trained on the frozen, eval-mode 128-d features of a seeded subset of the known training images (--probe-images,
default 10,000; full-batch L-BFGS on CE + 5e-4/2·|W|², no augmentation); (2) fine-tune: every layer, SGD momentum
0.9 (Nesterov), weight decay 5e-4, batch 128 drawn from the 30,000 known training images (reshuffled each pass),
random crop (pad 4) + horizontal flip, dropout 0.3 (train mode); lr 0.01 for 10 steps, then cosine to 0. The
step count is --steps, or (without it) the number that fits --budget-s at the speed of the first 10 steps; the
JSON records it, and --steps with that number reproduces the run. Evaluation: eval mode, known test (6,000) = ID, unknown test (4,000) = OOD;
higher score = more OOD; metrics as src/core/metrics.ts (train_lib / make_metric_fixtures definitions).

Caveat, stated with every number: the pretrained backbone was trained on all ten CIFAR-10 classes, so its
features have seen the "unknown" classes with labels. This is therefore not a clean open-set protocol (where the
unknown classes are never seen); it measures how well the detectors separate semantically-near images through a
6-way head on features that can represent them.

Writes reference/results/openset-split<k>-seed<s>.json (aoe-results rows + run details) and the fine-tuned weights
reference/weights/wrn-16-2-cifar10-openset-split<k>.safetensors (pytorch-ood key names, fc is 6-way).
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_lib as L  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
# Known classes of the five standard splits (osr_splits['cifar-10-10'], Vaze et al.'s repository, list order).
OSR_KNOWN = [
    [0, 6, 4, 9, 1, 7],
    [7, 6, 4, 9, 0, 1],
    [1, 5, 7, 3, 9, 4],
    [8, 6, 1, 9, 0, 7],
    [2, 4, 1, 7, 9, 6],
]


def load_bins(folder):
    """The six official CIFAR-10 .bin files (as `npm run data` writes them), md5-checked.
    @returns xtr uint8 [50000,3,32,32], ytr int64, xte uint8 [10000,3,32,32], yte int64."""
    xs, ys = [], []
    for name in ["data_batch_%d" % i for i in range(1, 6)] + ["test_batch"]:
        raw = open(os.path.join(folder, name + ".bin"), "rb").read()
        got = hashlib.md5(raw).hexdigest()
        if got != L.CIFAR_BIN_MD5[name]:
            raise RuntimeError("%s.bin: md5 %s is not the official %s" % (name, got, L.CIFAR_BIN_MD5[name]))
        rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
        ys.append(rec[:, 0].astype(np.int64))
        xs.append(rec[:, 1:].reshape(-1, 3, 32, 32).copy())
    return np.concatenate(xs[:5]), np.concatenate(ys[:5]), xs[5], ys[5]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        return platform.machine()


def split_classes(k):
    known = sorted(OSR_KNOWN[k - 1])
    return known, [c for c in range(10) if c not in known]


def select(x, y, known):
    """Images of the known classes, relabelled 0..5 in ascending class order."""
    remap = np.full(10, -1, dtype=np.int64)
    remap[known] = np.arange(len(known))
    keep = remap[y] >= 0
    return x[keep], remap[y[keep]]


def metrics(score_id, score_ood):
    """AUROC, FPR95TPR, AUPR-IN, AUPR-OUT as fractions (OOD positive, higher = more OOD; make_metric_fixtures)."""
    from sklearn.metrics import auc, precision_recall_curve

    s = np.concatenate([score_id, score_ood]).astype(np.float64)
    y = np.concatenate([np.zeros(len(score_id)), np.ones(len(score_ood))])
    m = L.ood_metrics(score_id, score_ood)
    p_out, r_out, _ = precision_recall_curve(y, s)
    p_in, r_in, _ = precision_recall_curve(1 - y, -s)
    m["AUPR-IN"] = float(auc(r_in, p_in))
    m["AUPR-OUT"] = float(auc(r_out, p_out))
    return m


def detectors(logits):
    z = logits.astype(np.float64)
    return {"MSP": L.msp_score(logits), "MaxLogit": -z.max(1), "EBO": L.energy_score(logits)}


def evaluate(model, x_known, y_known, x_unknown):
    cpu = torch.device("cpu")
    lk = L.logits_of(model, x_known.astype(np.float32) / 255.0, cpu, batch=500)
    lu = L.logits_of(model, x_unknown.astype(np.float32) / 255.0, cpu, batch=500)
    out = {"closed_set_accuracy": float((lk.argmax(1) == y_known).mean())}
    sk, su = detectors(lk), detectors(lu)
    for d in sk:
        out[d] = metrics(sk[d], su[d])
    return out


@torch.no_grad()
def features_of(model, x_u8, batch=500):
    model.eval()
    return torch.cat([model.features(L.u8_to_input(torch.from_numpy(x_u8[i : i + batch]))) for i in range(0, len(x_u8), batch)])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cifar", default="public/data/cifar10", help="folder with the six official .bin files")
    p.add_argument("--weights", default=os.path.join(HERE, "weights", "wrn-16-2-cifar10.safetensors"))
    p.add_argument("--split", type=int, default=1, choices=[1, 2, 3, 4, 5])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--steps", type=int, default=None, help="fine-tuning steps (reproduces a run exactly)")
    p.add_argument("--budget-s", type=float, default=900, help="without --steps: time the first 10 steps, then fix the step count to fit this budget")
    p.add_argument("--probe-images", type=int, default=10000, help="known training images (seeded subset) for the linear probe")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", default=None)
    p.add_argument("--weights-out", default=None)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    t_start = time.time()
    known, unknown = split_classes(a.split)
    print("split %d: known %s, unknown %s" % (a.split, known, unknown), flush=True)
    xtr, ytr, xte, yte = load_bins(a.cifar)
    x_train, y_train = select(xtr, ytr, known)
    x_known, y_known = select(xte, yte, known)
    x_unknown = xte[np.isin(yte, unknown)]
    print("known train %d, known test %d, unknown test %d" % (len(x_train), len(x_known), len(x_unknown)), flush=True)

    torch.manual_seed(a.seed)
    model = L.WideResNet(16, 2, 10, drop_rate=0.3)
    arrays, _ = L.load_safetensors(a.weights)
    L.load_model_state(model, arrays)
    model.fc = torch.nn.Linear(model.n_channels, len(known))
    model.fc.bias.data.zero_()

    # (1) linear probe on frozen eval-mode features
    t0 = time.time()
    sub = np.sort(np.random.default_rng(a.seed).permutation(len(x_train))[: a.probe_images])
    feats = features_of(model, x_train[sub])
    yt = torch.from_numpy(y_train[sub])
    opt = torch.optim.LBFGS(model.fc.parameters(), lr=1, max_iter=200, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(model.fc(feats), yt) + 5e-4 / 2 * (model.fc.weight**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        probe_train_acc = float((model.fc(feats).argmax(1) == yt).float().mean())
    probe_s = time.time() - t0
    after_probe = evaluate(model, x_known, y_known, x_unknown)
    print("linear probe: %.1f s, train acc %.4f, eval %s" % (probe_s, probe_train_acc, json.dumps(after_probe)), flush=True)

    # (2) fine-tune all layers
    gen = torch.Generator().manual_seed(a.seed)
    xpad = L.pad4(torch.from_numpy(x_train))
    n = len(x_train)
    steps_per_epoch = n // a.batch
    total = a.steps or 10**9  # fixed after 10 timed steps when --steps is not given
    sgd = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    # lr: constant for the first 10 (timed) steps, then cosine to 0 over the rest; identical with --steps
    sched = torch.optim.lr_scheduler.LambdaLR(
        sgd, lambda s: 1.0 if s < 10 else 0.5 * (1 + np.cos(np.pi * min(s - 10, total - 10) / max(total - 10, 1)))
    )
    model.train()
    t0 = time.time()
    perm = torch.randperm(n, generator=gen)
    pos, seen, run_loss, run_acc, log = 0, 0, 0.0, 0.0, []
    step = 0
    while step < total:
        if pos + a.batch > n:
            perm, pos = torch.randperm(n, generator=gen), 0
        idx = perm[pos : pos + a.batch]
        pos += a.batch
        xb = L.augment_batch(xpad, idx, gen, torch.device("cpu"))
        yb = torch.from_numpy(y_train)[idx]
        out = model(xb)
        loss = F.cross_entropy(out, yb)
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        sched.step()
        seen += len(idx)
        run_loss += float(loss)
        run_acc += float((out.argmax(1) == yb).float().mean())
        step += 1
        if a.steps is None and step == 10:
            rate = (time.time() - t0) / 10
            total = max(10, int(a.budget_s / rate))
            print("%.2f s/step: %d steps (%.2f epochs) fit the %.0f s budget" % (rate, total, total / steps_per_epoch, a.budget_s), flush=True)
        if step % 20 == 0 or step == total:
            el = time.time() - t0
            k = 20 if step % 20 == 0 else step % 20
            log.append({"step": step, "loss": run_loss / k, "train_acc": run_acc / k, "img_per_s": seen / el})
            print("step %d/%d loss %.4f acc %.3f %.1f img/s %.0f s" % (step, total, run_loss / k, run_acc / k, seen / el, el), flush=True)
            run_loss = run_acc = 0.0
    ft_s = time.time() - t0
    final = evaluate(model, x_known, y_known, x_unknown)
    print("fine-tuned: %.0f s, eval %s" % (ft_s, json.dumps(final)), flush=True)

    stem = "openset-split%d-seed%d" % (a.split, a.seed)
    wout = a.weights_out or os.path.join(HERE, "weights", "wrn-16-2-cifar10-openset-split%d.safetensors" % a.split)
    L.save_safetensors(wout, L.model_state_f32(model), metadata={"classes": json.dumps([CIFAR10_CLASSES[c] for c in known])})
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    device = "cpu (%s, %d torch threads)" % (cpu_model(), a.threads)
    epochs = total * a.batch / n
    scale = "split %d: LP on %d + FT %d steps x %d (%.2f epochs of %d known train images)" % (a.split, len(sub), total, a.batch, epochs, n)
    rows = []
    for det in ("MSP", "MaxLogit", "EBO"):
        for metric in ("AUROC", "FPR95TPR", "AUPR-IN", "AUPR-OUT"):
            rows.append(
                {
                    "experiment": "wrn-openset",
                    "cell": {"split": a.split, "method": "CE", "seed": a.seed},
                    "seed": a.seed,
                    "detector": det,
                    "oodSet": "cifar10-unknown",
                    "metric": metric,
                    "value": final[det][metric],
                    "origin": "reference",
                    "backend": "pytorch-cpu",
                    "device": device,
                    "scale": scale,
                    "date": date,
                }
            )
    rows.append(
        {
            "experiment": "wrn-openset",
            "cell": {"split": a.split, "method": "CE", "seed": a.seed},
            "seed": a.seed,
            "detector": None,
            "oodSet": None,
            "metric": "closed-set-accuracy",
            "value": final["closed_set_accuracy"],
            "origin": "reference",
            "backend": "pytorch-cpu",
            "device": device,
            "scale": scale,
            "date": date,
        }
    )
    result = {
        "schema": "aoe-results",
        "version": 1,
        "rows": rows,
        "run": {
            "script": "reference/openset_finetune.py",
            "args": vars(a),
            "split": {"index": a.split, "known": known, "unknown": unknown, "known_names": [CIFAR10_CLASSES[c] for c in known],
                      "source": "Vaze et al. 2022, sgvaze/osr_closed_set_all_you_need data/open_set_splits/osr_splits.py 'cifar-10-10'"},
            "images": {"known_train": int(n), "known_test": int(len(x_known)), "unknown_test": int(len(x_unknown))},
            "linear_probe": {"images": int(len(sub)), "seconds": probe_s, "train_accuracy": probe_train_acc, "eval": after_probe},
            "fine_tune": {"steps": total, "epochs": epochs, "seconds": ft_s, "images_seen": seen, "log": log},
            "final": final,
            "weights": os.path.relpath(wout, os.path.dirname(HERE)),
            "caveat": "the pretrained backbone saw all ten CIFAR-10 classes (with labels) during pre-training",
            "torch": torch.__version__,
            "load_average_at_end": list(os.getloadavg()),
            "total_seconds": time.time() - t_start,
        },
    }
    out = a.out or os.path.join(HERE, "results", stem + ".json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print("wrote %s and %s (%.0f s in all)" % (out, wout, time.time() - t_start), flush=True)


if __name__ == "__main__":
    main()
