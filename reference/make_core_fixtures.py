#!/usr/bin/python3
"""Core fixtures: an independent PyTorch reference for src/core (energy, losses, perturbations).

Builds a FIXED tiny conv net on 4x4x3 images, a fixed batch of ID inputs/labels and outliers, and records
everything the TS core computes on them, in float64 (the reference) and float32 (to show fp32 drift).

Layout: the app stores images NHWC; PyTorch convs want NCHW. The network below takes NHWC input and
permutes explicitly (x.permute(0, 3, 1, 2)) inside forward, and permutes back to NHWC before flattening,
so input gradients and the fc weight order are NHWC like the TS side. Conv weights are written in
PyTorch layout [out, in, kh, kw]; the TS test transposes them to tfjs [kh, kw, in, out] itself.

Run:  /usr/bin/python3 reference/make_core_fixtures.py   (writes src/core/__fixtures__/core_torch.json)
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), '..', 'src', 'core', '__fixtures__', 'core_torch.json')
N_ID, N_OOD, H, W, C_IN, K = 3, 5, 4, 4, 3, 5  # N_ID != N_OOD so the two reductions differ by more than a factor
LAMBDA_OE = 0.5
EBL_LAMBDA = 0.1
NORM_STD = [0.25, 0.24, 0.26]
ODIN_T, ODIN_EPS = 1000.0, 0.05
FGSM_EPS = 0.1
TEMPS = [1.0, 2.0]
AOE_EPS = [0.5, 0.01]


class TinyNet(nn.Module):
    """NHWC in -> conv3x3(3->4, pad 1) -> tanh -> conv3x3(4->6, stride 2, pad 1) -> tanh -> NHWC flatten(24) -> fc(5)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(C_IN, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6 * 2 * 2, K)

    def forward(self, x_nhwc):
        h = x_nhwc.permute(0, 3, 1, 2)  # NHWC -> NCHW, explicit
        h = torch.tanh(self.conv1(h))
        h = torch.tanh(self.conv2(h))
        h = h.permute(0, 2, 3, 1).reshape(h.shape[0], -1)  # back to NHWC before flattening: (h, w, c) order
        return self.fc(h)


def energy(logits, t=1.0):
    return -t * torch.logsumexp(logits / t, dim=1)


def uniform_ce(logits):
    return torch.logsumexp(logits, dim=1) - logits.mean(dim=1)


def input_grad(fn, x):
    x = x.clone().detach().requires_grad_(True)
    fn(x).backward()
    return x.grad.detach()


def t(a):
    a = a.detach()
    return {'shape': list(a.shape), 'data': [float(v) for v in a.reshape(-1).tolist()]}


def compute(net, x_id, y_id, x_ood, margins):
    m_in, m_out = margins
    r = {}
    l_id, l_ood = net(x_id), net(x_ood)
    r['logits_id'], r['logits_ood'] = t(l_id), t(l_ood)
    both = torch.cat([l_id, l_ood])
    for temp in TEMPS:
        r[f'energy_T{temp:g}'] = t(energy(both, temp))  # rows: ID then OOD
    ce_i = F.cross_entropy(l_id, y_id, reduction='none')
    oe_i = uniform_ce(l_ood)
    r['ce_per_sample'], r['ce'] = t(ce_i), t(F.cross_entropy(l_id, y_id))
    r['uniform_ce_per_sample'] = t(oe_i)
    r['oe_separate'] = t(ce_i.mean() + LAMBDA_OE * oe_i.mean())
    # pytorch-ood OutlierExposureLoss: ood targets -1, mean over the whole batch
    r['oe_whole_batch'] = t((ce_i.sum() + LAMBDA_OE * oe_i.sum()) / (N_ID + N_OOD))
    e_id, e_ood = energy(l_id), energy(l_ood)
    pen_in, pen_out = F.relu(e_id - m_in) ** 2, F.relu(m_out - e_ood) ** 2
    # Liu et al. energy_ood/CIFAR/train.py: mean CE + 0.1 * (mean_in + mean_out)
    r['ebl_separate'] = t(ce_i.mean() + EBL_LAMBDA * (pen_in.mean() + pen_out.mean()))
    # pytorch-ood EnergyRegularizedLoss: per-sample terms averaged over all N+M samples
    r['ebl_whole_batch'] = t((ce_i.sum() + EBL_LAMBDA * (pen_in.sum() + pen_out.sum())) / (N_ID + N_OOD))

    g = input_grad(lambda x: energy(net(x)).mean(), x_ood)
    r['grad_mean_energy_ood'] = t(g)
    r['sign_grad_mean_energy_ood'] = t(torch.sign(g))
    for eps in AOE_EPS:
        r[f'aoe_eps{eps:g}'] = t(x_ood - eps * torch.sign(g))
    # Energy after the AOE step must be lower (sanity of the direction)
    r['mean_energy_ood_after_aoe_eps0.5'] = t(energy(net(x_ood - 0.5 * torch.sign(g))).mean())

    # ODIN (pytorch-ood odin_preprocessing): nll_loss on raw scaled logits, sign, / std per channel, x - eps*g
    x_all = torch.cat([x_id, x_ood])
    yhat = (net(x_all) / ODIN_T).argmax(dim=1)
    g_odin_raw = input_grad(lambda x: F.nll_loss(net(x) / ODIN_T, yhat), x_all)
    g_odin = torch.sign(g_odin_raw)
    r['odin_pred'] = t(yhat.double())
    r['odin_grad'] = t(g_odin_raw)
    r['odin_sign_grad'] = t(g_odin)
    r['odin_plain'] = t(x_all - ODIN_EPS * g_odin)
    std = torch.tensor(NORM_STD, dtype=x_all.dtype)  # broadcasts over the last (channel) axis of NHWC
    r['odin_norm_std'] = t(x_all - ODIN_EPS * (g_odin / std))

    # Test-time FGSM on outliers, paper section 5.5: ascend mean L_OE (cross-entropy to uniform)
    g_oe = input_grad(lambda x: uniform_ce(net(x)).mean(), x_ood)
    r['grad_mean_uniform_ce_ood'] = t(g_oe)
    r['fgsm_oe_paper'] = t(x_ood + FGSM_EPS * torch.sign(g_oe))
    # authors' code: CE ascent towards "away from class 1" for every sample
    ones = torch.ones(N_OOD, dtype=torch.long)
    g_c1 = input_grad(lambda x: F.cross_entropy(net(x), ones), x_ood)
    r['grad_ce_class1_ood'] = t(g_c1)
    r['fgsm_code_class1'] = t(x_ood + FGSM_EPS * torch.sign(g_c1))
    return r


