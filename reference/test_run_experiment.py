"""CPU test of the torchrun path (issue 11): the committed 4-cell smoke spec run by 2 gloo ranks and by one
process, then rerun. Checks: every cell trained exactly once across the ranks; the merged rows equal the
single-process run's (bit for bit: same seeds, one thread per process on both sides); a restart trains nothing
and leaves the merged rows unchanged; the merged file has the app's `aoe-results` v1 shape.

    /usr/bin/python3 reference/test_run_experiment.py [--keep reference/results/smoke]   # a few minutes here

--keep copies the 2-rank merged file (the one the app's Vitest test loads) and a timing summary to that folder.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SPEC = os.path.join(ROOT, "reference", "specs", "smoke.json")
PY = "/usr/bin/python3"


def run(cmd, log_path):
    t0 = time.time()
    with open(log_path, "w") as fh:
        r = subprocess.run(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    with open(log_path) as fh:
        text = fh.read()
    if r.returncode != 0:
        sys.exit("FAILED (%d): %s\n%s" % (r.returncode, " ".join(cmd), text[-4000:]))
    return text, time.time() - t0


def merged(out):
    with open(os.path.join(out, "wrn-torchrun-smoke.json")) as fh:
        return json.load(fh)


def strip_dates(f):
    return [{k: v for k, v in c.items() if k != "date"} for c in f["cells"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="copy the 2-rank merged results and timings here")
    args = ap.parse_args()
    with open(SPEC) as fh:
        plan = json.load(fh)["plan"]
    keys = [p["cellKey"] for p in plan]
    tmp = tempfile.mkdtemp(prefix="aoe-torchrun-")
    two, one = os.path.join(tmp, "two"), os.path.join(tmp, "one")
    # --redirects 1 --tee 1: Debian's torch 1.13 on Python 3.11 cannot parse the default "0" (IntFlag iteration
    # skips NONE in 3.11, so torchrun crashes in `to_map`); stdout is then tee'd with a "[default<r>]:" prefix.
    torchrun = [PY, "-m", "torch.distributed.run", "--nproc_per_node=2", "--master_port=29533", "--redirects=1",
                "--tee=1", "--log_dir=" + os.path.join(tmp, "torchrun-logs"),
                os.path.join("reference", "run_experiment.py"), SPEC, "--out", two, "--threads", "1"]

    log2, t2 = run(torchrun, os.path.join(tmp, "two.log"))
    done = re.findall(r"\[rank (\d)/2 .*?\] cell (wrn-[0-9a-f]{8}) done", log2)
    trained = sorted(k for _, k in done)
    assert trained == sorted(keys), "each cell trains exactly once: %s vs %s" % (trained, sorted(keys))
    ranks = {k: int(r) for r, k in done}
    assert ranks == {k: i % 2 for i, k in enumerate(keys)}, "round-robin sharing: %s" % ranks
    f2 = merged(two)
    assert f2["schema"] == "aoe-results" and f2["version"] == 1
    assert [c["cellKey"] for c in f2["cells"]] == keys
    for c in f2["cells"]:
        assert c["origin"] == "torchrun" and c["backend"] == "pytorch-cpu" and c["scale"] == "smoke", c
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", c["date"]), c["date"]
    assert all(len(r) == 9 and 0 <= r[4] <= 1 for r in f2["rows"]), "9-field rows, fraction values"
    print("2 ranks: %d cells, %d rows in %.0fs" % (len(f2["cells"]), len(f2["rows"]), t2))

    log1, t1 = run([PY, os.path.join("reference", "run_experiment.py"), SPEC, "--out", one, "--threads", "1"],
                   os.path.join(tmp, "one.log"))
    f1 = merged(one)
    same = f1["rows"] == f2["rows"]
    if not same:
        diffs = [(a, b) for a, b in zip(f1["rows"], f2["rows"]) if a != b]
        worst = max(abs(a[4] - b[4]) for a, b in diffs) if diffs else None
        sys.exit("merged rows differ from the single-process run: %d rows, max |Δ| %s" % (len(diffs), worst))
    assert strip_dates(f1) == strip_dates(f2), "cells (minus dates) equal"
    print("1 process: identical rows (bit for bit) in %.0fs" % t1)

    log3, t3 = run(torchrun, os.path.join(tmp, "restart.log"))
    skipped = sorted(re.findall(r"skip (wrn-[0-9a-f]{8}) \(done\)", log3))
    assert skipped == sorted(keys) and " done:" not in log3, "a restart trains nothing"
    assert merged(two) == f2, "a restart leaves the merged file as it was (dates included)"
    print("restart: all %d cells skipped in %.0fs" % (len(skipped), t3))

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        shutil.copy(os.path.join(two, "wrn-torchrun-smoke.json"), args.keep)
        timing = {}
        for k in keys:
            with open(os.path.join(two, "cells", k + ".json")) as fh:
                timing[k] = json.load(fh)["timing"]
        with open(os.path.join(args.keep, "timing.json"), "w") as fh:
            json.dump({"twoRanksWallSeconds": round(t2, 1), "oneProcessWallSeconds": round(t1, 1),
                       "restartWallSeconds": round(t3, 1), "cpuCores": os.cpu_count(), "cells": timing}, fh, indent=1)
        print("kept results in", args.keep)
    shutil.rmtree(tmp)
    print("OK")


if __name__ == "__main__":
    main()
