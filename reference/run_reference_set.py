"""Run several `aoe-experiment` v1 files (the app's `npm run exp -- <id> --scale S --spec-file F`) in one PyTorch
process, training every distinct cell ONCE: the app gives identical trainings the same `cellKey` across specs
(e.g. AOE ε = 0.5 seed 1 is in Table 2, the ε sweep, Fig. 6, 7, 9 and the adversaries ablation), so the model is
trained once and then evaluated with what each spec's `evaluate` block asks for (detectors, metrics, a
test-time attack, every-epoch rows). This is how the committed reference files in public/reference/ are made:

    nice -n 10 /usr/bin/python3 reference/run_reference_set.py SPEC1.json SPEC2.json ... --out DIR [--threads 2]

- Cells run in the order of the files given (first file's plan first), so the most important spec finishes
  first when time is short. Several processes may share one --out (e.g. two one-thread processes on a loaded
  2-core box, which waste less than one 2-thread process): each claims the next free item
  (`<DIR>/claims/`, the claimer's pid; a dead claimer's claim is taken over).
- Resume: `<DIR>/cells/<spec id>/<cellKey>.json` holds one spec's rows of one cell (the format of
  run_experiment.py's cell files); `<DIR>/models/<cellKey>.pt` the trained state (its training timing inside).
  A rerun skips evaluations that exist and reloads trained models instead of training again (a spec with
  every-epoch rows retrains, since its rows are taken during training).
- After every cell, each spec that uses it is merged into `<DIR>/<spec id>.json` (aoe-results v1, provenance as
  run_experiment.py: origin 'torchrun', backend 'pytorch-cpu'/'pytorch-cuda', the file's scale, the date), so a
  killed run still leaves complete files for the cells it finished.
- Per-cell wall and CPU times are logged and kept in each cell file's `timing` (`seconds`: training,
  `evalSeconds`: that spec's evaluation).
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_lib as X  # noqa: E402
import run_experiment as R  # noqa: E402
import train_cell as T  # noqa: E402


def distinct_cells(spec_files):
    """[(cellKey, config, [(spec_file, plan entry)])] in first-appearance order. The app's cellKey already says
    which trainings are identical (e.g. OE at any ε = AOE at ε = 0; pgdSteps of an FGSM cell), so the configs of
    one key may differ in fields the training ignores; the first file's config is trained (nothing re-hashed)."""
    order, by_key = [], {}
    for f in spec_files:
        for plan in f["plan"]:
            k = plan["cellKey"]
            if k not in by_key:
                by_key[k] = (plan["config"], [])
                order.append(k)
            by_key[k][1].append((f, plan))
    return [(k, by_key[k][0], by_key[k][1]) for k in order]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("specs", nargs="+")
    p.add_argument("--out", required=True)
    p.add_argument("--data", default=os.path.join(R.ROOT, "public", "data"), help="the app's prepared data folder")
    p.add_argument("--weights", action="append", default=[], help="MODEL=FILE.safetensors (pretrained weights)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0 = all cores)")
    p.add_argument("--merge-only", action="store_true", help="only merge the cell files into <out>/<id>.json")
    args = p.parse_args()
    args.weights = dict(w.split("=", 1) for w in args.weights)
    dev, backend, device_name = R.device_for(0)
    threads = args.threads or max(1, os.cpu_count() or 1)
    torch.set_num_threads(threads)
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # fp32 as the app and the CPU runs
        torch.backends.cudnn.allow_tf32 = False
    t_start = time.time()

    def log(*a):
        print("[%7.1fs]" % (time.time() - t_start), *a, flush=True)

    spec_files = [R.load_spec(s) for s in args.specs]
    with open(os.path.join(R.ROOT, "package.json")) as fh:
        app_version = json.load(fh)["version"]
    os.makedirs(os.path.join(args.out, "models"), exist_ok=True)
    for f in spec_files:
        os.makedirs(os.path.join(args.out, "cells", f["spec"]["id"]), exist_ok=True)
    data = X.Data(args.data)
    cells = distinct_cells(spec_files)
    # Several files may carry parts of one spec's plan (e.g. seed 1 first, more seeds later): merge by spec id.
    merged_specs = {}
    for f in spec_files:
        m = merged_specs.setdefault(f["spec"]["id"], {**f, "plan": []})
        m["plan"] += [pl for pl in f["plan"] if pl["cellKey"] not in {q["cellKey"] for q in m["plan"]}]

    def merge_all(ids):
        for sid in ids:
            m = merged_specs[sid]
            out, missing = R.merge(m, args.out, os.path.join(args.out, "cells", sid))
            log("  %s: %d of %d cells merged into %s" % (sid, len(m["plan"]) - len(missing), len(m["plan"]), out))

    if args.merge_only:
        merge_all(merged_specs)
        return
    log("%d distinct cells for %d files (%d planned cells)" % (len(cells), len(spec_files),
                                                               sum(len(f["plan"]) for f in spec_files)))
    # Work list: files in the order given, each file's plan in order. A cell is trained the first time a file
    # needs it and reloaded from models/ after, so an expensive late evaluation (PGD) never delays an earlier
    # file's cells. Several processes may share one --out: each takes the first item no live process has claimed
    # (claims/<spec id>/<cellKey> holds the claimer's pid) whose model exists or is not being trained by another.
    todo = [(f, plan) for f in spec_files for plan in f["plan"]]
    os.makedirs(os.path.join(args.out, "claims"), exist_ok=True)
    failed = 0
    while True:
        todo = [(f, pl) for f, pl in todo if not os.path.exists(cell_path(args.out, f, pl))]
        item = next((t for t in todo if take(args.out, *t)), None)
        if item is None:
            if not todo:
                break
            time.sleep(20)  # the rest is claimed by live processes (or their models are being trained)
            continue
        f, plan = item
        sid, key = f["spec"]["id"], plan["cellKey"]
        log("cell %s for %s %s" % (key, sid, json.dumps(plan["points"])))
        try:
            run_one(key, plan["config"], [(f, plan)], data, dev, threads, args, log,
                    {"origin": "torchrun", "backend": backend, "device": device_name, "appVersion": app_version})
        except Exception:  # one failing cell must not lose the others; the rerun retries it
            import traceback

            failed += 1
            log("cell %s FAILED:\n%s" % (key, traceback.format_exc()))
            todo = [t for t in todo if t is not item]
            continue
        finally:
            release(args.out, f, plan)
        merge_all([sid])
    log("finished; %d failed" % failed)
    sys.exit(1 if failed else 0)


