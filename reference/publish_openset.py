"""Convert open-set runs of reference/openset_finetune.py (reference/results/openset-split<k>-seed<s>.json: rows as
objects plus the run record) into the aoe-results v1 file the app reads (public/reference/, one cell per run,
compact rows) and rewrite public/reference/index.json.

    /usr/bin/python3 reference/publish_openset.py reference/results/openset-split3-seed1.json [...] [--to public/reference]

The closed-set accuracy becomes the app's `ACC` row (nOod empty); AUROC/FPR95TPR/AUPR rows name `cifar10-unknown`
with the known/unknown test counts. Converting split 1 gives the committed public/reference/openset-split1-seed1.json.
"""
import argparse
import json
import os

from publish_reference import ROOT, write_index

DETECTOR_METRICS = ("AUROC", "FPR95TPR", "AUPR-IN", "AUPR-OUT")


def app_version():
    with open(os.path.join(ROOT, "package.json")) as fh:
        return json.load(fh)["version"]


def convert(record):
    run = record["run"]
    split, args, ft, lp = run["split"], run["args"], run["fine_tune"], run["linear_probe"]
    first = record["rows"][0]
    n_id, n_ood = run["images"]["known_test"], run["images"]["unknown_test"]
    cell = dict(first["cell"])
    cell_entry = {
        "experiment": "wrn-openset",
        "cellKey": "wrn-openset-split%d-seed%d" % (cell["split"], cell["seed"]),
        "cell": cell,
        "config": {**cell, "model": "WRN-16-2", "knownClasses": " ".join(str(c) for c in split["known"]),
                   "fineTuneSteps": ft["steps"], "batch": args["batch"], "lr": args["lr"]},
        "seed": cell["seed"],
        "setting": "openset",
        "origin": "reference",
        "backend": first["backend"],
        "device": first["device"],
        "scale": "custom",
        "appVersion": app_version(),
        "date": first["date"],
    }
    rows = []
    for r in record["rows"]:
        if r["metric"] == "closed-set-accuracy":
            rows.append([0, "", "", "ACC", r["value"], None, None, n_id, None])
        elif r["metric"] in DETECTOR_METRICS:
            rows.append([0, r["detector"], r["oodSet"], r["metric"], r["value"], None, None, n_id, n_ood])
        else:
            raise ValueError("unknown metric %r in %s" % (r["metric"], cell))
    # The app lists the accuracy row last, after the detectors' rows.
    rows.sort(key=lambda row: row[3] == "ACC")
    produced = ("reference/openset_finetune.py split %d seed %d: linear probe on %d images, then %d fine-tuning steps "
                "of %d (%.2f epochs); %s" % (cell["split"], cell["seed"], lp["images"], ft["steps"], args["batch"],
                                             ft["epochs"], run["caveat"]))
    return {"schema": "aoe-results", "version": 1, "producedBy": produced, "cells": [cell_entry], "rows": rows}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("records", nargs="+")
    p.add_argument("--to", default=os.path.join(ROOT, "public", "reference"))
    a = p.parse_args()
    for path in a.records:
        with open(path) as fh:
            out = convert(json.load(fh))
        c = out["cells"][0]["cell"]
        dest = os.path.join(a.to, "openset-split%d-seed%d.json" % (c["split"], c["seed"]))
        with open(dest, "w") as fh:
            json.dump(out, fh, indent=1)
            fh.write("\n")
        print("%s: %d rows" % (os.path.relpath(dest, ROOT), len(out["rows"])))
    print("index.json:", ", ".join(write_index(a.to)))


if __name__ == "__main__":
    main()