def main():
    torch.manual_seed(20250607)
    net64 = TinyNet().double()
    with torch.no_grad():  # larger weights than the default init so logits and energies are not all ~0
        net64.conv1.weight.mul_(2.0)
        net64.conv2.weight.mul_(2.0)
        net64.fc.weight.mul_(4.0)
    x_id = torch.rand(N_ID, H, W, C_IN, dtype=torch.float64)
    y_id = torch.tensor([0, 3, 4])
    x_ood = torch.rand(N_OOD, H, W, C_IN, dtype=torch.float64) * 1.5 - 0.25
    with torch.no_grad():
        e_id, e_ood = energy(net64(x_id)), energy(net64(x_ood))
    # margins between the smallest and largest energy of each group, so relu() is active for some samples
    m_in = round(float(e_id.sort().values[N_ID // 2 - 1] + e_id.sort().values[N_ID // 2]) / 2, 2)
    m_out = round(float(e_ood.sort().values[N_OOD // 2 - 1] + e_ood.sort().values[N_OOD // 2]) / 2, 2)
    assert (e_id > m_in).any() and (e_id < m_in).any() and (e_ood > m_out).any() and (e_ood < m_out).any()
    r64 = compute(net64, x_id, y_id, x_ood, (m_in, m_out))
    net32 = TinyNet()
    net32.load_state_dict({k: v.float() for k, v in net64.state_dict().items()})
    r32 = compute(net32, x_id.float(), y_id, x_ood.float(), (m_in, m_out))
    out = {
        'about': 'Generated by reference/make_core_fixtures.py; see reference/README.md (Core fixtures).',
        'torch_version': torch.__version__,
        'architecture': TinyNet.__doc__,
        'params': {
            'numClasses': K, 'lambdaOe': LAMBDA_OE, 'eblLambda': EBL_LAMBDA, 'marginIn': m_in, 'marginOut': m_out,
            'normStd': NORM_STD, 'odinTemperature': ODIN_T, 'odinEpsilon': ODIN_EPS, 'fgsmEpsilon': FGSM_EPS,
            'temperatures': TEMPS, 'aoeEpsilons': AOE_EPS,
        },
        'weights_torch_layout': {k: t(v) for k, v in net64.state_dict().items()},
        'x_id_nhwc': t(x_id), 'y_id': y_id.tolist(), 'x_ood_nhwc': t(x_ood),
        'float64': r64, 'float32': r32,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    print('wrote', os.path.normpath(OUT))
    print('energies ID', e_id.tolist(), 'OOD', e_ood.tolist(), 'm_in', m_in, 'm_out', m_out)
    for key in ['grad_mean_energy_ood', 'odin_grad', 'grad_mean_uniform_ce_ood', 'grad_ce_class1_ood']:
        g64, g32 = torch.tensor(r64[key]['data']), torch.tensor(r32[key]['data'])
        flips = int((torch.sign(g64) != torch.sign(g32)).sum())
        print(f'{key}: |g| in [{g64.abs().min().item():.3g}, {g64.abs().max().item():.3g}], fp32 sign flips {flips}')


if __name__ == '__main__':
    main()
