"""Benchmark over-samplers on imbalanced image data with one fixed CNN.

The command line of the benchmark. For every (dataset, seed, sampler) it
builds the imbalanced training set of the chosen protocol, balances it with the
sampler, trains the one small CNN on the result (best epoch on the validation
set), scores it on the test set and appends one JSON line to ``--out`` as soon
as the row is measured; at the end it prints a Markdown table of mean ± std
over the seeds per sampler (``--table-only FILE`` re-renders it).

    python benchmarks/run.py --dataset fashion-mnist --quick
    python benchmarks/run.py --dataset mnist --data-dir ~/data/mnist --seeds 0,5
    python benchmarks/run.py --table-only results.jsonl

The parts: :mod:`benchmarks.config` (every number to tune),
:mod:`benchmarks.protocol` (data protocols, ``--profile``, ``--quick``),
:mod:`benchmarks.samplers`, :mod:`benchmarks.classifier` (the CNN),
:mod:`benchmarks.runner` (the rows and their JSON keys, ``--classifier-seeds``,
``--resume``), :mod:`benchmarks.tables`, :mod:`benchmarks.figures`;
``benchmarks/report.py`` pools every CNN of several runs with Welch intervals.
benchmarks/README.md describes them all.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import textwrap
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make the repository root importable, so that
    # ``benchmarks`` and an uninstalled ``imblearn_meda`` resolve.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.config import (  # noqa: E402
    DATASETS,
    FULL_EPOCHS,
    QUICK,
    SAMPLER_PARAMS,
    SAMPLERS,
)
from benchmarks.figures import save_cnn_spread  # noqa: E402
from benchmarks.runner import log, run_benchmark  # noqa: E402
from benchmarks.tables import comma_list, read_jsonl, render_table  # noqa: E402


def _quick_params_text():
    parts = []
    for name, modes in SAMPLER_PARAMS.items():
        if modes.get("quick"):
            kv = ", ".join(f"{k}={v!r}" for k, v in modes["quick"].items())
            parts.append(f"{name}: {kv}")
    return "; ".join(parts)


def build_parser():
    wrap = functools.partial(textwrap.fill, width=78)
    p = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description=wrap(
            "Benchmark over-samplers on imbalanced image data: balance the training "
            "set, train one fixed small CNN (best validation epoch), score it on the "
            "test set. One JSON line per (dataset, seed, sampler), flushed at once; "
            "a Markdown table of mean ± std over seeds at the end."
        ),
        epilog=wrap(
            "--quick reduces exactly: training counts scaled so the largest class has "
            f"<= {QUICK['max_train_per_class']} images (>= {QUICK['min_train_per_class']} "
            f"per class); validation <= {QUICK['max_val_per_class']} per class; test: "
            f"a fixed stratified subset of <= {QUICK['max_test']} images; CNN "
            f"{QUICK['epochs']} epochs instead of {FULL_EPOCHS} (but at least "
            f"{QUICK['min_updates']} updates); the generative samplers "
            "use the 'quick' parameters of SAMPLER_PARAMS in benchmarks/config.py ("
            + _quick_params_text() + "); only the first default seed."
        ) + "\n\n" + wrap(
            "Profiles: paper = the MEDA_LUDE protocol (K//2 minority classes chosen "
            "by the seed; MNIST/Fashion-MNIST 50/5000, CIFAR-10 45/4500, digits "
            "10/100 per minority/majority class); gamo = 4000, 2000, ..., 40 for "
            "classes 0-9; exp:RATIO = exponential decay from the paper majority "
            "count; counts:n0,n1,... = explicit. See benchmarks/README.md."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--dataset", default="digits", choices=DATASETS,
                   help="data set (default: digits, always available)")
    p.add_argument("--data-dir", default=None,
                   help="idx folder (mnist, fashion-mnist; default for fashion-mnist: "
                        "/usr/share/datasets/fashion-mnist), CIFAR-10 python batches, "
                        "or a folder of class subfolders")
    p.add_argument("--seeds", type=lambda s: [int(v) for v in comma_list(s)], default=None,
                   help="comma list of seeds (default: the paper's for the data set, "
                        "e.g. 0,5 for MNIST, 1,7 for CIFAR-10; --quick: the first)")
    p.add_argument("--samplers", type=comma_list, default=list(SAMPLERS),
                   help="comma list from " + ", ".join(SAMPLERS)
                        + ", or module:Class (default: all built-ins)")
    p.add_argument("--profile", default="paper",
                   help="paper | gamo | exp:RATIO | counts:n0,n1,... (default: paper)")
    p.add_argument("--quick", action="store_true",
                   help="reduced configuration for a few minutes on 2 CPU cores (see below)")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                   help="device of the samplers and the CNN (default: auto)")
    p.add_argument("--out", default="benchmark_results.jsonl",
                   help="JSONL output, one line per row, flushed at once "
                        "(default: benchmark_results.jsonl); overwritten unless --resume")
    p.add_argument("--resume", action="store_true",
                   help="append to --out and skip (dataset, seed, sampler, profile, quick, "
                        "CNN seeds) rows it already holds")
    p.add_argument("--figures", default=None, metavar="DIR",
                   help="save sample grids, t-SNE maps (generative samplers), loss "
                        "curves (samplers with history_) and each CNN's macro F1 per row "
                        "(cnn-f1.png; also with --table-only) as PNG files in DIR")
    p.add_argument("--table-only", default=None, nargs="+", metavar="FILE.jsonl",
                   help="only print the Markdown table of existing JSONL files (rows that "
                        "add CNNs to a row of another file are pooled with it)")
    p.add_argument("--sampler-params", default=None, metavar="JSON",
                   help='per-sampler overrides of SAMPLER_PARAMS, e.g. '
                        '\'{"meda": {"n_iterations": 3}}\' (or @file.json)')
    p.add_argument("--epochs", type=int, default=None,
                   help=f"CNN epochs (default: {FULL_EPOCHS}; --quick: {QUICK['epochs']}, "
                        f"raised to reach {QUICK['min_updates']} updates)")
    p.add_argument("--batch-size", type=int, default=128, help="CNN batch size (default: 128)")
    p.add_argument("--classifier-seeds", type=int, default=1, metavar="N",
                   help="train N CNNs per row (seeds seed, seed+1000, ...) and report the "
                        "mean of each metric (default: 1)")
    p.add_argument("--classifier-seed-offset", type=int, default=0, metavar="K",
                   help="start the CNN seeds at seed+1000*K, to add CNNs to an earlier "
                        "run (default: 0)")
    p.add_argument("--val-per-class", type=int, default=None,
                   help="validation images per class (default: 400; digits 20; "
                        "--quick at most 50)")
    p.add_argument("--max-test", type=int, default=None,
                   help="score on a stratified subset of at most this many test images "
                        f"(default: all; --quick {QUICK['max_test']}; 0: all)")
    p.add_argument("--folder-side", type=int, default=64,
                   help="--dataset folder: images resized to SIDE x SIDE (default 64)")
    p.add_argument("--folder-grey", action="store_true",
                   help="--dataset folder: load as one grey channel")
    p.add_argument("--verbose", type=int, default=0, choices=(0, 1),
                   help="verbose= of the samplers that take it")
    p.add_argument("--threads", type=int, default=None,
                   help="CPU threads of torch, BLAS and OpenMP for this run (default: "
                        "the libraries' choice); 1 is much faster when other processes "
                        "share the cores")
    return p


def _parse_overrides(text):
    if not text:
        return {}
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"--sampler-params is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise SystemExit('--sampler-params must be {"sampler": {"param": value, ...}, ...}')
    return data


def _checked_overrides(args):
    """Refuse what no row could run; the sampler overrides of ``args``."""
    for name in args.samplers:
        if name not in SAMPLERS and ":" not in name:
            raise SystemExit(
                f"unknown sampler {name!r}; choose from {', '.join(SAMPLERS)} or module:Class"
            )
    if args.classifier_seeds < 1:
        raise SystemExit(f"--classifier-seeds must be at least 1, got {args.classifier_seeds}")
    if args.classifier_seed_offset < 0:
        raise SystemExit("--classifier-seed-offset must be at least 0, got "
                         f"{args.classifier_seed_offset}")
    overrides = _parse_overrides(args.sampler_params)
    for name in overrides:
        if name not in args.samplers:
            log(f"warning: --sampler-params names {name!r}, which is not being run")
    return overrides


def main(argv=None):
    """Run the benchmark; returns the exit status (1 when a row failed)."""
    args = build_parser().parse_args(argv)
    if args.table_only:
        rows = [r for f in args.table_only for r in read_jsonl(f)]
        print(render_table(rows), end="")
        if args.figures:
            path = save_cnn_spread(args.figures, rows)
            log(f"saved {path}" if path else "no F1 in the rows: no figure")
        return 0
    overrides = _checked_overrides(args)
    if args.threads is None:
        return run_benchmark(args, overrides)
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, args.threads))
    try:
        with threadpool_limits(limits=max(1, args.threads)):  # BLAS, OpenMP (t-SNE)
            return run_benchmark(args, overrides)
    finally:
        torch.set_num_threads(before)


if __name__ == "__main__":
    sys.exit(main())
