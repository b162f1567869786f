#!/usr/bin/python3
"""Metric fixtures for src/core/metrics.test.ts, with expected values from scikit-learn (float64).

Run from the repository root:  /usr/bin/python3 reference/make_metric_fixtures.py
Writes src/core/__fixtures__/metrics/{cases.json,large.f32,large.u8}. Deterministic (seeded numpy RNG).

Definitions (OOD_SPEC.md section 3, torchmetrics as used by pytorch-ood v0.2.0), OOD = label 1 = positive:
  AUROC    = roc_auc_score(labels, s)                         (trapezoid over the tie-collapsed ROC)
  AUPR-OUT = auc(recall, precision) of precision_recall_curve(labels, s)
  AUPR-IN  = auc(recall, precision) of precision_recall_curve(1 - labels, -s)
  FPR95TPR = fpr[searchsorted(tpr, 0.95, 'left')] of roc_curve(labels, s, drop_intermediate=False)
sklearn 1.2's precision_recall_curve is exactly torchmetrics' binary_precision_recall_curve: precision = tps/(tps+fps),
recall = tps/tps[-1], one point per distinct threshold, reversed, with (recall 0, precision 1) appended (older sklearn
truncated at full recall, which only removes a zero-width vertical segment). torchmetrics is not installed here, so the
script re-derives that formula plainly in numpy (torchmetrics_style) and asserts both agree.
Scores are float32-exact so the TypeScript side (Float32Array) sees exactly the same values and ties.
"""
import json
import os
import time

import numpy as np
from sklearn.metrics import auc, precision_recall_curve, roc_auc_score, roc_curve

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', '__fixtures__', 'metrics')


def torchmetrics_style(s, y):
    """Plain numpy re-derivation of torchmetrics' binary ROC/PR + auc (float64, no sigmoid)."""
    order = np.argsort(-s, kind='stable')
    s_sorted, y_sorted = s[order], y[order]
    last = np.r_[np.nonzero(np.diff(s_sorted))[0], len(s) - 1]
    tps = np.cumsum(y_sorted)[last].astype(np.float64)
    fps = (last + 1) - tps
    fpr = np.r_[0, fps / fps[-1]]
    tpr = np.r_[0, tps / tps[-1]]
    prec = np.r_[(tps / (tps + fps))[::-1], 1.0]
    rec = np.r_[(tps / tps[-1])[::-1], 0.0]
    return fpr, tpr, -np.trapz(prec, rec)


def expected(s, y):
    s = s.astype(np.float64)
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    p_out, r_out, _ = precision_recall_curve(y, s)
    p_in, r_in, _ = precision_recall_curve(1 - y, -s)
    ex = {
        'AUROC': float(roc_auc_score(y, s)),
        'AUPR-IN': float(auc(r_in, p_in)),
        'AUPR-OUT': float(auc(r_out, p_out)),
        'FPR95TPR': float(fpr[np.searchsorted(tpr, 0.95, side='left')]),
    }
    # cross-check against the plain torchmetrics-style derivation
    tfpr, ttpr, taupr_out = torchmetrics_style(s, y)
    assert np.array_equal(tfpr, fpr) and np.array_equal(ttpr, tpr)
    assert abs(taupr_out - ex['AUPR-OUT']) < 1e-12
    assert abs(np.trapz(tpr, fpr) - ex['AUROC']) < 1e-12
    curves = {'fpr': fpr.tolist(), 'tpr': tpr.tolist(), 'precisionOut': p_out.tolist(), 'recallOut': r_out.tolist()}
    return ex, curves


def f32(a):
    return np.asarray(a, dtype=np.float32)


def make_cases(rng):
    cases = []

    def add(name, s, y):
        cases.append((name, f32(s), np.asarray(y, dtype=np.uint8)))

    def mix(n_id, n_ood, mu_ood=1.0, sd_ood=1.0):
        s = np.r_[rng.normal(0, 1, n_id), rng.normal(mu_ood, sd_ood, n_ood)]
        y = np.r_[np.zeros(n_id), np.ones(n_ood)]
        p = rng.permutation(len(s))
        return s[p], y[p]

    s, y = mix(150, 150)
    add('continuous-300', s, y)
    s, y = mix(150, 150)
    add('ties-integers-300', np.round(s * 4), y)
    s, y = mix(1000, 1000, 0.5)
    add('heavy-ties-1-decimal-2000', np.round(s, 1), y)
    add('all-tied-10', np.full(10, 0.25), [0, 1] * 5)
    add('separated-200', np.r_[rng.uniform(0, 1, 100), rng.uniform(2, 3, 100)], np.r_[np.zeros(100), np.ones(100)])
    add('inverted-200', np.r_[rng.uniform(2, 3, 100), rng.uniform(0, 1, 100)], np.r_[np.zeros(100), np.ones(100)])
    add('tiny-2', [0.3, 0.7], [0, 1])
    add('tiny-2-inverted', [0.7, 0.3], [0, 1])
    add('tiny-2-tied', [0.5, 0.5], [1, 0])
    s, y = mix(1000, 20, 2.0)
    add('imbalanced-1000-id-20-ood', s, y)
    s, y = mix(20, 1000, 2.0)
    add('imbalanced-20-id-1000-ood', s, y)
    # large magnitudes of both signs: torchmetrics would apply a float32 sigmoid here and saturate into ties
    s, y = mix(200, 200, 1.0)
    add('large-magnitude-400', s * 1e4 - 3e3, y)
    s, y = mix(500, 500, 1.0, 1.5)
    add('energy-like-negative-1000', np.round(-8 - 2 * s, 3), y)
    return cases


def main():
    t0 = time.time()
    rng = np.random.default_rng(20250611)
    os.makedirs(OUT, exist_ok=True)
    out = []
    for name, s, y in make_cases(rng):
        ex, curves = expected(s, y)
        entry = {'name': name, 'scores': s.astype(np.float64).tolist(), 'labels': y.tolist(), 'expected': ex}
        if len(s) <= 400:
            entry['curves'] = curves
        out.append(entry)
    # large: 50k ID ~ N(0,1), 50k OOD ~ N(1, 1.2^2), shuffled, float32 little-endian + uint8 labels
    n = 50_000
    s = f32(np.r_[rng.normal(0, 1, n), rng.normal(1, 1.2, n)])
    y = np.r_[np.zeros(n, np.uint8), np.ones(n, np.uint8)]
    p = rng.permutation(2 * n)
    s, y = s[p], y[p]
    s.astype('<f4').tofile(os.path.join(OUT, 'large.f32'))
    y.tofile(os.path.join(OUT, 'large.u8'))
    ex, _ = expected(s, y)
    large = {'name': 'large-100000', 'scoresFile': 'large.f32', 'labelsFile': 'large.u8', 'n': 2 * n, 'expected': ex}
    with open(os.path.join(OUT, 'cases.json'), 'w') as fh:
        json.dump({'generator': 'reference/make_metric_fixtures.py', 'sklearn': __import__('sklearn').__version__,
                   'cases': out, 'large': large}, fh)
    print(f'wrote {len(out)} cases + large (n={2 * n}) to {OUT} in {time.time() - t0:.1f} s')
    for e in out + [large]:
        print(f"  {e['name']:32s} " + ' '.join(f'{k}={v:.6f}' for k, v in e['expected'].items()))


if __name__ == '__main__':
    main()
