"""Copy merged reference results (aoe-results v1, from run_reference_set.py / run_experiment.py) into the app's
public/reference/ and rewrite its index.json, the list the Experiments area loads on first open
(src/app/experiments/store.ts loadReference).

    /usr/bin/python3 reference/publish_reference.py RESULTS_DIR [--to public/reference] [--suffix quick-pytorch-cpu]

- Each `RESULTS_DIR/<spec id>.json` becomes `<to>/<spec id>.<suffix>.json`, written compactly: no indentation,
  metric values rounded to 6 decimals (the app shows two decimals of percent, i.e. 1e-4), cells and provenance
  unchanged. Files whose rows are empty are skipped.
- index.json lists every .json in `<to>` but itself, sorted (so hand-made files such as the open-set split
  results stay listed).
"""
import argparse
import glob
import json
import os

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def compact(results):
    rows = []
    for r in results["rows"]:
        r = list(r)
        if isinstance(r[4], float):
            r[4] = round(r[4], 6)
        rows.append(r)
    return {**results, "rows": rows}


def write_index(to):
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(to, "*.json"))
                   if os.path.basename(p) != "index.json")
    with open(os.path.join(to, "index.json"), "w") as fh:
        json.dump({"files": files}, fh, indent=1)
        fh.write("\n")
    return files


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("results")
    p.add_argument("--to", default=os.path.join(ROOT, "public", "reference"))
    p.add_argument("--suffix", default="quick-pytorch-cpu")
    p.add_argument("--timing", help="also write per-cell wall/CPU times (from RESULTS/cells/<id>/*.json) here")
    args = p.parse_args()
    os.makedirs(args.to, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(args.results, "*.json"))):
        with open(path) as fh:
            res = json.load(fh)
        if res.get("schema") != "aoe-results" or not res.get("rows"):
            continue
        name = os.path.basename(path)[: -len(".json")]
        dest = os.path.join(args.to, "%s.%s.json" % (name, args.suffix))
        with open(dest, "w") as fh:
            json.dump(compact(res), fh, separators=(",", ":"))
        print("%s: %d cells, %d rows, %.0f kB" % (os.path.relpath(dest, ROOT), len(res["cells"]), len(res["rows"]),
                                                   os.path.getsize(dest) / 1024))
    print("index.json:", ", ".join(write_index(args.to)))
    if args.timing:
        write_timing(args.results, args.timing)


def write_timing(results, out):
    """{spec id: {cellKey: {points, trainSeconds, trainCpuSeconds, evalSeconds, evalCpuSeconds, steps, date}}}."""
    t = {}
    for path in sorted(glob.glob(os.path.join(results, "cells", "*", "*.json"))):
        with open(path) as fh:
            c = json.load(fh)
        tm = c["timing"]
        t.setdefault(os.path.basename(os.path.dirname(path)), {})[c["cellKey"]] = {
            "points": c["points"], "steps": tm["steps"], "threads": tm.get("threads"),
            "trainSeconds": round(tm["seconds"], 1), "trainCpuSeconds": round(tm["cpuSeconds"], 1),
            "evalSeconds": round(tm.get("evalSeconds", 0), 1), "evalCpuSeconds": round(tm.get("evalCpuSeconds", 0), 1),
            "date": c["date"]}
    with open(out, "w") as fh:
        json.dump(t, fh, indent=1)
    print("timing of %d cell evaluations -> %s" % (sum(len(v) for v in t.values()), out))


if __name__ == "__main__":
    main()
