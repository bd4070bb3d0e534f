"""Does Phase 4's fitness move the Gaussians by more than sampling noise?

For each seed, fits MEDALUDESampler twice on the same training set with the
same ``random_state``: once with the paper's selection (``X_diver`` = the
samples least similar to the real ones) and once with ``selection="random"``
(``X_diver`` a random subset of ``X_quali``), everything else equal. Both
evolutions see the same quality filter and the same ``gamma`` update, so the
difference between them is what the fitness adds. Per over-sampled class it
reads from ``history_`` how far the evolved centre ended from where Phase 4
started (``moved``) and the evolved variance, and prints the mean of each
setting with a Welch 95 % interval of the difference over all
(seed, class) pairs.

    python benchmarks/evolution_check.py --dataset digits --seeds 0,1,2,3,4
    python benchmarks/evolution_check.py --dataset fashion-mnist --quick --seeds 0,5

Only the fit runs (no classifier), so it takes a few minutes on 2 CPU cores
with ``--quick``.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import SAMPLER_PARAMS  # noqa: E402
from benchmarks.protocol import load_source, make_split  # noqa: E402
from benchmarks.report import welch_interval  # noqa: E402


def final_rows(sampler):
    """The last completed Phase-4 generation of every evolved class (a
    generation that stopped for want of accepted draws changed nothing)."""
    rows = {}
    for r in sampler.history_:
        if r["phase"] == "phase4" and "moved" in r and "var_mean" in r:
            rows[r["class"]] = r
    return rows


def measure(X, y, seed, selection, params):
    from imblearn_meda import MEDALUDESampler

    sampler = MEDALUDESampler(random_state=seed, selection=selection, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sampler.fit(X, y)
    return {c: (r["moved"], r["var_mean"], r.get("guidance", 0.0))
            for c, r in final_rows(sampler).items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default="digits")
    p.add_argument("--seeds", default="0,1,2,3,4")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--sampler-params", default="{}",
                   help="JSON overrides of the meda row's parameters")
    p.add_argument("--out", default=None, help="JSON lines of every (seed, class)")
    args = p.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    params = dict(SAMPLER_PARAMS["meda"]["quick" if args.quick else "full"])
    params.update(json.loads(args.sampler_params))
    params.setdefault("device", "cpu")
    # Phase 4 is off by default; this check is about it, so it runs the
    # paper's five generations unless told otherwise.
    params.setdefault("n_generations", 5)
    source = load_source(args.dataset)
    moved = {"fitness": [], "random": []}
    var = {"fitness": [], "random": []}
    lines = []
    for seed in (int(s) for s in args.seeds.split(",")):
        split = make_split(source, seed, "paper", args.quick)
        X = split.X_train.reshape(len(split.y_train), -1).astype(np.float32)
        runs = {sel: measure(X, split.y_train, seed, sel, params)
                for sel in ("fitness", "random")}
        for c in sorted(set(runs["fitness"]) & set(runs["random"])):
            for sel in runs:
                moved[sel].append(runs[sel][c][0])
                var[sel].append(runs[sel][c][1])
            lines.append({"seed": seed, "class": c,
                          **{f"{sel}_{k}": v for sel in runs
                             for k, v in zip(("moved", "var_mean", "guidance"),
                                             runs[sel][c])}})
            print(json.dumps(lines[-1]), flush=True)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in lines))
    for name, values in (("distance moved", moved), ("mean variance", var)):
        a, b = np.array(values["fitness"]), np.array(values["random"])
        w = welch_interval(a, b)
        interval = "n/a" if w.low is None else f"{w.low:+.4f} to {w.high:+.4f}"
        print(f"{name}: fitness {a.mean():.4f} ± {a.std(ddof=1):.4f}, random "
              f"{b.mean():.4f} ± {b.std(ddof=1):.4f}; difference {w.diff:+.4f} "
              f"(Welch 95 % {interval}), n = {len(a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
