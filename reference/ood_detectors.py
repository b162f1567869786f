"""The nine OOD detectors and the four OOD metrics, as pytorch-ood v0.2 computes them (OOD_SPEC.md §1, §3),
for the torchrun runner (run_experiment.py) and the detector-evaluation fixture (make_detector_eval_fixture.py).

Conventions: higher score = more OOD; OOD is the positive class of the metrics; values are fractions.
Inputs are network inputs (already normalised with the model's statistics) as float32 NCHW tensors; the model
is a reference/wrn.py WideResNet in eval mode (`features` = the 128-d BN-ReLU-avgpool output, `fc` the head).
Fitting uses ID training images with their labels. Settings: ODIN eps 0.002, T 1000, gradient sign divided by
the normalisation std per channel; Mahalanobis without input pre-processing (pytorch-ood's `predict_features`
path); ViM d = min(64, D // 2); DICE p = 90 (percent); MSP/EBO at T = 1. The statistics are done in float64.
"""
import numpy as np
import torch
import torch.nn.functional as F
from scipy.special import logsumexp, rel_entr, softmax
from sklearn.covariance import EmpiricalCovariance
from sklearn.metrics import auc, precision_recall_curve, roc_auc_score, roc_curve

DETECTORS = ["MSP", "MaxLogit", "EBO", "ODIN", "Mahalanobis", "ViM", "KLMatching", "SHE", "DICE"]
ODIN_EPS, ODIN_T, DICE_P, VIM_MAX_D = 0.002, 1000.0, 90.0, 64


@torch.no_grad()
def features_logits(model, x, batch=500):
    """Eval-mode penultimate features [N, D] and logits [N, C] (float64 numpy) of network inputs x [N,3,H,W]."""
    model.eval()
    zs, fs = [], []
    for i in range(0, len(x), batch):
        z = model.features(x[i : i + batch])
        zs.append(z.double().cpu().numpy())
        fs.append(model.fc(z).double().cpu().numpy())
    return np.concatenate(zs), np.concatenate(fs)


def odin_scores(model, x, std, batch=500):
    """pytorch-ood ODIN: ŷ = argmax f/T; L = nll_loss(f/T, ŷ) on raw scaled logits; x̂ = x − eps·sign(∇L)/std_c;
    score = −max softmax(f(x̂)) at T = 1. @param std per-channel normalisation std (3,)."""
    model.eval()
    s = torch.tensor(std, dtype=torch.float32, device=x.device).view(1, 3, 1, 1)
    out = []
    for i in range(0, len(x), batch):
        xb = x[i : i + batch].clone().requires_grad_(True)
        logits = model(xb) / ODIN_T
        loss = F.nll_loss(logits, logits.argmax(1))
        (g,) = torch.autograd.grad(loss, xb)
        with torch.no_grad():
            xh = xb - ODIN_EPS * (g.sign() / s)
            out.append(-softmax(model(xh).double().cpu().numpy(), axis=1).max(1))
    return np.concatenate(out)


