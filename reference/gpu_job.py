"""The whole GPU reference job in one process (also runs on CPU at toy scale with --smoke):

1. pre-train WRN-16-2 on CIFAR-10 with cross-entropy (pad-4 crop + flip on the GPU, SGD Nesterov, lr 0.1,
   one warm-up epoch then cosine to 0; the number of epochs is chosen after the first epoch to fit
   --pretrain-budget seconds) and save it as safetensors with pytorch-ood's WideResNet key names;
2. fine-tune it with CE, OE, OE+noise and AOE (paper recipe: SGD Nesterov 0.9, wd 5e-4, lr 5e-4 per-step
   cosine to 1e-6, batch 128 ID + 128 outliers, lambda 0.5, AOE eps 0.5) on the app's synthetic outliers,
   for as many seeds as fit --finetune-budget seconds;
3. evaluate MSP and EBO on the OOD sets vs the CIFAR-10 test set (AUROC, FPR95TPR, ID accuracy).

Results go to --out: wrn-16-2-cifar10.safetensors, pretrain.json, finetune.json, logits_first1000.npy.
"""

import argparse
import contextlib
import copy
import json
import math
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_lib as L  # noqa: E402


def log(*a):
    print("[%7.1fs]" % (time.time() - T0), *a, flush=True)


T0 = time.time()


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def set_tf32(on):
    try:
        torch.backends.cuda.matmul.allow_tf32 = on
        torch.backends.cudnn.allow_tf32 = on
    except Exception as e:  # pragma: no cover
        log("tf32 flags:", e)


def make_model(args, dev):
    m = L.WideResNet(args.depth, args.width, 10, args.dropout).to(dev)
    if dev.type == "cuda":
        m = m.to(memory_format=torch.channels_last)
    return m


def cl(x, dev):
    return x.contiguous(memory_format=torch.channels_last) if dev.type == "cuda" else x


