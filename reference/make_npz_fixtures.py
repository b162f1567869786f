"""Writes small .npz fixtures with numpy itself, so the TypeScript npy/npz reader is tested against the real writer.

Run: /usr/bin/python3 reference/make_npz_fixtures.py   (outputs tests/fixtures/npz/, committed)
"""
import numpy as np
from pathlib import Path

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "npz"
out.mkdir(parents=True, exist_ok=True)
# x[n, c, y, x] = (7n + 3c + 5y + 11x) mod 256: every pixel is predictable from its index (NCHW).
n, c, h, w = np.meshgrid(np.arange(4), np.arange(3), np.arange(32), np.arange(32), indexing="ij")
x = ((7 * n + 3 * c + 5 * h + 11 * w) % 256).astype(np.uint8)
np.savez(out / "samples-2.0.npz", x=x)
np.savez_compressed(out / "samples-compressed.npz", x=x, extra=np.arange(5, dtype="<i8"))
np.savez(out / "wrong-dtype.npz", x=x.astype(np.float32))
np.savez(out / "wrong-shape.npz", x=x[:, :, :16, :])
np.savez(out / "no-x.npz", y=x)
print("wrote", sorted(p.name for p in out.iterdir()))
