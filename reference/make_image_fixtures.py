"""Image, IDX and archive fixtures made with independent tools (PIL, numpy, gzip, GNU tar), committed so the
TypeScript readers and the resize are checked against them without Python at test time.

Run: /usr/bin/python3 reference/make_image_fixtures.py
"""
import gzip, io, json, shutil, subprocess, tempfile, zipfile
from pathlib import Path
import numpy as np
from PIL import Image

root = Path(__file__).resolve().parent.parent
img_dir = root / "tests" / "fixtures" / "images"
img_dir.mkdir(parents=True, exist_ok=True)

def pattern(h, w, seed, smooth=False):
    """Deterministic RGB test image (uint8, HWC); `smooth` avoids sharp wrap-around edges (for JPEG)."""
    y, x = np.mgrid[0:h, 0:w]
    if smooth:
        return np.stack([x * 255 // (w - 1), y * 255 // (h - 1), (x * 4 + y * 3 + seed * 10) % 200], -1).astype(np.uint8)
    r = (x * 255 // max(w - 1, 1))
    g = (y * 255 // max(h - 1, 1))
    b = ((x * 7 + y * 13 + seed * 31) % 256)
    return np.stack([r, g, b], -1).astype(np.uint8)

# Odd sizes, down- and upscaled, with PIL's BILINEAR (antialiased, same filter as torchvision antialias=True).
cases = {"odd_37x23.png": (23, 37, 1), "tall_5x90.png": (90, 5, 2), "small_20x17.jpg": (17, 20, 3), "big_130x71.png": (71, 130, 4)}
expected = {}
zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w") as z:
    for name, (h, w, seed) in cases.items():
        arr = pattern(h, w, seed, smooth=name.endswith('.jpg'))
        im = Image.fromarray(arr, "RGB")
        bio = io.BytesIO()
        if name.endswith(".jpg"):
            im.save(bio, "JPEG", quality=95, subsampling=0)  # 4:4:4: no chroma upsampling differences
            # expectations from what a decoder sees, not from the pre-JPEG array
            im = Image.open(io.BytesIO(bio.getvalue())).convert("RGB")
        else:
            im.save(bio, "PNG")
        z.writestr(f"set/{name}", bio.getvalue())
        expected[name] = np.asarray(im.resize((32, 32), Image.BILINEAR)).reshape(-1).tolist()
    z.writestr("set/README.txt", "not an image")
    z.writestr("__MACOSX/set/._odd_37x23.png", "resource fork")
(img_dir / "mixed.zip").write_bytes(zbuf.getvalue())
(img_dir / "resized_pil_bilinear.json").write_text(json.dumps(expected))

zbuf = io.BytesIO()
with zipfile.ZipFile(zbuf, "w") as z:
    z.writestr("notes.txt", "hello")
    z.writestr("data.csv", "a,b\n1,2\n")
(img_dir / "no-images.zip").write_bytes(zbuf.getvalue())

# Fashion-MNIST: the first 20 test images and labels, re-gzipped IDX (MIT licence, see the shared COPYRIGHT).
fm = root.parent.parent / "shared" / "data" / "ood" / "fashion-mnist"
fm = fm if fm.exists() else Path("/work/shared/data/ood/fashion-mnist")
imgs = gzip.decompress((fm / "t10k-images-idx3-ubyte.gz").read_bytes())
labs = gzip.decompress((fm / "t10k-labels-idx1-ubyte.gz").read_bytes())
out = root / "tests" / "fixtures" / "fashion-mnist"
out.mkdir(parents=True, exist_ok=True)
hdr = bytearray(imgs[:16]); hdr[4:8] = (20).to_bytes(4, "big")
(out / "first20-images-idx3-ubyte.gz").write_bytes(gzip.compress(bytes(hdr) + imgs[16:16 + 20 * 784], mtime=0))
lh = bytearray(labs[:8]); lh[4:8] = (20).to_bytes(4, "big")
(out / "first20-labels-idx1-ubyte.gz").write_bytes(gzip.compress(bytes(lh) + labs[8:28], mtime=0))
first = np.frombuffer(imgs[16:16 + 784], np.uint8).reshape(28, 28)
(out / "first_resized_pil_bilinear.json").write_text(json.dumps({
    "label": labs[8],
    "resized": np.asarray(Image.fromarray(first, "L").resize((32, 32), Image.BILINEAR)).reshape(-1).tolist(),
}))

# A CIFAR-10-style .tar.gz made by GNU tar (with a >100-char path, so GNU long names are exercised).
arch = root / "tests" / "fixtures" / "archives"
arch.mkdir(parents=True, exist_ok=True)
fix = (root / "tests" / "fixtures" / "cifar10" / "test_first1000.bin").read_bytes()
with tempfile.TemporaryDirectory() as td:
    d = Path(td) / "cifar-10-batches-bin"
    d.mkdir()
    (d / "test_batch.bin").write_bytes(fix[: 20 * 3073])
    (d / "data_batch_1.bin").write_bytes(fix[20 * 3073 : 50 * 3073])
    (d / "batches.meta.txt").write_text("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n")
    long_dir = d / ("very_long_directory_name_" * 4)
    long_dir.mkdir()
    (long_dir / "readme.html").write_text("<p>long path</p>")
    subprocess.run(["tar", "--format=gnu", "-czf", str(arch / "cifar10-mini-gnu.tar.gz"), "-C", td, "cifar-10-batches-bin"], check=True)
print("fixtures written")
