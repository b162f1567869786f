"""Test-time attacks on OOD inputs (paper §5.5, Fig. 6), the twin of the app's src/train/attackEval.ts
`attackBatch` and src/core/perturbations/fgsm.ts (`'paper-oe'` objective):

- Objective: the OE loss of the OOD batch, mean_i [logsumexp f(x_i) − mean_c f_c(x_i)] (cross-entropy to the
  uniform posterior); the attack ASCENDS it (the posterior becomes peaked, the image looks more ID). The model
  runs in eval mode; images in [0, 1] pixel units, NCHW; `pre` maps pixels to the network input (normalisation),
  so budgets ‖δ‖∞ stay in pixel units.
- FGSM: x′ = clamp(x + budget · sign(∇ₓ L), 0, 1).
- PGD: lo = max(x − b, 0), hi = min(x + b, 1); start x₀ = min(max(x + U(−b, b), lo), hi); then `steps` times
  x ← min(max(x + α · sign(∇ₓ L(x)), lo), hi) with α = 2.5 · b / steps (Madry et al.'s rule; the app's
  ATTACK_PGD_STEPS = 10). The random start's draws come from `uniform(shape, lo, hi)`: `Sfc32` reproduces the
  app's `Random` stream bit for bit (used by the parity fixture); the grid runs use torch's generator (same law,
  another stream — pure-Python sfc32 is too slow for millions of draws).
- Budget 0 returns x unchanged (no draws), as the app.
"""
import numpy as np
import torch

PGD_STEPS = 10


def oe_loss_grad(model, x, pre):
    """∇ₓ mean_i [logsumexp f(x_i) − mean_c f_c(x_i)] on the eval-mode model (x [M,3,H,W] in pixel units)."""
    model.eval()
    x = x.detach().requires_grad_(True)
    lo = model(pre(x))
    (g,) = torch.autograd.grad((torch.logsumexp(lo, 1) - lo.mean(1)).mean(), x)
    return g


def fgsm_oe(model, x01, budget, pre):
    """One signed ascent step of size `budget`, clamped to [0, 1]. @returns a new tensor."""
    if budget == 0:
        return x01
    return (x01 + budget * oe_loss_grad(model, x01, pre).sign()).clamp(0, 1).detach()


def pgd_oe(model, x01, budget, pre, uniform, steps=PGD_STEPS, alpha=None):
    """Projected signed ascent from a random start in the ball ∩ [0, 1].
    @param uniform (shape, lo, hi) -> float32 tensor of U[lo, hi) draws in NCHW order."""
    if budget == 0:
        return x01
    alpha = alpha if alpha is not None else 2.5 * budget / steps
    lo = (x01 - budget).clamp(min=0)
    hi = (x01 + budget).clamp(max=1)
    cur = torch.min(torch.max(x01 + uniform(tuple(x01.shape), -budget, budget).to(x01.device), lo), hi)
    for _ in range(steps):
        stepped = cur + alpha * oe_loss_grad(model, cur, pre).sign()
        cur = torch.min(torch.max(stepped, lo), hi).detach()
    return cur


def torch_uniform(seed):
    """U[lo, hi) draws from a seeded torch generator (the grid's PGD random start)."""
    gen = torch.Generator().manual_seed(int(seed))

    def draw(shape, lo, hi):
        return lo + (hi - lo) * torch.rand(shape, generator=gen)

    return draw


class Sfc32:
    """The app's `Random` (src/core/random.ts): sfc32 seeded through splitmix32, 12 warm-up draws."""

    M = 0xFFFFFFFF

    def __init__(self, seed):
        s = seed & self.M
        st = []
        for _ in range(4):
            s = (s + 0x9E3779B9) & self.M
            z = s
            z = ((z ^ (z >> 16)) * 0x85EBCA6B) & self.M
            z = ((z ^ (z >> 13)) * 0xC2B2AE35) & self.M
            st.append((z ^ (z >> 16)) & self.M)
        self.a, self.b, self.c, self.d = st
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        M = self.M
        t = (((self.a + self.b) & M) + self.d) & M
        self.d = (self.d + 1) & M
        self.a = self.b ^ (self.b >> 9)
        self.b = (self.c + (self.c << 3)) & M
        self.c = ((self.c << 21) | (self.c >> 11)) & M
        self.c = (self.c + t) & M
        return t

    def uniform_array(self, n, lo, hi):
        """`Random.uniformArray`: lo + (hi − lo)·u in float64, stored as float32."""
        u = np.array([self.next_uint32() for _ in range(n)], dtype=np.float64) / 4294967296.0
        return (lo + (hi - lo) * u).astype(np.float32)

    def nchw_uniform(self, shape, lo, hi):
        """Draws in the app's NHWC order for an NCHW `shape`, returned as NCHW."""
        n, c, h, w = shape
        a = self.uniform_array(n * h * w * c, lo, hi).reshape(n, h, w, c)
        return torch.from_numpy(np.ascontiguousarray(a.transpose(0, 3, 1, 2)))


def attack_set(model, x01, budget, pre, kind, uniform, batch=100):
    """Attack a whole OOD set batch by batch (the app's batches of 100; the gradient of the batch mean has the
    same sign as any other batching, and the random start is drawn batch by batch in the same order)."""
    if budget == 0:
        return x01
    out = []
    for s in range(0, len(x01), batch):
        xb = x01[s : s + batch]
        out.append(fgsm_oe(model, xb, budget, pre) if kind == "fgsm" else pgd_oe(model, xb, budget, pre, uniform))
    return torch.cat(out)
