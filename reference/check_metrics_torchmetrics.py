#!/usr/bin/env python3
"""Optional cross-check: pytorch-ood's metric recipe run through real torchmetrics on the committed metric fixtures.

torchmetrics is not in Debian's Python, so use a throw-away venv on top of it (torch 1.13 is enough with --no-deps):
    /usr/bin/python3 -m venv --system-site-packages /tmp/tmvenv
    /tmp/tmvenv/bin/pip install --no-deps torchmetrics lightning-utilities
    /tmp/tmvenv/bin/python reference/check_metrics_torchmetrics.py
Prints max |torchmetrics - sklearn expected| per case, for float64 and float32 scores. torchmetrics applies a
sigmoid when any score lies outside [0, 1] (every case marked sigmoid=yes); where that sigmoid saturates
(large-magnitude-400) it merges distinct scores into ties and the results differ from ours by design.
"""
import json
import os

import numpy as np
import torch
from torchmetrics.functional.classification import binary_auroc, binary_precision_recall_curve, binary_roc
from torchmetrics.utilities.compute import auc

DIR = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', '__fixtures__', 'metrics')


def pytorch_ood_metrics(s, y, dtype):
    """OOD_SPEC section 3: pytorch-ood v0.2.0 OODMetrics on top of torchmetrics."""
    s = torch.tensor(s, dtype=dtype)
    y = torch.tensor(y, dtype=torch.long)
    fpr, tpr, _ = binary_roc(s, y)
    p_out, r_out, _ = binary_precision_recall_curve(s, y)
    p_in, r_in, _ = binary_precision_recall_curve(-s, 1 - y)
    return {'AUROC': float(binary_auroc(s, y)), 'AUPR-IN': float(auc(r_in, p_in)),
            'AUPR-OUT': float(auc(r_out, p_out)),
            'FPR95TPR': float(fpr[torch.searchsorted(tpr, 0.95, right=False)])}


def main():
    import torchmetrics
    d = json.load(open(os.path.join(DIR, 'cases.json')))
    large = dict(d['large'], scores=np.fromfile(os.path.join(DIR, 'large.f32'), '<f4').tolist(),
                 labels=np.fromfile(os.path.join(DIR, 'large.u8'), np.uint8).tolist())
    print(f'torchmetrics {torchmetrics.__version__}, torch {torch.__version__}')
    for c in d['cases'] + [large]:
        sig = 'yes' if min(c['scores']) < 0 or max(c['scores']) > 1 else 'no'
        errs = []
        for dt in (torch.float64, torch.float32):
            got = pytorch_ood_metrics(c['scores'], c['labels'], dt)
            errs.append(max(abs(got[k] - c['expected'][k]) for k in got))
        print(f"{c['name']:28s} sigmoid={sig:3s} float64 {errs[0]:.1e}  float32 {errs[1]:.1e}")


if __name__ == '__main__':
    main()