# ------------------------------------------------------------------------------------------ pre-training
def pretrain(args, dev, xtr, ytr, xte01, yte):
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    model = make_model(args, dev)
    nparams = sum(p.numel() for p in model.parameters())
    log("WRN-%d-%d params %d dropout %.2f" % (args.depth, args.width, nparams, args.dropout))
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    xpad = L.pad4(torch.from_numpy(xtr).to(dev))
    y_all = torch.from_numpy(ytr).to(dev)
    n, bs = xtr.shape[0], args.batch
    steps = n // bs  # drop the last short batch
    use_amp = dev.type == "cuda" and args.amp
    set_tf32(True)
    t_start = time.time()
    planned = args.max_epochs  # replaced after epoch 1
    history = []
    step = 0
    epoch = 0
    while epoch < planned:
        model.train()
        perm = torch.randperm(n, generator=gen).to(dev)
        sync(dev)
        te0 = time.time()
        t_mark = None
        loss_sum = torch.zeros((), device=dev)
        correct = torch.zeros((), device=dev)
        for j in range(steps):
            if epoch == 0:
                lr = args.lr * (j + 1) / steps
            else:
                t = (epoch - 1) * steps + j
                total = (planned - 1) * steps
                lr = 0.5 * args.lr * (1 + math.cos(math.pi * t / total))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[j * bs : (j + 1) * bs]
            xb = cl(L.augment_batch(xpad, idx, gen, dev), dev)
            yb = y_all[idx]
            with (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_amp else contextlib.nullcontext()):
                out = model(xb)
                loss = F.cross_entropy(out.float(), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach()
            correct += (out.argmax(1) == yb).sum()
            step += 1
            if epoch == 0 and j == args.timing_skip:
                sync(dev)
                t_mark = time.time()
        sync(dev)
        te1 = time.time()
        if epoch == 0:
            per_step = (te1 - t_mark) / max(1, steps - args.timing_skip - 1) if t_mark else (te1 - te0) / steps
            t_epoch = per_step * steps
            left = args.pretrain_budget - (te1 - t_start)
            planned = int(max(2, min(args.max_epochs, 1 + math.floor(left / (t_epoch * 1.03 + 0.02)))))
            log("epoch 1 took %.2fs (steady %.2fs/epoch, %.1f ms/step, %.0f img/s) -> %d epochs in total"
                % (te1 - te0, t_epoch, per_step * 1e3, bs / per_step, planned))
        rec = {"epoch": epoch + 1, "loss": float(loss_sum) / steps, "train_acc": float(correct) / (steps * bs),
               "lr_end": lr, "time_s": te1 - te0}
        if (epoch + 1) % args.eval_every == 0 or epoch + 1 == planned:
            set_tf32(False)
            lg = L.logits_of(model, xte01, dev)
            set_tf32(True)
            rec["test_acc"] = float((lg.argmax(1) == yte).mean())
        history.append(rec)
        log("epoch %3d/%d loss %.4f train %.4f%s lr %.4g %.2fs" % (
            epoch + 1, planned, rec["loss"], rec["train_acc"],
            (" test %.4f" % rec["test_acc"]) if "test_acc" in rec else "", lr, te1 - te0))
        epoch += 1
    train_time = time.time() - t_start
    return model, {"epochs": planned, "steps_per_epoch": steps, "batch": bs, "train_time_s": train_time,
                   "params": nparams, "history": history}


# -------------------------------------------------------------------------------------------- fine-tune
def aoe_step(model, xo01, eps):
    """x_hat = x - eps * sign(grad_x mean E(x)), E = -logsumexp(f(normalise(x))), on the model in train mode
    (batch-stat BN, dropout on); BN running statistics are restored afterwards (the paper attacks a copy)."""
    saved = [b.detach().clone() for b in model.buffers()]
    x = xo01.detach().requires_grad_(True)
    e = -torch.logsumexp(model(L.normalise(x)).float(), 1).mean()
    (g,) = torch.autograd.grad(e, x)
    with torch.no_grad():
        for b, s in zip(model.buffers(), saved):
            b.copy_(s)
    return (xo01 - eps * g.sign()).detach()


def finetune(args, dev, method, seed, base_state, xtr, ytr, out01_dev):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = make_model(args, dev)
    L.load_model_state(model, base_state)
    model.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=args.ft_lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    xpad = L.pad4(torch.from_numpy(xtr).to(dev))
    y_all = torch.from_numpy(ytr).to(dev)
    n, bs, bo = xtr.shape[0], args.ft_batch, args.ft_batch
    steps = n // bs
    total = args.ft_epochs * steps
    n_out = out01_dev.shape[0]
    ar = torch.arange(bo, device=dev)
    noise_std = math.sqrt(args.eps) if args.noise == "paper-variance" else args.eps
    set_tf32(False)
    sync(dev)
    t0 = time.time()
    t = 0
    losses = []
    for epoch in range(args.ft_epochs):
        model.train()
        perm = torch.randperm(n, generator=gen).to(dev)
        loss_sum = torch.zeros((), device=dev)
        for j in range(steps):
            lr = 1e-6 + (args.ft_lr - 1e-6) * 0.5 * (1 + math.cos(math.pi * t / total))
            for g in opt.param_groups:
                g["lr"] = lr
            idx = perm[j * bs : (j + 1) * bs]
            xid = L.augment_batch(xpad, idx, gen, dev)
            yid = y_all[idx]
            if method == "CE":
                loss = F.cross_entropy(model(cl(xid, dev)), yid)
            else:
                xo = out01_dev[(ar + j * bo) % n_out]  # outliers in order, restarting each epoch (as the paper)
                if method == "OE+noise":
                    xo = xo + noise_std * torch.randn(xo.shape, generator=gen).to(dev)
                elif method == "AOE":
                    xo = aoe_step(model, cl(xo, dev), args.eps)
                logits = model(cl(torch.cat([xid, L.normalise(xo)]), dev))
                lo = logits[bs:]
                l_oe = (torch.logsumexp(lo, 1) - lo.mean(1)).mean()
                loss = F.cross_entropy(logits[:bs], yid) + args.lam * l_oe
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach()
            t += 1
        losses.append(float(loss_sum) / steps)
    sync(dev)
    return model, {"train_loss": losses, "time_s": time.time() - t0, "steps": t, "lr_last": lr,
                   "noise_std": noise_std if method == "OE+noise" else None}


# ----------------------------------------------------------------------------------------------- main
def synthetic_data(n_tr, n_te, seed=0):
    """--smoke: class-dependent random images so that a tiny model can learn something."""
    rng = np.random.default_rng(seed)
    protos = rng.integers(0, 256, size=(10, 3, 32, 32))
    def draw(n):
        y = rng.integers(0, 10, size=n)
        x = np.clip(protos[y] * 0.6 + rng.integers(0, 256, size=(n, 3, 32, 32)) * 0.4, 0, 255).astype(np.uint8)
        return x, y.astype(np.int64)
    xtr, ytr = draw(n_tr)
    xte, yte = draw(n_te)
    return xtr, ytr, xte, yte


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/root/cifar")
    p.add_argument("--ood", default="/root/cifar/ood")
    p.add_argument("--outliers", required=False)
    p.add_argument("--out", default="out")
    p.add_argument("--smoke", action="store_true", help="toy scale on synthetic data (CPU test)")
    p.add_argument("--pretrained", help="skip pre-training and load this safetensors file")
    p.add_argument("--depth", type=int, default=16)
    p.add_argument("--width", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--amp", type=int, default=1)
    p.add_argument("--pretrain-budget", type=float, default=200.0)
    p.add_argument("--max-epochs", type=int, default=200)
    p.add_argument("--eval-every", type=int, default=10)
    p.add_argument("--timing-skip", type=int, default=30)
    p.add_argument("--methods", default="CE,OE,OE+noise,AOE")
    p.add_argument("--ft-epochs", type=int, default=3)
    p.add_argument("--ft-batch", type=int, default=128)
    p.add_argument("--ft-lr", type=float, default=5e-4)
    p.add_argument("--lam", type=float, default=0.5)
    p.add_argument("--eps", type=float, default=0.5)
    p.add_argument("--noise", default="paper-variance", choices=["paper-variance", "code-std"])
    p.add_argument("--finetune-budget", type=float, default=150.0)
    p.add_argument("--max-seeds", type=int, default=3)
    p.add_argument("--ft-seed0", type=int, default=1)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    env = {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
           "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else platform.processor() or "cpu"}
    log("env", env)

    # ---- data
    if args.smoke:
        xtr, ytr, xte, yte = synthetic_data(1024, 512)
        md5s = {}
        ood = {"textures": np.random.default_rng(5).random((64, 3, 32, 32)).astype(np.float32),
               "fashion-mnist": np.zeros((64, 3, 32, 32), np.float32),
               "gaussian": L.noise_set("gaussian", n=20, seed=1), "uniform": L.noise_set("uniform", n=20, seed=2)}
        outl = np.random.default_rng(7).integers(0, 256, size=(300, 3, 32, 32)).astype(np.uint8)
    else:
        xtr, ytr, xte, yte, md5s = L.load_cifar10(args.data, log=log)
        log("CIFAR-10 decoded: train %s test %s" % (xtr.shape, xte.shape))
        ood = L.load_ood_sets(args.ood, log=log)
        outl = None
        if args.outliers:
            with np.load(args.outliers) as z:
                outl = z["x"]
            assert outl.dtype == np.uint8 and outl.ndim == 4 and outl.shape[1:] == (3, 32, 32), (outl.dtype, outl.shape)
            log("outliers %s mean %.2f std %.2f" % (outl.shape, outl.mean(), outl.std()))
    xte01 = xte.astype(np.float32) / 255.0

    # ---- pre-train (or load)
    if args.pretrained:
        arrays, meta = L.load_safetensors(args.pretrained)
        model = make_model(args, dev)
        L.load_model_state(model, arrays)
        pre = {"loaded": args.pretrained, "metadata": meta}
    else:
        model, pre = pretrain(args, dev, xtr, ytr, xte01, yte)
    set_tf32(False)
    lg = L.logits_of(model, xte01, dev)
    acc = float((lg.argmax(1) == yte).mean())
    acc1k = float((lg[:1000].argmax(1) == yte[:1000]).mean())
    log("pretrained test accuracy %.4f (first 1000: %.4f)" % (acc, acc1k))
    np.save(os.path.join(args.out, "logits_first1000.npy"), lg[:1000].astype(np.float32))
    base_state = L.model_state_f32(model)
    recipe = ("CE pre-training: SGD Nesterov 0.9, wd 5e-4, lr %g, 1 warm-up epoch + cosine to 0, batch %d, "
              "pad-4 crop + flip, dropout %g, bf16 autocast=%s" % (args.lr, args.batch, args.dropout, bool(args.amp)))
    if not args.pretrained:
        L.save_safetensors(os.path.join(args.out, "wrn-16-2-cifar10.safetensors") if args.depth == 16 and args.width == 2
                           else os.path.join(args.out, "wrn-%d-%d-cifar10.safetensors" % (args.depth, args.width)),
                           base_state,
                           {"architecture": "WideResNet-%d-%d" % (args.depth, args.width), "num_classes": 10,
                            "dropout": args.dropout, "normalisation_mean": list(L.MEAN), "normalisation_std": list(L.STD),
                            "test_accuracy": acc, "test_accuracy_first1000": acc1k, "epochs": pre["epochs"],
                            "recipe": recipe})
    pre.update({"test_accuracy": acc, "test_accuracy_first1000": acc1k, "cifar_md5": md5s, "env": env,
                "recipe": recipe, "architecture": "WRN-%d-%d" % (args.depth, args.width), "dropout": args.dropout,
                "normalisation": {"mean": list(L.MEAN), "std": list(L.STD)}, "smoke": args.smoke})
    with open(os.path.join(args.out, "pretrain.json"), "w") as f:
        json.dump(pre, f, indent=1)

    # ---- evaluate pre-trained, then fine-tune
    ft = {"env": env, "smoke": args.smoke,
          "setting": {"methods": args.methods.split(","), "epochs": args.ft_epochs, "batch_id": args.ft_batch,
                      "batch_out": args.ft_batch, "lr": args.ft_lr, "lr_min": 1e-6, "schedule": "per-step cosine",
                      "optimizer": "SGD nesterov momentum 0.9 wd 5e-4 (coupled, all params)", "lambda": args.lam,
                      "oe_reduction": "separate: mean_ID CE + lambda * mean_OOD L_OE (paper Eq. 4/5)",
                      "epsilon": args.eps, "noise": args.noise, "dropout": args.dropout,
                      "outliers": "normalised with the pretrained stats like every input (DESIGN.md Pixels); "
                                  "eps in [0,1] pixel units before normalisation; no clamp; no augmentation",
                      "precision": "fp32 (TF32 off)", "n_outliers": None if outl is None else int(outl.shape[0]),
                      "ood_sets_averaged": L.MAIN_OOD},
          "pretrained": L.evaluate(model, xte01, yte, ood, dev), "runs": []}
    log("pretrained EBO avg", ft["pretrained"]["EBO"]["average"], "MSP avg", ft["pretrained"]["MSP"]["average"])
    ft_path = os.path.join(args.out, "finetune.json")
    with open(ft_path, "w") as f:
        json.dump(ft, f, indent=1)
    if outl is None:
        log("no outliers given: skipping fine-tuning")
        return
    out01 = torch.from_numpy(outl).to(dev).float() / 255.0
    methods = args.methods.split(",")
    t_ft0 = time.time()
    round_time = None
    for r in range(args.max_seeds):
        if round_time is not None and (time.time() - t_ft0) + round_time > args.finetune_budget:
            log("finetune budget reached after %d seed round(s)" % r)
            break
        tr0 = time.time()
        for mth in methods:
            seed = args.ft_seed0 + r
            m, info = finetune(args, dev, mth, seed, base_state, xtr, ytr, out01)
            ev = L.evaluate(m, xte01, yte, ood, dev)
            ft["runs"].append({"method": mth, "seed": seed, **info, "eval": ev})
            log("%-8s seed %d %.1fs acc %.4f | MSP AUROC %.4f FPR95 %.4f | EBO AUROC %.4f FPR95 %.4f | loss %s" % (
                mth, seed, info["time_s"], ev["id_accuracy"], ev["MSP"]["average"]["AUROC"],
                ev["MSP"]["average"]["FPR95TPR"], ev["EBO"]["average"]["AUROC"], ev["EBO"]["average"]["FPR95TPR"],
                ["%.3f" % v for v in info["train_loss"]]))
            with open(ft_path, "w") as f:
                json.dump(ft, f, indent=1)
            if seed == args.ft_seed0 and mth in ("OE", "AOE"):
                L.save_safetensors(os.path.join(args.out, "finetuned-%s-seed%d.safetensors" % (mth, seed)),
                                   L.model_state_f32(m), {"method": mth, "seed": seed, "epochs": args.ft_epochs})
            del m
        round_time = time.time() - tr0
    log("done; total %.1fs" % (time.time() - T0))


if __name__ == "__main__":
    main()
