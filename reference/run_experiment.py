"""Run an `aoe-experiment` v1 file (the app's "run at scale" download, src/experiments/specFile.ts) in PyTorch,
one process or many under torchrun, and write `aoe-results` v1 (src/experiments/results.ts) for the app.

    /usr/bin/python3 reference/run_experiment.py spec.json --out results/                # one process
    /usr/bin/python3 -m torch.distributed.run --nproc_per_node=N reference/run_experiment.py spec.json --out results/
    # several machines: the same command with --nnodes=K --node_rank=i --rdzv_endpoint=HOST:PORT (a shared --out)

- Cells: the file's `plan` (cells with their `cellKey`s, planned by the app; nothing is re-hashed here). Rank r
  of W trains plan[r], plan[r+W], … (round-robin). Several ranks may share one GPU (`--nproc_per_node` larger
  than the GPU count packs small WRN-16-2 cells; rank r uses GPU r mod #GPUs).
- Each finished cell is written to `<out>/cells/<cellKey>.json` (atomically); a rerun skips cells whose file
  exists, so a killed or partly failed run is resumed by running the same command again.
- After a barrier, rank 0 merges every cell file of the plan into `<out>/<spec id>.json`: one results cell per
  grid point the trained model answers for, with provenance origin 'torchrun', backend 'pytorch-cpu' or
  'pytorch-cuda', the device, the file's scale, the app version (package.json) and the ISO finish date.
- Process group: gloo on CPU, nccl on GPUs (the barrier is the only collective; no gradients are exchanged, so
  a cell is trained by one rank). A cell too big for one GPU would instead be trained by a group of ranks with
  DistributedDataParallel (each rank a 1/k share of every ID and outlier batch, gradients all-reduced, the
  AOE attack done per shard — this matches the single-process step only if BatchNorm is synchronised,
  `SyncBatchNorm`); the WRN-16-2/40-2 cells of the paper fit one GPU, so that mode is not built.
- Reproducibility: every cell seeds torch from its config's `seed`, so a cell's numbers do not depend on the
  rank or order it ran in; with the same thread count (`--threads`) CPU results are bit-identical.
"""
import argparse
import datetime
import json
import os
import platform
import socket
import sys
import time
import traceback

import torch
import torch.distributed as dist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import train_cell as T  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def load_spec(path):
    with open(path) as fh:
        f = json.load(fh)
    if f.get("schema") != "aoe-experiment":
        raise SystemExit('%s is not an AOE experiment file (expected "schema": "aoe-experiment")' % path)
    if f.get("version") != 1:
        raise SystemExit("experiment file version %r is not supported (this runner reads 1)" % f.get("version"))
    if f["spec"]["model"] != "wrn":
        raise SystemExit("the torchrun runner trains WRN specs; %r is a %s spec" % (f["spec"]["id"], f["spec"]["model"]))
    if f["spec"].get("task", "fine-tune") != "fine-tune":
        raise SystemExit("%r is a %s spec: this runner fine-tunes; run reference/openset_finetune.py --split K --seed S "
                         "for each cell instead" % (f["spec"]["id"], f["spec"]["task"]))
    attack = f["spec"]["evaluate"].get("attack")
    if attack and attack["kind"] not in ("fgsm", "pgd"):
        raise SystemExit("test-time attack %r is not available in the torchrun runner (fgsm, pgd)" % attack["kind"])
    return f


def device_for(local_rank):
    if torch.cuda.is_available():
        i = local_rank % torch.cuda.device_count()
        return torch.device("cuda", i), "pytorch-cuda", torch.cuda.get_device_name(i)
    return torch.device("cpu"), "pytorch-cpu", "%s (%s)" % (platform.processor() or platform.machine(), socket.gethostname())


def run_cell(plan, spec_file, data, dev, threads, args, log):
    c = X.effective_config(plan["config"])
    model = X.load_model(c["model"], float(c["dropRate"]), args.weights.get(c["model"])).to(dev)
    ev = spec_file["spec"]["evaluate"]
    rows = []
    if ev.get("everyEpoch"):
        def on_epoch(e):
            rows.extend(T.evaluate(model, c, ev, data, epoch=e, dev=dev))

        on_epoch(0)  # the start model, as the app's executor (src/experiments/executors/wrnCell.ts)
    else:
        on_epoch = None
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 as the app and the CPU runs
        torch.backends.cudnn.allow_tf32 = False
    timing = T.train(model, c, data, log, on_epoch, dev)
    if on_epoch:  # as the app: the final rows are the last epoch's, repeated without an epoch
        final = [[*r[:4], None, *r[5:]] for r in rows if r[4] == int(c["epochs"])]
    else:
        final = T.evaluate(model, c, ev, data, dev=dev)
    return {"cellKey": plan["cellKey"], "config": plan["config"], "points": plan["points"], "rows": rows + final,
            "timing": {**timing, "threads": threads, "rank": int(os.environ.get("RANK", "0"))},
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}


