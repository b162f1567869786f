"""PPCA reference on the committed CIFAR-10 slice, computed with scikit-learn's exact PCA.

Eigenvalues come from sklearn (covariance with 1/(N−1)), rescaled to the ML covariance (1/N) that
src/data/outliers/ppca.ts uses. σ_n² is Tipping & Bishop's mean of ALL D − q discarded eigenvalues,
(tr S − Σλ_q)/(D − q); sklearn's noise_variance_ averages only the min(N, D) − q non-trivial ones, which differs
when N < D (here N = 1,000 < D = 3,072), so it is recorded separately.
Run: /usr/bin/python3 reference/ppca_sklearn_fixture.py  → tests/fixtures/ppca/cifar-train1000-q16.json
"""
import json
from pathlib import Path
import numpy as np
from sklearn.decomposition import PCA

root = Path(__file__).resolve().parent.parent
raw = np.fromfile(root / "tests/fixtures/cifar10/train_first1000.bin", np.uint8).reshape(1000, 3073)[:, 1:]
# CHW records → NHWC vectors, the app's layout, in [0, 1]
x = raw.reshape(1000, 3, 32, 32).transpose(0, 2, 3, 1).reshape(1000, -1).astype(np.float64) / 255
n = x.shape[0]
pca = PCA(n_components=16, svd_solver="full").fit(x)
scale = (n - 1) / n
out = {
    "q": 16,
    "eigenvalues": (pca.explained_variance_ * scale).tolist(),
    "totalVariance": float(x.var(axis=0).sum()),
    "noiseVariance": float((x.var(axis=0).sum() - (pca.explained_variance_ * scale).sum()) / (x.shape[1] - 16)),
    "sklearnNoiseVariance": float(pca.noise_variance_ * scale),
    "mean": x.mean(axis=0)[:12].tolist(),
    "firstComponentHead": pca.components_[0, :12].tolist(),
}
(root / "tests/fixtures/ppca").mkdir(parents=True, exist_ok=True)
(root / "tests/fixtures/ppca/cifar-train1000-q16.json").write_text(json.dumps(out, indent=1))
print(out["eigenvalues"][:4], out["noiseVariance"])
