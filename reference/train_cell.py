"""One cell: fine-tune the pretrained WRN with the cell's config (the paper's recipe in either named setting)
and evaluate it with the nine detectors. The step mirrors src/train/step.ts + settings.ts:

- ID batch: seeded permutation of the first `subsetSize` training images (short last batch dropped), pad-4
  crop + flip if `augment`, normalised with the setting's ID statistics (consistent: the model's; authors:
  the training statistics std 0.2023/0.1994/0.2010).
- Outliers: the first `outliersUsed` of the cell's PPCA samples, cycled in order from 0 each epoch; fed
  normalised like ID data (consistent) or raw in [0,1] (authors: ε then in network-input units).
- Perturbation on a TRAIN-mode model (dropout active, BN on the outlier batch alone, running stats restored).
- One train-mode forward of cat(ID, outliers); CE, or OE loss with 'separate' or 'whole-batch' means; SGD
  (Nesterov, coupled weight decay) at the per-step warm-up + cosine learning rate.
"""
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

import experiment_lib as X
import ood_detectors as D
import test_time_attack as A


def lr_at(c, t, total):
    """src/core/schedules.ts warmupCosineSchedule."""
    warm = min(int(c["warmupSteps"]), total - 1)
    if t < warm:
        return c["lr"] * (t + 1) / warm
    prog = min(1.0, (t - warm) / (total - warm))
    return c["lrMin"] + (c["lr"] - c["lrMin"]) * 0.5 * (1 + math.cos(math.pi * prog))