def write_atomic(path, obj):
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w") as fh:
        json.dump(obj, fh)
    os.replace(tmp, path)


def merge(spec_file, out, cells_dir=None):
    """All cell files of the plan (in `cells_dir`, default `<out>/cells`) -> `<out>/<id>.json` (aoe-results v1).
    @returns (path, missing cell keys)."""
    spec = spec_file["spec"]
    cells, rows, missing = [], [], []
    for plan in spec_file["plan"]:
        p = os.path.join(cells_dir or os.path.join(out, "cells"), plan["cellKey"] + ".json")
        if not os.path.exists(p):
            missing.append(plan["cellKey"])
            continue
        with open(p) as fh:
            done = json.load(fh)
        for point in plan["points"]:
            # `config` is what the cell trained with: the plan's config with what its setting fixes applied.
            cells.append({"experiment": spec["id"], "cellKey": plan["cellKey"], "cell": point,
                          "config": X.effective_config(plan["config"]), "seed": plan["config"]["seed"],
                          "setting": plan["config"].get("setting", "consistent"), **done["provenance"],
                          "date": done["date"]})
            rows.extend([len(cells) - 1, *r] for r in done["rows"])
    path = os.path.join(out, spec["id"] + ".json")
    write_atomic(path, {"schema": "aoe-results", "version": 1,
                        "producedBy": "reference/run_experiment.py (PyTorch %s)" % torch.__version__,
                        "cells": cells, "rows": rows})
    return path, missing


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("spec")
    p.add_argument("--out", required=True)
    p.add_argument("--data", default=os.path.join(ROOT, "public", "data"), help="the app's prepared data folder")
    p.add_argument("--weights", action="append", default=[], help="MODEL=FILE.safetensors (pretrained weights)")
    p.add_argument("--threads", type=int, default=0, help="torch threads per rank (0 = cores / local ranks)")
    args = p.parse_args()
    args.weights = dict(w.split("=", 1) for w in args.weights)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    dev, backend, device_name = device_for(local_rank)
    if world > 1:
        dist.init_process_group("nccl" if dev.type == "cuda" else "gloo")
    threads = args.threads or max(1, (os.cpu_count() or 1) // local_world)
    torch.set_num_threads(threads)
    t_start = time.time()

    def log(*a):
        print("[rank %d/%d %6.1fs]" % (rank, world, time.time() - t_start), *a, flush=True)

    spec_file = load_spec(args.spec)
    os.makedirs(os.path.join(args.out, "cells"), exist_ok=True)
    with open(os.path.join(ROOT, "package.json")) as fh:
        app_version = json.load(fh)["version"]
    data = X.Data(args.data)
    mine = spec_file["plan"][rank::world]
    failed = 0
    for plan in mine:
        path = os.path.join(args.out, "cells", plan["cellKey"] + ".json")
        if os.path.exists(path):
            log("skip %s (done)" % plan["cellKey"])
            continue
        log("cell %s %s" % (plan["cellKey"], json.dumps(plan["points"])))
        try:
            done = run_cell(plan, spec_file, data, dev, threads, args, log)
        except Exception:  # one failing cell must not lose the others; the rerun retries it
            failed += 1
            log("cell %s FAILED:\n%s" % (plan["cellKey"], traceback.format_exc()))
            continue
        done["provenance"] = {"origin": "torchrun", "backend": backend, "device": device_name,
                              "scale": spec_file["scale"], "appVersion": app_version}
        write_atomic(path, done)
        log("cell %s done: %d rows, %.1fs, %.1f img/s" % (plan["cellKey"], len(done["rows"]),
                                                          done["timing"]["seconds"], done["timing"]["imagesPerSecond"] or 0))
    if world > 1:
        dist.barrier()
    if rank == 0:
        out, missing = merge(spec_file, args.out)
        log("merged %d of %d cells into %s%s" % (len(spec_file["plan"]) - len(missing), len(spec_file["plan"]), out,
                                                  "; missing: " + ", ".join(missing) if missing else ""))
    if world > 1:
        dist.destroy_process_group()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