def cell_path(out, f, plan):
    return os.path.join(out, "cells", f["spec"]["id"], plan["cellKey"] + ".json")


def claim_path(out, f, plan):
    return os.path.join(out, "claims", "%s--%s" % (f["spec"]["id"], plan["cellKey"]))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def claimer_alive(out, f, plan):
    try:
        with open(claim_path(out, f, plan)) as fh:
            return pid_alive(int(fh.read() or 0))
    except (OSError, ValueError):
        return False


def model_ready(out, plan):
    return os.path.exists(os.path.join(out, "models", plan["cellKey"] + ".pt"))


def training_elsewhere(out, key):
    """Whether another live process holds a claim on an evaluation of `key` whose model is not saved yet."""
    d = os.path.join(out, "claims")
    for name in os.listdir(d):
        if name.endswith("--" + key):
            try:
                with open(os.path.join(d, name)) as fh:
                    pid = int(fh.read() or 0)
            except (OSError, ValueError):
                continue
            if pid != os.getpid() and pid_alive(pid):
                return True
    return False


def take(out, f, plan):
    """Claim (f, plan) for this process (O_EXCL; a dead claimer's claim is taken over)."""
    if not model_ready(out, plan) and training_elsewhere(out, plan["cellKey"]):
        return False
    path = claim_path(out, f, plan)
    if os.path.exists(path) and not claimer_alive(out, f, plan):
        os.remove(path)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


def release(out, f, plan):
    try:
        os.remove(claim_path(out, f, plan))
    except OSError:
        pass


def run_one(key, config, need, data, dev, threads, args, log, provenance):
    c = X.effective_config(config)
    model = X.load_model(c["model"], float(c["dropRate"]), args.weights.get(c["model"])).to(dev)
    model_path = os.path.join(args.out, "models", key + ".pt")
    epoch_specs = [(f, plan) for f, plan in need if f["spec"]["evaluate"].get("everyEpoch")]
    epoch_rows = {f["spec"]["id"]: [] for f, _ in epoch_specs}
    if os.path.exists(model_path) and not epoch_specs:
        saved = torch.load(model_path, map_location=dev)
        model.load_state_dict(saved["state"])
        timing = saved["timing"]
        log("  trained model reloaded (%.1fs training earlier)" % timing["seconds"])
    else:
        def on_epoch(e):
            for f, _ in epoch_specs:
                epoch_rows[f["spec"]["id"]].extend(T.evaluate(model, c, f["spec"]["evaluate"], data, epoch=e, dev=dev))

        on_epoch(0)  # the start model, as the app's executor (src/experiments/executors/wrnCell.ts)
        timing = T.train(model, c, data, log, on_epoch if epoch_specs else None, dev)
        timing = {**timing, "threads": threads}
        torch.save({"state": model.state_dict(), "timing": timing}, model_path + ".tmp%d" % os.getpid())
        os.replace(model_path + ".tmp%d" % os.getpid(), model_path)
        log("  trained: %d steps, %.1fs wall, %.1f CPU-s" % (timing["steps"], timing["seconds"], timing["cpuSeconds"]))
    for f, plan in need:
        sid = f["spec"]["id"]
        t0, cpu0 = time.time(), time.process_time()
        if sid in epoch_rows:  # as the app: the final rows are the last epoch's, repeated without an epoch
            last = int(c["epochs"])
            rows = epoch_rows[sid] + [[*r[:4], None, *r[5:]] for r in epoch_rows[sid] if r[4] == last]
        else:
            rows = T.evaluate(model, c, f["spec"]["evaluate"], data, dev=dev)
        ev_s, ev_cpu = time.time() - t0, time.process_time() - cpu0
        done = {"cellKey": key, "config": plan["config"], "points": plan["points"], "rows": rows,
                "timing": {**timing, "evalSeconds": ev_s, "evalCpuSeconds": ev_cpu},
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "provenance": {**provenance, "scale": f["scale"]}}
        R.write_atomic(os.path.join(args.out, "cells", sid, key + ".json"), done)
        log("  %s: %d rows, evaluation %.1fs wall, %.1f CPU-s" % (sid, len(rows), ev_s, ev_cpu))
    return True


if __name__ == "__main__":
    main()
