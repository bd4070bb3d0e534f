"""One prepared GPU check: CUDA correctness, the real-size fit time, a CUDA pickle.

Meant for short loans of a GPU machine: everything it needs runs in one
command and writes its findings as JSON (and the pickle) under ``--out``:

1. the batch aHash on CUDA against ``imagehash.average_hash`` on 1000
   Fashion-MNIST images (bit agreement rate);
2. a small ``MEDALUDESampler`` fit on digits on CUDA: output contract
   (originals first and unchanged, exact counts, values inside the input
   range), and the fitted sampler pickled to ``meda_cuda.joblib`` -- copy it
   to ``tests/data/`` so that CPU-only CI proves a CUDA pickle loads;
3. a default ``fit_resample`` on the paper's Fashion-MNIST protocol (seed 0:
   50 images for each of the 5 minority classes, 5000 for the others, 25,250
   in all), with ``phase_seconds_`` and the synthesis time: on a GPU the
   default's ``'auto'`` training budget is the GPU setting (all samples, a
   Phase-1 budget eight times the CPU's); and the same fit with the CPU
   budget (``CPU_SETTING``);
4. with ``--table ROWS``, the paper-protocol rows of the runner with the
   30-epoch CNN (``--cnns`` CNNs per row; the ``meda`` row takes the
   default's GPU budget there) into ``$OUT/table.jsonl``, for as many rows
   as ``--table-minutes`` allows (the rows are written as they finish).

Prepare here (the GPU machine has no network and lacks imbalanced-learn,
sklearn-compat and imagehash)::

    echo /.whl/ >> .git/info/exclude; echo /.fmnist/ >> .git/info/exclude
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \\
        --implementation cp --platform manylinux2014_x86_64 -d .whl \\
        imbalanced-learn sklearn-compat imagehash PyWavelets
    mkdir -p .fmnist && cp /usr/share/datasets/fashion-mnist/*.gz .fmnist/

then run, carrying ``.whl`` and ``.fmnist``::

    python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl \\
      && PYTHONPATH=.:/tmp/site python3 benchmarks/device_check.py \\
         --data-dir .fmnist --out $OUT
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

from imblearn_meda.meda._config import AUTO_BUDGET

#: The training budget ``'auto'`` gives on the CPU, set explicitly.
CPU_SETTING = dict(AUTO_BUDGET["cpu"])


def _hash_agreement(X, device):
    import imagehash
    from PIL import Image

    from imblearn_meda.meda._similarity import AverageHasher

    hasher = AverageHasher(X.shape[1:], device)
    bits = hasher.hash(torch.as_tensor(X / 255.0, device=device)).cpu().numpy()
    ref = np.array([imagehash.average_hash(Image.fromarray(x[0])).hash.ravel()
                    for x in X])
    return float((bits == ref).mean())


def _contract(X, y, X_res, y_res, sampler):
    n = len(y)
    new = dict(zip(*np.unique(y_res[n:], return_counts=True)))
    asked = {c: k for c, k in sampler.sampling_strategy_.items() if k > 0}
    return {
        "originals_unchanged": bool(np.array_equal(X_res[:n], X)
                                    and np.array_equal(y_res[:n], y)),
        "counts_exact": {int(k): int(v) for k, v in new.items()}
        == {int(k): int(v) for k, v in asked.items()},
        "inside_range": bool(X_res[n:].min() >= X.min()
                             and X_res[n:].max() <= X.max()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="Fashion-MNIST idx files")
    parser.add_argument("--out", required=True, help="folder for results")
    parser.add_argument("--skip-full", action="store_true",
                        help="skip the real-size fit (step 3)")
    parser.add_argument("--device", default="cuda",
                        help="cuda (default); cpu only for a dry run of this script")
    parser.add_argument("--table", default=None,
                        help="comma list of runner rows to measure with the 30-epoch CNN")
    parser.add_argument("--cnns", type=int, default=5, help="CNNs per table row")
    parser.add_argument("--table-minutes", type=float, default=8.0,
                        help="stop starting table rows after this many minutes")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("CUDA is not available here; this check is for a GPU machine.")
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    import joblib
    from sklearn.datasets import load_digits

    from imblearn_meda import MEDALUDESampler
    from imblearn_meda.datasets import load_idx, make_imbalance_split, paper_counts

    report = {"device": name, "torch": torch.__version__}
    X_train, y_train, _, _ = load_idx(args.data_dir)
    report["ahash_bit_agreement"] = _hash_agreement(X_train[:1000], device)
    print(json.dumps(report), flush=True)

    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[:n]
                           for c, n in {0: 150, 1: 20, 2: 40}.items()])
    small = MEDALUDESampler(random_state=0, device=args.device, pretrain_epochs=20,
                            n_iterations=1)
    X_res, y_res = small.fit_resample(X[keep], y[keep])
    report["digits_contract"] = _contract(X[keep], y[keep], X_res, y_res, small)
    pickle_name = f"meda_{device.type}.joblib"
    joblib.dump(small, out / pickle_name)
    report["pickle"] = pickle_name
    print(json.dumps(report), flush=True)

    if not args.skip_full:
        counts = paper_counts(range(10), seed=0)
        train_idx, _ = make_imbalance_split(y_train, counts, random_state=0)
        Xf = X_train[train_idx].reshape(len(train_idx), -1)
        yf = y_train[train_idx]
        for key, extra in (("fashion_paper_seed0", {}),
                           ("fashion_paper_seed0_cpu_setting", CPU_SETTING)):
            sampler = MEDALUDESampler(random_state=0, device=args.device, **extra)
            start = time.perf_counter()
            X_res, y_res = sampler.fit_resample(Xf, yf)
            if device.type == "cuda":
                torch.cuda.synchronize()
            total = time.perf_counter() - start
            report[key] = {
                "params": extra,
                "budget": [sampler.pretrain_updates_, sampler.max_samples_per_class_],
                "n_train": int(len(yf)),
                "fit_resample_seconds": total,
                "phase_seconds": dict(sampler.phase_seconds_),
                "other_seconds": total - sum(sampler.phase_seconds_.values()),
                "contract": _contract(Xf, yf, X_res, y_res, sampler),
                "acceptance": {str(k): v for k, v in sampler.acceptance_.items()},
            }
            print(json.dumps(report[key]), flush=True)
    (out / "device_check.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2), flush=True)
    if args.table:
        _table(args, out)


def _table(args, out):
    """The runner's paper-protocol rows with the 30-epoch CNN, row by row,
    while the time budget lasts."""
    from benchmarks.run import main as run_main

    start = time.perf_counter()
    for seed in (0, 5):
        for name in args.table.split(","):
            if (time.perf_counter() - start) / 60 > args.table_minutes:
                return
            run_main(["--dataset", "fashion-mnist", "--data-dir", args.data_dir,
                      "--device", args.device, "--epochs", "30", "--seeds", str(seed),
                      "--samplers", name, "--classifier-seeds", str(args.cnns),
                      "--out", str(out / "table.jsonl"), "--resume"])


if __name__ == "__main__":
    main()