def augment(x_u8, gen):
    """Pad 4 zeros, random 32x32 crop, horizontal flip with p = ½ (uint8 [B,3,32,32] -> float [0,1]); the draws
    come from the CPU generator `gen`, the gather runs on x_u8's device."""
    b, dev = x_u8.shape[0], x_u8.device
    off = torch.randint(0, 9, (2, b), generator=gen).to(dev)
    flip = (torch.rand(b, generator=gen) < 0.5).to(dev)
    xp = F.pad(x_u8.float() / 255.0, (4, 4, 4, 4))
    ar = torch.arange(32, device=dev)
    rows = off[0][:, None] + ar
    cols = torch.where(flip[:, None], (off[1][:, None] + ar).flip(1), off[1][:, None] + ar)
    bi = torch.arange(b, device=dev)[:, None, None]
    return xp[bi, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


def mean_energy(model, x):
    return (-torch.logsumexp(model(x), 1)).mean()


def attack_grad(model, x, pre):
    """∇ₓ mean energy on the train-mode model; BN running statistics are restored (the paper's discarded copy)."""
    saved = [b.detach().clone() for b in model.buffers()]
    model.train()
    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(mean_energy(model, pre(x)), x)
    with torch.no_grad():
        for b, s in zip(model.buffers(), saved):
            b.copy_(s)
    return g


def perturb(model, x, c, pre, gen):
    """The shared method table (src/train/methods.ts) on outliers x in stored units; ε = 0 returns x."""
    eps, m = float(c["epsilon"]), c["method"]
    clamp = (lambda t: t.clamp(0, 1)) if c.get("clamp") else (lambda t: t)
    if m in ("CE", "OE") or eps == 0:
        return x
    if m == "OE+noise":
        if c.get("noiseMode", "paper") == "code":  # one ε·N(0, I) pattern shared by the batch
            return clamp(x + eps * torch.randn(x.shape[1:], generator=gen).to(x.device)[None])
        return clamp(x + math.sqrt(eps) * torch.randn(x.shape, generator=gen).to(x.device))
    if m == "AOE":
        return clamp(x - eps * attack_grad(model, x, pre).sign())
    if m == "AOE-PGD":
        k = int(c["pgdSteps"])
        alpha = float(c.get("pgdAlpha") or 0) or 2.5 * eps / max(1, k)
        cur = clamp(x + (torch.rand(x.shape, generator=gen).to(x.device) * 2 - 1) * eps)
        for _ in range(k):
            cur = clamp(torch.min(torch.max(cur - alpha * attack_grad(model, cur, pre).sign(), x - eps), x + eps))
        return cur
    raise ValueError("unknown method %r" % m)


def oe_loss(logits, y, n_id, lam, reduction):
    ce = F.cross_entropy(logits[:n_id], y, reduction="none")
    lo = logits[n_id:]
    uni = torch.logsumexp(lo, 1) - lo.mean(1)
    if reduction == "whole-batch":
        return (ce.sum() + lam * uni.sum()) / logits.shape[0]
    return ce.mean() + lam * uni.mean()


def train_step(model, opt, x_id, y, x_out, c, lr, gen, out_pre):
    """One step; x_id normalised, x_out [M,3,32,32] in [0,1] (or None). @returns (loss, perturbed outliers)."""
    model.train()
    xh = None
    if x_out is not None and c["method"] != "CE":
        xh = perturb(model, x_out, c, out_pre, gen).detach()
        logits = model(torch.cat([x_id, out_pre(xh)]))
        loss = oe_loss(logits, y, x_id.shape[0], float(c["lambda"]), c.get("oeReduction", "separate"))
    else:
        loss = F.cross_entropy(model(x_id), y)
    if not torch.isfinite(loss):
        raise FloatingPointError("the loss became %s" % float(loss))
    for g in opt.param_groups:
        g["lr"] = lr
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return float(loss), xh


def train(model, c, data, log, on_epoch=None, dev=torch.device("cpu")):
    """Fine-tune `model` in place with config c (setting applied). @returns timing info."""
    s = X.SETTINGS[c.get("setting", "consistent")]
    id_norm = X.PRETRAINED_NORM if s["id_norm"] == "model" else s["id_norm"]
    id_pre = X.normaliser(id_norm)
    out_pre = id_pre if s["normalize_outliers"] else (lambda t: t)
    xtr, ytr = data.train()
    n = min(int(c["subsetSize"]) or len(xtr), len(xtr))
    b, bo = int(c["idBatchSize"]), int(c["outlierBatchSize"])
    steps = n // b
    if steps < 1:
        raise ValueError("the ID batch (%d) is larger than the training set (%d)" % (b, n))
    total = steps * int(c["epochs"])
    outl = None
    if c["method"] != "CE":
        o = data.outliers(float(c["sigma2"]), int(c["outlierCount"]))
        used = len(o) if s["outlier_count"] is None else min(len(o), s["outlier_count"])
        outl = torch.from_numpy(o[:used]).to(dev).float() / 255.0
    torch.manual_seed(int(c["seed"]))
    gen = torch.Generator().manual_seed(int(c["seed"]))
    opt = torch.optim.SGD(model.parameters(), lr=c["lr"], momentum=c["momentum"], nesterov=bool(c["nesterov"]),
                          weight_decay=c["weightDecay"])
    xs, ys = torch.from_numpy(xtr[:n]).to(dev), torch.from_numpy(ytr[:n]).to(dev)
    t0, cpu0, t, images = time.time(), time.process_time(), 0, 0
    for epoch in range(int(c["epochs"])):
        perm = torch.randperm(n, generator=gen).to(dev)
        losses = []
        for j in range(steps):
            idx = perm[j * b : (j + 1) * b]
            x01 = augment(xs[idx], gen) if c.get("augment", True) else xs[idx].float() / 255.0
            xo = None
            if outl is not None:
                xo = outl[(torch.arange(bo, device=dev) + j * bo) % len(outl)]
            loss, _ = train_step(model, opt, id_pre(x01), ys[idx], xo, c, lr_at(c, t, total), gen, out_pre)
            losses.append(loss)
            t += 1
            images += b + (bo if xo is not None else 0)
        log("epoch %d/%d loss %.4f (%.1fs)" % (epoch + 1, c["epochs"], float(np.mean(losses)), time.time() - t0))
        if on_epoch:
            on_epoch(epoch + 1)
    secs, cpu = time.time() - t0, time.process_time() - cpu0
    # Wall time depends on the machine's load; CPU seconds (all threads) are the steadier measure on a shared box.
    return {"steps": t, "images": images, "seconds": secs, "cpuSeconds": cpu,
            "imagesPerSecond": images / secs if secs > 0 else None,
            "imagesPerCpuSecond": images / cpu if cpu > 0 else None}


def evaluate(model, c, ev, data, epoch=None, dev=torch.device("cpu")):
    """Rows {detector, oodSet, metric, value, epoch, budget, nId, nOod} of the spec's `evaluate` block."""
    s = X.SETTINGS[c.get("setting", "consistent")]
    pre = X.normaliser(X.PRETRAINED_NORM)
    model.eval()
    lim = int(c.get("evalLimit", 0) or 0)
    fit = int(c.get("fitLimit", 0) or 0)
    xtr, ytr = data.train()
    xtr, ytr = (xtr[:fit], ytr[:fit]) if fit else (xtr, ytr)
    f32 = lambda a: torch.from_numpy(a).to(dev).float() / 255.0  # noqa: E731
    dets = [d for d in ev["detectors"]]
    fitted = D.fit_detectors(model, pre(f32(xtr)), ytr)
    xte, yte = data.test()
    xte, yte = (xte[:lim], yte[:lim]) if lim else (xte, yte)
    sid, lid = D.score_all(model, fitted, pre(f32(xte)), X.PRETRAINED_NORM["std"], dets)
    rows = []
    metrics = [m for m in ev["metrics"] if m in ("AUROC", "AUPR-IN", "AUPR-OUT", "FPR95TPR")]
    if "ACC" in ev["metrics"]:
        rows.append(["", "", "ACC", float((lid.argmax(1) == yte).mean()), epoch, None, len(yte), None])
    sets = data.ood_sets(s["noise_ood_count"])
    names = list(sets) if ev["oodSets"] == "all" else list(ev["oodSets"])
    missing = [k for k in names if k not in sets]
    if missing:
        raise ValueError("OOD sets %s are not in the data folder (it has %s)" % (missing, list(sets)))
    attack = ev.get("attack")
    # As the app (src/experiments/executors/wrnCell.ts): clean rows carry budget None; under an attack every
    # row carries its budget (0 = clean). One random stream for PGD's starts, budget by budget, set by set.
    budgets = list(attack["budgets"]) if attack else [None]
    uniform = A.torch_uniform(c["seed"])
    xs = {name: f32(sets[name][:lim] if lim else sets[name]) for name in names}
    for bud in budgets:
        for name in names:
            xo01 = xs[name]
            x = xo01 if bud is None else A.attack_set(model, xo01, float(bud), pre, attack["kind"], uniform)
            sood, _ = D.score_all(model, fitted, pre(x), X.PRETRAINED_NORM["std"], dets)
            for det in dets:
                mm = D.ood_metrics(sid[det], sood[det])
                for m in metrics:
                    rows.append([det, name, m, mm[m], epoch, bud, len(yte), len(x)])
    return rows
