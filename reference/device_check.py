"""Quick checks on the GPU machine before the real job (seconds): versions, our safetensors writer against the
`safetensors` package, WRN parameter counts (OOD_SPEC §4), strict loading, and the step time of WRN-16-2 at
batch 128 (bf16 pre-training step; fp32 AOE fine-tuning step)."""

import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_lib as L  # noqa: E402

print("torch", torch.__version__, "numpy", np.__version__, "cuda", torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
for d, w, expect in ((40, 2, 2243546), (16, 2, None), (10, 1, None)):
    m = L.WideResNet(d, w, 10)
    n = sum(p.numel() for p in m.parameters())
    print("WRN-%d-%d params %d keys %d" % (d, w, n, len(m.state_dict())), "" if expect is None else ("OK" if n == expect else "MISMATCH"))
m = L.WideResNet(16, 2, 10)
st = L.model_state_f32(m)
L.save_safetensors("/tmp/t.safetensors", st, {"a": "b"})
try:
    from safetensors.torch import load_file, save_file

    got = load_file("/tmp/t.safetensors")
    assert set(got) == set(st) and all(np.array_equal(got[k].numpy(), st[k]) for k in st), "safetensors mismatch"
    m2 = L.WideResNet(16, 2, 10)
    print("strict load:", m2.load_state_dict(got, strict=True))
    save_file({k: torch.from_numpy(v) for k, v in st.items()}, "/tmp/u.safetensors")
    back, _ = L.load_safetensors("/tmp/u.safetensors")
    assert all(np.array_equal(back[k], st[k]) for k in st)
    print("safetensors writer/reader agree with the safetensors package")
except ImportError as e:
    print("no safetensors package:", e)

if torch.cuda.is_available():
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    m = L.WideResNet(16, 2, 10).to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(128, 3, 32, 32, device=dev).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 10, (128,), device=dev)
    for amp in (True, False):
        for i in range(80):
            if i == 20:
                torch.cuda.synchronize()
                t0 = time.time()
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                loss = F.cross_entropy(m(x).float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        torch.cuda.synchronize()
        print("CE step b128 amp=%s: %.2f ms" % (amp, (time.time() - t0) / 60 * 1e3))
