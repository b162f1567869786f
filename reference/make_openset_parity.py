"""Logits of the shipped 6-class open-set WRN-16-2 (reference/weights/wrn-16-2-cifar10-openset-split1.safetensors)
on the first 32 images of tests/fixtures/cifar10/test_first1000.bin, eval mode, torch float32, pretrained
normalisation -> tests/fixtures/wrn/openset-split1-logits-first32.json, so src/models/openSetModel.test.ts can hold
the app's converted model (public/models/wrn-16-2-cifar10-openset-split1/model.zip) against PyTorch.

    /usr/bin/python3 reference/make_openset_parity.py      (a few seconds; deterministic)
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_lib as L  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
arrays, meta = L.load_safetensors(os.path.join(ROOT, "reference", "weights", "wrn-16-2-cifar10-openset-split1.safetensors"))
m = L.WideResNet(16, 2, 6)
L.load_model_state(m, arrays)
raw = np.fromfile(os.path.join(ROOT, "tests", "fixtures", "cifar10", "test_first1000.bin"), dtype=np.uint8).reshape(-1, 3073)[:32]
x = raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
logits = L.logits_of(m, x, torch.device("cpu"))
out = {"classes": json.loads(meta["classes"]), "labels": raw[:, 0].tolist(), "logits": [[float(v) for v in r] for r in logits]}
with open(os.path.join(ROOT, "tests", "fixtures", "wrn", "openset-split1-logits-first32.json"), "w") as f:
    json.dump(out, f)
print("wrote 32 x 6 logits; argmax", logits.argmax(1).tolist())
