"""Parity fixture for one training step of each named setting (issue 11): the app's trainStep under
src/train/settings.ts vs the torchrun runner's train_cell.train_step on the same weights and batch.

    /usr/bin/python3 reference/make_setting_parity.py      # about 1 s; deterministic

Weights: tests/fixtures/wrn/wrn10_1.safetensors (WRN-10-1 with randomised BN, see make_wrn_parity.py), dropout
0 (dropout masks cannot be shared between frameworks). Batch: 4 ID uint8 images with labels, 4 uint8 outliers.
Cases: AOE ε = 0.5 and OE, each in 'consistent' (ID and outliers normalised with the pretrained statistics, ε in
pixels, separate OE means) and 'authors' (ID normalised with the training statistics, outliers raw, ε in
network-input units, whole-batch OE mean). Writes tests/fixtures/wrn/settings_step.expected.safetensors:
`x_id_u8`, `x_out_u8` (NHWC, as float), `y_id`, and per case `<case>/loss`, `<case>/x_out_perturbed` (NHWC,
stored units = [0,1] pixels), `<case>/after/<key>` (the state after the step). Config in `__metadata__`.
"""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import train_cell as T  # noqa: E402
from safetensors_io import load_file, save_file  # noqa: E402
from wrn import WideResNet  # noqa: E402

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "wrn")
BASE = {"lambda": 0.5, "noiseMode": "paper", "oeReduction": "separate", "clamp": False, "pgdSteps": 20,
        "pgdAlpha": 0.03, "lr": 5e-4, "momentum": 0.9, "nesterov": True, "weightDecay": 5e-4}
CASES = [("consistent", "AOE", 0.5), ("authors", "AOE", 0.5), ("consistent", "OE", 0.0), ("authors", "OE", 0.0)]


def nhwc(x):
    return x.permute(0, 2, 3, 1).contiguous()


def main():
    torch.set_num_threads(1)
    t0 = time.time()
    state = load_file(os.path.join(FIX, "wrn10_1.safetensors"))
    gen = torch.Generator().manual_seed(11)
    x_id_u8 = torch.randint(0, 256, (4, 3, 32, 32), generator=gen)
    x_out_u8 = torch.randint(0, 256, (4, 3, 32, 32), generator=gen)
    y = torch.randint(0, 10, (4,), generator=gen)
    out = {"x_id_u8": nhwc(x_id_u8.float()), "x_out_u8": nhwc(x_out_u8.float()), "y_id": y.long()}
    for setting, method, eps in CASES:
        c = X.effective_config({**BASE, "setting": setting, "method": method, "epsilon": eps})
        s = X.SETTINGS[setting]
        model = WideResNet(10, 1, 10, 0.0)
        model.load_state_dict(state)
        id_pre = X.normaliser(X.PRETRAINED_NORM if s["id_norm"] == "model" else s["id_norm"])
        out_pre = id_pre if s["normalize_outliers"] else (lambda t: t)
        opt = torch.optim.SGD(model.parameters(), lr=c["lr"], momentum=c["momentum"], nesterov=True,
                              weight_decay=c["weightDecay"])
        loss, xh = T.train_step(model, opt, id_pre(x_id_u8.float() / 255), y, x_out_u8.float() / 255, c, c["lr"],
                                torch.Generator().manual_seed(0), out_pre)
        key = "%s_%s" % (setting, method)
        out[key + "/loss"] = torch.tensor([loss])
        out[key + "/x_out_perturbed"] = nhwc(xh)
        for k, v in model.state_dict().items():
            out["%s/after/%s" % (key, k)] = v.clone()
        print("%-16s loss %.6f  reduction %s" % (key, loss, c["oeReduction"]))
    meta = {"weights": "tests/fixtures/wrn/wrn10_1.safetensors", "drop_rate": 0.0, "cases": CASES, "config": BASE,
            "settings": {k: {kk: vv for kk, vv in v.items()} for k, v in X.SETTINGS.items()},
            "pretrained_norm": X.PRETRAINED_NORM, "torch": torch.__version__}
    save_file(out, os.path.join(FIX, "settings_step.expected.safetensors"), {"config": json.dumps(meta)})
    print("wrote tests/fixtures/wrn/settings_step.expected.safetensors in %.1fs" % (time.time() - t0))


if __name__ == "__main__":
    main()
