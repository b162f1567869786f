"""Parity fixtures for the app's WideResNet path (issue 5, part 1). CPU only; run with /usr/bin/python3.

    /usr/bin/python3 reference/make_wrn_parity.py

Writes tests/fixtures/wrn/{wrn10_1,wrn16_2}.safetensors (initial weights, pytorch-ood state_dict layout)
and {…}.expected.safetensors (inputs NHWC, logits, energies, OE losses, AOE-perturbed outliers, parameters and
BN running stats after one Nesterov-SGD step (WRN-16-2: BN buffers and fc only), and for WRN-10-1 the
step's gradients), all float32 except labels
and num_batches_tracked (int64). See reference/README.md "WRN parity fixtures".
"""
import copy
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_io import save_file  # noqa: E402
from wrn import WideResNet  # noqa: E402

OUT_DIR = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "wrn")
MEAN = torch.tensor([125.3, 123.0, 113.9]) / 255  # pretrained normalisation (OOD_SPEC section 4)
STD = torch.tensor([63.0, 62.1, 66.7]) / 255
LR, MOMENTUM, WEIGHT_DECAY, LAMBDA = 5e-4, 0.9, 5e-4, 0.5
EPSILONS = [0.5, 0.01]


def randomise_state(model, gen):
    """Non-trivial BN affine params and running stats, a non-zero fc bias: so a wrong layout cannot hide."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(1 + 0.2 * torch.randn(c, generator=gen))
                m.bias.copy_(0.1 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(c, generator=gen))
                m.num_batches_tracked.fill_(7)
        model.fc.bias.copy_(0.1 * torch.randn(model.fc.bias.shape, generator=gen))


def oe_losses(logits, labels, n_id):
    """pytorch-ood whole-batch OE loss and the separate-means (paper Eq. 5) form; lambda = 0.5."""
    ce = F.cross_entropy(logits[:n_id], labels, reduction="none")
    uni = torch.logsumexp(logits[n_id:], 1) - logits[n_id:].mean(1)
    whole = (ce.sum() + LAMBDA * uni.sum()) / logits.shape[0]
    separate = ce.mean() + LAMBDA * uni.mean()
    return whole, separate


def nhwc(x):
    return x.permute(0, 2, 3, 1).contiguous()


def make_case(name, depth, widen, n_id, n_out, seed, keep_grads):
    t0 = time.time()
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = WideResNet(depth, widen, num_classes=10, drop_rate=0.0)
    randomise_state(model, gen)
    state0 = {k: v.clone() for k, v in model.state_dict().items()}
    x_id_u8 = torch.randint(0, 256, (n_id, 3, 32, 32), generator=gen).float()
    x_id = ((x_id_u8 / 255 - MEAN[:, None, None]) / STD[:, None, None]).float()
    x_out = torch.randint(0, 256, (n_out, 3, 32, 32), generator=gen).float() / 255  # raw [0,1], as the paper
    labels = torch.randint(0, 10, (n_id,), generator=gen)
    batch = torch.cat([x_id, x_out])
    out = {"x_id": nhwc(x_id), "y_id": labels.long(), "x_out": nhwc(x_out)}

    model.eval()
    with torch.no_grad():
        logits_eval = model(batch)
    out["logits_eval"] = logits_eval
    out["energy_eval"] = -torch.logsumexp(logits_eval, 1)
    w, s = oe_losses(logits_eval, labels, n_id)
    out["oe_whole_eval"], out["oe_separate_eval"] = w.reshape(1), s.reshape(1)

    # AOE attack (EBA): a deep copy in TRAIN mode (BN on the outlier batch's own statistics; dropout would be
    # active but is 0 here), one signed step down the gradient of the mean energy of the outlier batch alone.
    attacker = copy.deepcopy(model).train()
    x_adv = x_out.clone().requires_grad_(True)
    mean_energy = (-torch.logsumexp(attacker(x_adv), 1)).mean()
    (grad,) = torch.autograd.grad(mean_energy, x_adv)
    out["aoe_grad"] = nhwc(grad)
    for eps in EPSILONS:
        out[f"aoe_x_eps{eps}"] = nhwc(x_out - eps * grad.sign())

    # One training step on cat(ID, outliers): train-mode forward (updates BN running stats), whole-batch OE loss.
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, nesterov=True, weight_decay=WEIGHT_DECAY)
    opt.zero_grad()
    logits_train = model(batch)
    w, s = oe_losses(logits_train, labels, n_id)
    w.backward()
    out["logits_train"] = logits_train.detach()
    out["energy_train"] = -torch.logsumexp(logits_train.detach(), 1)
    out["oe_whole_train"], out["oe_separate_train"] = w.detach().reshape(1), s.detach().reshape(1)
    if keep_grads:
        for k, p in model.named_parameters():
            out[f"grad/{k}"] = p.grad.clone()
    opt.step()
    for k, v in model.state_dict().items():
        # WRN-16-2 keeps only BN buffers and the fc layer after the step, to stay small (its conv weights are 2.6 MB).
        if keep_grads or "running" in k or "num_batches" in k or k.startswith("fc."):
            out[f"after/{k}"] = v.clone()

    meta = {
        "depth": depth, "widen_factor": widen, "num_classes": 10, "drop_rate": 0.0, "n_id": n_id, "n_out": n_out,
        "seed": seed, "epsilons": EPSILONS, "lr": LR, "momentum": MOMENTUM, "nesterov": True,
        "weight_decay": WEIGHT_DECAY, "lambda": LAMBDA, "step_loss": "whole-batch (pytorch-ood OutlierExposureLoss)",
        "attack_mode": "train-mode deep copy, outlier batch alone, mean energy, running stats discarded",
        "torch": torch.__version__,
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    save_file(state0, os.path.join(OUT_DIR, f"{name}.safetensors"), {"format": "pt"})
    save_file(out, os.path.join(OUT_DIR, f"{name}.expected.safetensors"), {"config": json.dumps(meta)})
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {n_params} parameters, {len(state0)} state_dict keys, {time.time() - t0:.1f}s")


if __name__ == "__main__":
    torch.set_num_threads(1)
    t = time.time()
    make_case("wrn10_1", 10, 1, n_id=4, n_out=4, seed=1, keep_grads=True)
    make_case("wrn16_2", 16, 2, n_id=4, n_out=4, seed=2, keep_grads=False)
    print(f"total {time.time() - t:.1f}s")
