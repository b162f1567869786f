#!/usr/bin/python3
"""Detector fixtures for src/core/detectors/detectors.fixture.test.ts (numpy / scipy / sklearn, float64).

Run from the repository root:  /usr/bin/python3 reference/make_detector_fixtures.py   (well under a second)
Writes src/core/__fixtures__/detectors.json. Each toy has float32-exact features (so the TypeScript side reads the
same numbers), a head W (C x D), b, labels, and the expected scores of every detector per OOD_SPEC.md section 1,
computed here independently of the TypeScript code (pytorch-ood itself is not installed; its formulas are re-stated):
  MSP -max softmax(f/T); MaxLogit -max f; EBO -T logsumexp(f/T); KLMatching sum rel_entr(p, d_yhat) (0 log 0 = 0);
  SHE -<z, S_yhat>; DICE -logsumexp(z W'^T + b) with np.percentile; Mahalanobis 1/2 min_k (z-mu_k)^T inv(Sigma) (z-mu_k)
  with Sigma = scatter/(N-1) + 1e-6 I; ViM alpha*||(z-u)R|| - logsumexp(clip(f, -100, 100)), u = -pinv(W) b,
  sklearn EmpiricalCovariance(assume_centered=True) + numpy eigh.
"""
import json
import os

import numpy as np
from scipy.special import logsumexp, rel_entr, softmax
from sklearn.covariance import EmpiricalCovariance

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', '__fixtures__', 'detectors.json')


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def toy(rng, n_train, n_test, d, c, vim_d, dice_p):
    means = rng.normal(0, 3, (c, d))
    y = np.arange(n_train) % c
    z = f32(means[y] + rng.normal(0, 1, (n_train, d)) + 1.0)  # + 1: features off-centre like post-ReLU ones
    # test: half ID-like, half far away
    yt = rng.integers(0, c, n_test)
    zt = f32(np.r_[means[yt[: n_test // 2]] + rng.normal(0, 1, (n_test // 2, d)) + 1.0,
                   rng.normal(0, 6, (n_test - n_test // 2, d))])
    w = f32(rng.normal(0, 1, (c, d)) + 0.3 * means)  # a head that roughly follows the class means
    b = f32(rng.normal(0, 0.5, c))
    f, ft = z @ w.T + b, zt @ w.T + b
    ex = {}
    for t in (1.0, 2.0):
        ex[f'MSP_T{t:g}'] = (-softmax(ft / t, axis=1).max(1)).tolist()
        ex[f'EBO_T{t:g}'] = (-t * logsumexp(ft / t, axis=1)).tolist()
    ex['MaxLogit'] = (-ft.max(1)).tolist()
    # KL matching (given labels)
    p = softmax(f, axis=1)
    dists = np.stack([p[y == k].mean(0) for k in range(c)])
    pt = softmax(ft, axis=1)
    ex['KLMatching'] = rel_entr(pt, dists[pt.argmax(1)]).sum(1).tolist()
    # SHE
    correct = f.argmax(1) == y
    pats = np.stack([z[correct & (y == k)].mean(0) for k in range(c)])
    ex['SHE'] = (-(zt * pats[ft.argmax(1)]).sum(1)).tolist()
    # DICE
    contrib = z.mean(0)[None, :] * w
    thr = np.percentile(contrib, dice_p)
    wm = np.where(contrib > thr, w, 0.0)
    ex['DICE'] = (-logsumexp(zt @ wm.T + b, axis=1)).tolist()
    ex['DICE_threshold'] = float(thr)
    # Mahalanobis
    mu = np.stack([z[y == k].mean(0) for k in range(c)])
    cen = z - mu[y]
    sigma = cen.T @ cen / (n_train - 1) + 1e-6 * np.eye(d)
    prec = np.linalg.inv(sigma)
    dk = np.stack([np.einsum('ij,jk,ik->i', zt - mu[k], prec, zt - mu[k]) for k in range(c)], 1)
    ex['Mahalanobis'] = (0.5 * dk.min(1)).tolist()
    ex['Mahalanobis_precision'] = prec.ravel().tolist()
    # ViM
    u = -np.linalg.pinv(w) @ b
    ec = EmpiricalCovariance(assume_centered=True).fit(z - u)
    vals, vecs = np.linalg.eigh(ec.covariance_)
    order = np.argsort(-vals)
    r_basis = vecs[:, order[vim_d:]]
    alpha = f.max(1).mean() / np.linalg.norm((z - u) @ r_basis, axis=1).mean()
    ex['ViM'] = (alpha * np.linalg.norm((zt - u) @ r_basis, axis=1) - logsumexp(np.clip(ft, -100, 100), axis=1)).tolist()
    ex['ViM_alpha'] = float(alpha)
    ex['ViM_origin'] = u.tolist()
    ex['ViM_eigenvalues'] = vals[order].tolist()
    return {'D': d, 'C': c, 'vimD': vim_d, 'diceP': dice_p, 'trainFeatures': z.ravel().tolist(),
            'trainLabels': y.tolist(), 'testFeatures': zt.ravel().tolist(), 'W': w.ravel().tolist(),
            'b': b.tolist(), 'expected': ex}


def main():
    rng = np.random.default_rng(7)
    toys = {'small': toy(rng, 120, 20, 6, 3, 3, 90.0), 'medium': toy(rng, 400, 40, 24, 5, 10, 65.0)}
    with open(OUT, 'w') as fh:
        json.dump({'generator': 'reference/make_detector_fixtures.py', 'toys': toys}, fh)
    print('wrote', OUT, os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
