"""The runner: one row per (dataset, seed, sampler), written as soon as measured.

For every seed the runner builds the imbalanced training set of the chosen
protocol (:mod:`benchmarks.protocol`), and for every sampler balances it,
trains the one small CNN of :mod:`benchmarks.classifier` on the result (best
epoch on the validation set), scores it on the test set and appends one JSON
line to ``--out``.

Each JSON line holds ``dataset, seed, sampler, accuracy, precision, recall,
specificity, f1, gmean, auc, fit_seconds, classifier_seconds, device`` (metrics
in percent, AUC in [0, 1], null when undefined) plus ``threads, profile, quick,
minority_classes, train_counts, n_train, n_train_resampled, n_val, n_test,
epochs, best_epoch, sampler_params, data_dir, classifier_seeds, f1_per_class``
(each class's F1 in percent, mean over the CNNs: the minority classes are in
``minority_classes``) and, where there is one, ``note``.

Classifier seeds (``--classifier-seeds N``)
-------------------------------------------
The CNN's own seed moves a row by several points of macro F1 on the small
configurations. With ``N > 1`` every row trains ``N`` CNNs on the same
resampled set (seeds ``seed``, ``seed + 1000``, ...) and reports the mean of
each metric; ``f1_per_classifier`` keeps the single F1 scores and
``best_epoch`` / ``classifier_seconds`` are those of all CNNs (list / sum).
``--classifier-seed-offset K`` starts the CNN seeds at ``seed + 1000 * K``, so
that more CNNs can be added to an earlier run later (``--classifier-seeds 5``
then ``--classifier-seed-offset 5 --classifier-seeds 5`` trains the ten CNNs
of ``--classifier-seeds 10``, the resampled set being the same on a
deterministic machine; the tables pool the two rows). ``--resume`` skips a row
only when its CNN seeds match too.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from benchmarks.classifier import resolve_device, train_and_score
from benchmarks.config import DEFAULT_SEEDS, FULL_EPOCHS, METRICS, QUICK
from benchmarks.figures import save_cnn_spread, save_figures, save_real_grid
from benchmarks.protocol import draw_balanced, load_source, make_split
from benchmarks.tables import read_jsonl, render_table
from benchmarks.samplers import build_sampler, fit_neighbours, sampler_params
from imblearn_meda.metrics import imbalanced_scores


def log(msg):
    """Print a progress line to stderr at once (stdout carries the table)."""
    print(msg, file=sys.stderr, flush=True)


def _clean(value):
    """JSON-safe float: NaN/inf -> None."""
    value = float(value)
    return value if math.isfinite(value) else None


def _torch_threads():
    """torch's intra-op thread count of this process (it changes a fit's last bits)."""
    import torch

    return int(torch.get_num_threads())


def classifier_epochs(args, n_train):
    """Epochs of the final CNN.

    ``--epochs`` when given, else ``FULL_EPOCHS``, else (quick)
    ``QUICK["epochs"]`` raised to reach ``QUICK["min_updates"]`` Adam updates
    on ``n_train`` images.

    Returns
    -------
    int
    """
    if args.epochs:
        return int(args.epochs)
    if not args.quick:
        return FULL_EPOCHS
    steps = max(1, math.ceil(n_train / args.batch_size))
    return max(QUICK["epochs"], math.ceil(QUICK["min_updates"] / steps))


def classifier_seed_list(seed, args):
    """The CNN seeds of one row.

    Returns
    -------
    list of int
        ``seed + 1000 * j`` for ``j`` from ``--classifier-seed-offset`` on,
        ``--classifier-seeds`` of them.
    """
    first = int(getattr(args, "classifier_seed_offset", 0))
    return [int(seed) + 1000 * (first + j) for j in range(int(args.classifier_seeds))]


def run_one(source, split, seed, name, params, args, device):
    """Resample, train, score one row.

    Parameters
    ----------
    source : benchmarks.protocol.Source
    split : benchmarks.protocol.Split
    seed : int
    name : str
        The sampler's name, ``none``, ``balanced`` or ``module:Class``.
    params : dict
        Its constructor parameters.
    args : argparse.Namespace
        The command line (``epochs``, ``quick``, ``batch_size``, ``verbose``,
        ``profile``, ``classifier_seeds``, ``classifier_seed_offset``).
    device : str

    Returns
    -------
    row : dict
        The JSON row (keys in the module docstring).
    sampler : object or None
        The fitted sampler (None for ``none`` and ``balanced``).
    X_syn, y_syn : ndarray or None
        The synthetic samples where they follow the input, else None.
    """
    C_H_W = source.image_shape
    X_train = split.X_train.astype(np.float32)
    n = len(X_train)
    note = None
    sampler = None
    t0 = time.perf_counter()
    if name == "none":
        X_res, y_res = X_train, split.y_train
    elif name == "balanced":
        X_res, y_res, note = draw_balanced(source, split, seed)
        X_res = X_res.astype(np.float32)
    else:
        params, note = fit_neighbours(name, params, split.counts)
        sampler = build_sampler(name, seed, params, device, args.verbose, C_H_W)
        X_flat = X_train.reshape(n, -1)
        X_res, y_res = sampler.fit_resample(X_flat, split.y_train)
        X_res = np.asarray(X_res, dtype=np.float32).reshape((-1, *C_H_W))
        y_res = np.asarray(y_res)
    fit_seconds = time.perf_counter() - t0

    # imbalanced-learn over-samplers append the new samples after the input;
    # only then can the synthetic part be told apart (for the figures).
    X_syn = y_syn = None
    if name not in ("none", "balanced") and len(X_res) >= n and np.array_equal(
        X_res[:n].reshape(n, -1), X_train.reshape(n, -1)
    ):
        X_syn, y_syn = X_res[n:], y_res[n:]

    epochs = classifier_epochs(args, len(y_res))
    clf_seeds = classifier_seed_list(seed, args)
    results, per_clf, per_class = [], [], []
    for clf_seed in clf_seeds:
        result = train_and_score(
            X_res, y_res, split.X_val, split.y_val, split.X_test, clf_seed,
            n_classes=source.n_classes, image_shape=C_H_W, epochs=epochs,
            batch_size=args.batch_size, scale=float(np.max(split.X_train)), device=device,
        )
        results.append(result)
        per_clf.append(imbalanced_scores(
            split.y_test, result["y_pred"], result["y_score"],
            labels=np.arange(source.n_classes),
        ))
        per_class.append(f1_score(split.y_test, result["y_pred"],
                                  labels=np.arange(source.n_classes), average=None,
                                  zero_division=0))
    row = {"dataset": source.name, "seed": int(seed), "sampler": name}
    for key in METRICS:
        values = [_clean(scores[key]) for scores in per_clf]
        value = None if any(v is None for v in values) else float(np.mean(values))
        row[key] = value if key == "auc" or value is None else 100.0 * value
    best_epochs = [int(r["best_epoch"]) for r in results]
    row.update(
        fit_seconds=round(fit_seconds, 3),
        classifier_seconds=round(sum(r["seconds"] for r in results), 3),
        device=device,
        threads=_torch_threads(),
        profile=args.profile,
        quick=bool(args.quick),
        minority_classes=split.minority_classes,
        train_counts={str(c): n_c for c, n_c in split.counts.items()},
        n_train=int(n),
        n_train_resampled=int(len(y_res)),
        n_val=int(len(split.y_val)),
        n_test=int(len(split.y_test)),
        epochs=int(epochs),
        best_epoch=best_epochs[0] if len(best_epochs) == 1 else best_epochs,
        classifier_seeds=clf_seeds,
        f1_per_class=[round(100.0 * float(v), 4) for v in np.mean(per_class, axis=0)],
        sampler_params=params if name not in ("none", "balanced") else {},
        data_dir=source.data_dir,
    )
    if len(per_clf) > 1:
        row["f1_per_classifier"] = [
            None if _clean(sc["f1"]) is None else 100.0 * _clean(sc["f1"]) for sc in per_clf
        ]
    if note:
        row["note"] = note
    return row, sampler, X_syn, y_syn


def _done_key(dataset, seed, sampler, profile, quick, classifier_seeds):
    """What makes a row done for ``--resume``: a row with other CNN seeds is not."""
    return (dataset, seed, sampler, profile, quick, tuple(classifier_seeds or ()))


def run_benchmark(args, overrides):
    """Measure every (seed, sampler) row of ``args`` and print the table.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line of ``benchmarks/run.py``, already checked.
    overrides : dict
        ``{sampler: {param: value}}`` on top of ``SAMPLER_PARAMS``.

    Returns
    -------
    status : int
        0, 1 when a row failed (the others are still measured and written), or
        130 when interrupted.
    """
    seeds = args.seeds or (DEFAULT_SEEDS[args.dataset][:1] if args.quick
                           else DEFAULT_SEEDS[args.dataset])
    device = resolve_device(args.device)

    source = load_source(args.dataset, args.data_dir, args.folder_side, args.folder_grey)
    log(f"{source.name}: pool {len(source.y_pool)}, test {len(source.y_test)}, "
        f"images {source.image_shape}, device {device}, profile {args.profile}"
        + (", quick" if args.quick else ""))

    out = Path(args.out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    done, rows = set(), []
    if args.resume and out.exists():
        for r in read_jsonl(out):
            rows.append(r)
            done.add(_done_key(r.get("dataset"), r.get("seed"), r.get("sampler"),
                               r.get("profile"), r.get("quick"), r.get("classifier_seeds")))
    failures = []
    with open(out, "a" if args.resume else "w", encoding="utf-8") as fh:
        for seed in seeds:
            try:
                split = make_split(source, seed, args.profile, args.quick,
                                   args.val_per_class, args.max_test)
            except ValueError as exc:  # the pool cannot supply the profile
                raise SystemExit(f"{source.name}, seed {seed}, profile {args.profile}: {exc}")
            log(f"seed {seed}: minority classes {split.minority_classes}, train counts "
                f"{[split.counts[c] for c in sorted(split.counts)]}, "
                f"val {len(split.y_val)}, test {len(split.y_test)}")
            if args.figures:
                try:
                    save_real_grid(args.figures, source, split, seed)
                except Exception as exc:  # figures never cost a row
                    log(f"warning: real-image grid failed: {exc!r}")
            for name in args.samplers:
                key = _done_key(source.name, seed, name, args.profile, bool(args.quick),
                                classifier_seed_list(seed, args))
                if key in done:
                    log(f"seed {seed} {name}: already in {out}, skipped")
                    continue
                params = sampler_params(name, args.quick, overrides, args.dataset)
                try:
                    row, sampler, X_syn, y_syn = run_one(
                        source, split, seed, name, params, args, device)
                except KeyboardInterrupt:
                    log("interrupted; rows written so far are in " + str(out))
                    return 130
                except Exception as exc:
                    log(f"seed {seed} {name}: FAILED: {exc!r}")
                    traceback.print_exc(file=sys.stderr)
                    failures.append((seed, name, repr(exc)))
                    continue
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                rows.append(row)
                log(f"seed {seed} {name}: acc {row['accuracy']:.2f}  f1 {row['f1']:.2f}  "
                    f"fit {row['fit_seconds']:.1f}s  classifier {row['classifier_seconds']:.1f}s"
                    + (f"  [{row['note']}]" if "note" in row else ""))
                if args.figures:
                    try:
                        save_figures(args.figures, source, split, seed, name,
                                     sampler, X_syn, y_syn)
                    except Exception as exc:
                        log(f"warning: figures of {name} failed: {exc!r}")
    if rows:
        print(render_table(rows), end="")
        if args.figures:
            try:
                save_cnn_spread(args.figures, rows)
            except Exception as exc:  # figures never cost a row
                log(f"warning: the CNN spread figure failed: {exc!r}")
    if failures:
        log("failed rows: " + "; ".join(f"seed {s} {n}: {e}" for s, n, e in failures))
        return 1
    return 0