class FittedDetectors:
    """Everything the feature/logit detectors learn from the ID training data."""

    def __init__(self, z, f, y, W, b):
        """z [N, D] features, f [N, C] logits, y [N] labels, W [C, D], b [C] the head (float64)."""
        n, d = z.shape
        c = W.shape[0]
        self.W, self.b = W, b
        labels = np.arange(c)
        if not np.all(np.isin(labels, y)):
            raise ValueError("fitting needs every class among the ID training labels")
        # Mahalanobis: class means, shared covariance scatter/(N-1) + 1e-6 I.
        self.mu = np.stack([z[y == k].mean(0) for k in labels])
        cen = z - self.mu[y]
        self.prec = np.linalg.inv(cen.T @ cen / (n - 1) + 1e-6 * np.eye(d))
        # ViM: origin u = −pinv(W) b; residual space = eigenvectors beyond the top d of the centred covariance.
        self.vim_d = min(VIM_MAX_D, d // 2)
        self.u = -np.linalg.pinv(W) @ b
        cov = EmpiricalCovariance(assume_centered=True).fit(z - self.u).covariance_
        vals, vecs = np.linalg.eigh(cov)
        self.R = vecs[:, np.argsort(-vals)[self.vim_d :]]
        self.alpha = f.max(1).mean() / np.linalg.norm((z - self.u) @ self.R, axis=1).mean()
        # KL-Matching: mean softmax of the ID samples with GIVEN label k.
        p = softmax(f, axis=1)
        self.kl_d = np.stack([p[y == k].mean(0) for k in labels])
        # SHE: mean feature of the correctly classified samples of class k.
        ok = f.argmax(1) == y
        if not np.all(np.isin(labels, y[ok])):
            raise ValueError("SHE needs a correctly classified ID training sample of every class")
        self.she = np.stack([z[ok & (y == k)].mean(0) for k in labels])
        # DICE: keep head weights whose contribution m ∘ W exceeds the p-th percentile.
        contrib = z.mean(0)[None, :] * W
        self.dice_W = np.where(contrib > np.percentile(contrib, DICE_P), W, 0.0)

    def scores(self, z, f):
        """All feature/logit detectors' scores (higher = more OOD) of features z and logits f."""
        p = softmax(f, axis=1)
        yhat = f.argmax(1)
        dk = np.stack([np.einsum("ij,jk,ik->i", z - m, self.prec, z - m) for m in self.mu], 1)
        return {
            "MSP": -p.max(1),
            "MaxLogit": -f.max(1),
            "EBO": -logsumexp(f, axis=1),
            "Mahalanobis": 0.5 * dk.min(1),
            "ViM": self.alpha * np.linalg.norm((z - self.u) @ self.R, axis=1) - logsumexp(np.clip(f, -100, 100), axis=1),
            "KLMatching": rel_entr(p, self.kl_d[yhat]).sum(1),
            "SHE": -(z * self.she[yhat]).sum(1),
            "DICE": -logsumexp(z @ self.dice_W.T + self.b, axis=1),
        }


def fit_detectors(model, x_train, y_train):
    z, f = features_logits(model, x_train)
    W = model.fc.weight.detach().double().cpu().numpy()
    b = model.fc.bias.detach().double().cpu().numpy()
    return FittedDetectors(z, f, np.asarray(y_train), W, b)


def score_all(model, fitted, x, std, detectors=DETECTORS):
    """{detector: float64 scores [N]} for the requested detectors on network inputs x."""
    z, f = features_logits(model, x)
    s = fitted.scores(z, f)
    out = {k: s[k] for k in detectors if k != "ODIN"}
    if "ODIN" in detectors:
        out["ODIN"] = odin_scores(model, x, std)
    return {k: out[k] for k in detectors}, f


def ood_metrics(score_id, score_ood):
    """OOD_SPEC §3 (pytorch-ood v0.2 naming), OOD positive: AUROC; AUPR-IN = area under (recall, precision)
    with ID positive and scores negated; AUPR-OUT the same with OOD positive; FPR95TPR = FPR at the first ROC
    point with TPR ≥ 0.95. Fractions."""
    s = np.concatenate([np.asarray(score_id, np.float64), np.asarray(score_ood, np.float64)])
    y = np.concatenate([np.zeros(len(score_id)), np.ones(len(score_ood))])
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    p_out, r_out, _ = precision_recall_curve(y, s)
    p_in, r_in, _ = precision_recall_curve(1 - y, -s)
    return {
        "AUROC": float(roc_auc_score(y, s)),
        "AUPR-IN": float(auc(r_in, p_in)),
        "AUPR-OUT": float(auc(r_out, p_out)),
        "FPR95TPR": float(fpr[int(np.searchsorted(tpr, 0.95, side="left"))]),
    }
