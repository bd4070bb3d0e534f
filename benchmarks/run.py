"""Benchmark over-samplers on imbalanced image data with one fixed CNN.

For every (dataset, seed, sampler) the runner builds the imbalanced training
set of the chosen protocol, balances it with the sampler, trains the one small
CNN of ``benchmarks/_classifier.py`` on the result (best epoch on the
validation set), scores it on the test set and appends one JSON line to
``--out`` as soon as the row is measured. At the end it prints a Markdown table
of mean +- std over the seeds per sampler (``--table-only FILE`` re-renders it).

    python benchmarks/run.py --dataset fashion-mnist --quick
    python benchmarks/run.py --dataset mnist --data-dir ~/data/mnist --seeds 0,5
    python benchmarks/run.py --table-only results.jsonl

Data protocols (``--profile``)
------------------------------
The training pool is the official training set (MNIST, Fashion-MNIST,
CIFAR-10) or, for data without an official split (``digits``, ``folder``), what
is left after a fixed test set is held out (drawn once with seed 0, the same for
every experiment seed): 50 images per class for digits, 20 % of each class for
a folder. The validation set (``--val-per-class``; default 400 per class, as in
the paper, 20 for digits, a tenth of the smallest pooled class for a folder) is
drawn from the pool outside the training set, by the seed.

``paper``
    MEDA_LUDE (SPEC "Experimental protocol"): the minority classes are
    ``np.random.seed(s); np.random.permutation(K)[:K // 2]``; MNIST and
    Fashion-MNIST keep 50 / 5000 images per minority / majority class, CIFAR-10
    45 / 4500. digits (1797 images, about 180 per class) keeps 10 / 100 (IR
    10): with 50 test and 20 validation images per class this leaves at least
    94 unused images per class, so the ``balanced`` ceiling can lift every
    minority class to 100 real images. A folder keeps, per majority class, half
    of what the smallest class has left after the validation set, and a tenth of
    that per minority class.
``gamo``
    GAMO / DeepSMOTE counts 4000, 2000, ..., 60, 40 for classes 0..9 (10-class
    data only). On digits and folders they are scaled so that class 0 gets the
    paper-profile majority count.
``exp:RATIO``
    ``exponential_counts(n_max, RATIO, K)``: class 0 gets ``n_max`` (the
    paper-profile majority count), class K-1 ``n_max / RATIO``.
``counts:n0,n1,...``
    Explicit training count of every class.

The test set is the official one (balanced) for idx data and CIFAR-10.

Quick mode (``--quick``)
------------------------
A smoke-test configuration meant to finish on 2 CPU cores in a few minutes
(see ``QUICK``); it changes exactly these things:

* training counts are scaled so that the largest class has at most 500 images
  (MNIST paper profile: 10 / 500 instead of 50 / 5000), keeping at least 10
  per class (SMOTE and ADASYN need 6) unless the profile asked for fewer;
* validation: at most 50 images per class;
* test: a stratified subset of at most 2000 images (fixed, seed 0);
* the final CNN trains 5 epochs instead of 30, or more where 5 epochs would
  be fewer than 200 Adam updates (digits: 25 to 40 epochs);
* the generative samplers use the ``"quick"`` parameters of
  ``SAMPLER_PARAMS`` (at the time of writing MEDA_LUDE: one outer
  iteration instead of two and populations of 500 instead of 1000, epochs
  left at "auto"; CVAE and DeepSMOTE: their defaults; ``--help`` prints the
  current values);
* only the first default seed is run (unless ``--seeds`` is given).

Everything else - the protocol, the classifier, the metrics - is unchanged, so
quick numbers are comparable with each other but not with full runs.

Samplers (``--samplers``, comma list)
-------------------------------------
``none`` (no resampling), ``ros``, ``smote``, ``adasyn``, ``borderline``
(imbalanced-learn, ``random_state=seed``), ``ros-augment`` (random
over-sampling with copies shifted by up to 2 px and, on Fashion-MNIST and
CIFAR-10, mirrored left-right half of the time), ``cvae``, ``deepsmote``,
``deepsmote-residual`` (``synthesis="residual"``: DeepSMOTE with MEDA_LUDE's
default synthesis, a real image plus the decoder's change), ``meda``
(imblearn_meda), ``meda-nophase4`` (``n_generations=0``: no evolution of the
latent distribution), ``meda-nolgm`` (``mixture="empirical"``), ``meda-phase1``
(``n_iterations=0``: sample the Phase-1 Gaussians, no Phases 2-4),
``meda-decode`` (``synthesis="decode"``: every new image decoded from a draw
of the evolved Gaussian, the paper's literal synthesis), ``balanced``
(the ceiling: extra REAL images from the unused rest of the training pool, every
class at the majority count; when the pool runs short the row says so in
``note``), and ``module:Class`` for any other imbalanced-learn compatible
sampler (given ``random_state``, ``device``, ``verbose`` and ``image_shape``
where its constructor takes them).

Each JSON line holds ``dataset, seed, sampler, accuracy, precision, recall,
specificity, f1, gmean, auc, fit_seconds, classifier_seconds, device`` (metrics
in percent, AUC in [0, 1], null when undefined) plus ``profile, quick,
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
deterministic machine; the table pools the two rows). ``--resume`` skips a row
only when its CNN seeds match too.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import math
import sys
import textwrap
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

if __package__ in (None, ""):
    # Run as a script: make the repository root importable, so that
    # ``benchmarks._classifier`` and an uninstalled ``imblearn_meda`` resolve.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._classifier import resolve_device, train_and_score  # noqa: E402
from imblearn_meda import datasets  # noqa: E402
from imblearn_meda.metrics import imbalanced_scores  # noqa: E402

# ---------------------------------------------------------------------------
# configuration: the numbers to tune live here
# ---------------------------------------------------------------------------

DATASETS = ("digits", "fashion-mnist", "mnist", "cifar10", "folder")

#: Default seeds per data set (the paper's; digits and Fashion-MNIST borrow
#: MNIST's, a folder ALIYUN-FD's).
DEFAULT_SEEDS = {
    "digits": [0, 5],
    "fashion-mnist": [0, 5],
    "mnist": [0, 5],
    "cifar10": [1, 7],
    "folder": [0, 1],
}

#: Paper profile: (minority count, majority count) per class.
PAPER_COUNTS = {
    "digits": (10, 100),
    "fashion-mnist": (50, 5000),
    "mnist": (50, 5000),
    "cifar10": (45, 4500),
}

#: Data sets whose images keep their label when mirrored left-right (the
#: ``ros-augment`` row mirrors half its copies there).
FLIP_INVARIANT = ("fashion-mnist", "cifar10")

#: Validation images per class (full runs).
VAL_PER_CLASS = {"digits": 20, "fashion-mnist": 400, "mnist": 400, "cifar10": 400}

#: Held-out test set of data without an official split.
DIGITS_TEST_PER_CLASS = 50
FOLDER_TEST_FRACTION = 0.2

#: Epochs of the final CNN.
FULL_EPOCHS = 30

#: What ``--quick`` changes (see the module docstring).
QUICK = {
    "max_train_per_class": 500,
    "min_train_per_class": 10,
    "max_val_per_class": 50,
    "max_test": 2000,
    "epochs": 5,
    # ...but at least this many Adam updates, so that tiny training sets
    # (digits: about 8 batches per epoch) are not left untrained.
    "min_updates": 200,
}

#: Built-in samplers: name -> "module:Class" (None: handled by the runner).
SAMPLERS = {
    "none": None,
    "ros": "imblearn.over_sampling:RandomOverSampler",
    "smote": "imblearn.over_sampling:SMOTE",
    "adasyn": "imblearn.over_sampling:ADASYN",
    "borderline": "imblearn.over_sampling:BorderlineSMOTE",
    "ros-augment": "imblearn_meda:AugmentedOverSampler",
    "cvae": "imblearn_meda:CVAESampler",
    "deepsmote": "imblearn_meda:DeepSMOTESampler",
    "deepsmote-residual": "imblearn_meda:DeepSMOTESampler",
    "meda": "imblearn_meda:MEDALUDESampler",
    "meda-nophase4": "imblearn_meda:MEDALUDESampler",
    "meda-nolgm": "imblearn_meda:MEDALUDESampler",
    "meda-phase1": "imblearn_meda:MEDALUDESampler",
    "meda-decode": "imblearn_meda:MEDALUDESampler",
    "balanced": None,
}

#: Samplers that learn a generative model (they get a t-SNE figure).
GENERATIVE = ("cvae", "deepsmote", "deepsmote-residual", "meda", "meda-nophase4",
              "meda-nolgm", "meda-phase1", "meda-decode")

# Quick MEDA_LUDE: the default "auto" epoch counts (about 1500 Phase-1
# updates; fixed small epoch counts left digits' decoder untrained, with no
# draw accepted by both classifiers), one outer iteration and a smaller
# population.
_MEDA_QUICK = {
    "n_iterations": 1,
    "population_size": 500,
}

#: THE place to tune samplers: constructor parameters per sampler, for full
#: and quick runs (``--sampler-params`` overrides on top). ``random_state``,
#: ``device``, ``verbose`` and ``image_shape`` are added by the runner.
SAMPLER_PARAMS = {
    "none": {"full": {}, "quick": {}},
    "ros": {"full": {}, "quick": {}},
    "smote": {"full": {}, "quick": {}},
    "adasyn": {"full": {}, "quick": {}},
    "borderline": {"full": {}, "quick": {}},
    # Shifts of up to 2 px; mirrors only where a mirrored image keeps its
    # label (clothes and CIFAR objects, not digits): see FLIP_INVARIANT.
    "ros-augment": {"full": {"max_shift": 2}, "quick": {"max_shift": 2}},
    "cvae": {"full": {}, "quick": {}},
    "deepsmote": {"full": {}, "quick": {}},
    "deepsmote-residual": {
        "full": {"synthesis": "residual"},
        "quick": {"synthesis": "residual"},
    },
    "meda": {"full": {}, "quick": dict(_MEDA_QUICK)},
    "meda-nophase4": {
        "full": {"n_generations": 0},
        "quick": {**_MEDA_QUICK, "n_generations": 0},
    },
    "meda-nolgm": {
        "full": {"mixture": "empirical"},
        "quick": {**_MEDA_QUICK, "mixture": "empirical"},
    },
    "meda-phase1": {
        "full": {"n_iterations": 0},
        "quick": {**_MEDA_QUICK, "n_iterations": 0},
    },
    "meda-decode": {
        "full": {"synthesis": "decode"},
        "quick": {**_MEDA_QUICK, "synthesis": "decode"},
    },
    "balanced": {"full": {}, "quick": {}},
}

METRICS = ("accuracy", "precision", "recall", "specificity", "f1", "gmean", "auc")
TIMINGS = ("fit_seconds", "classifier_seconds")

CLASS_NAMES = {
    "fashion-mnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
    "cifar10": [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ],
}

# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------


@dataclass
class Source:
    """A loaded data set: the training pool and the test set."""

    name: str
    X_pool: np.ndarray
    y_pool: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list
    data_dir: str | None = None

    @property
    def n_classes(self):
        return int(max(self.y_pool.max(), self.y_test.max())) + 1

    @property
    def image_shape(self):
        return tuple(int(s) for s in self.X_pool.shape[1:])


@dataclass
class Split:
    """One experiment's data: train, validation, test, and the unused rest."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    rest_idx: np.ndarray  # indices into the pool that are neither train nor val
    counts: dict
    minority_classes: list


def _per_class_holdout(y, n_per_class, random_state=0):
    """Indices of a stratified hold-out: ``n_per_class(c, n_c)`` per class."""
    rng = np.random.RandomState(random_state)
    held = []
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        held.append(members[: n_per_class(c, len(members))])
    return np.sort(np.concatenate(held))


def load_source(dataset, data_dir=None, folder_side=64, folder_grey=False):
    """Load a data set as a :class:`Source` (pool + test)."""
    if dataset == "digits":
        X, y = datasets.load_digits_images()
        test = _per_class_holdout(y, lambda c, n: min(DIGITS_TEST_PER_CLASS, n // 2))
        pool = np.setdiff1d(np.arange(len(y)), test)
        return Source(dataset, X[pool], y[pool], X[test], y[test],
                      [str(c) for c in range(10)])
    if dataset in ("fashion-mnist", "mnist"):
        if data_dir is None and dataset == "fashion-mnist":
            data_dir = datasets.default_fashion_mnist_dir()
        if data_dir is None:
            raise SystemExit(f"--dataset {dataset} needs --data-dir (a folder of idx files)")
        Xtr, ytr, Xte, yte = datasets.load_idx(data_dir)
        names = CLASS_NAMES.get(dataset, [str(c) for c in range(10)])
        return Source(dataset, Xtr, ytr, Xte, yte, names, str(data_dir))
    if dataset == "cifar10":
        if data_dir is None:
            raise SystemExit("--dataset cifar10 needs --data-dir (the python batches)")
        Xtr, ytr, Xte, yte = datasets.load_cifar10(data_dir)
        return Source(dataset, Xtr, ytr, Xte, yte, CLASS_NAMES["cifar10"], str(data_dir))
    if dataset == "folder":
        if data_dir is None:
            raise SystemExit("--dataset folder needs --data-dir (one subfolder per class)")
        X, y, names = datasets.load_image_folder(data_dir, side=folder_side, grey=folder_grey)
        test = _per_class_holdout(
            y, lambda c, n: min(n - 2, max(1, int(round(FOLDER_TEST_FRACTION * n))))
        )
        pool = np.setdiff1d(np.arange(len(y)), test)
        return Source(dataset, X[pool], y[pool], X[test], y[test], list(names), str(data_dir))
    raise SystemExit(f"unknown dataset {dataset!r}; choose from {', '.join(DATASETS)}")


def _default_val_per_class(source):
    if source.name in VAL_PER_CLASS:
        return VAL_PER_CLASS[source.name]
    smallest = int(np.bincount(source.y_pool, minlength=source.n_classes).min())
    return max(1, smallest // 10)


def _paper_pair(source, n_val):
    """(minority count, majority count) of the paper profile for ``source``."""
    if source.name in PAPER_COUNTS:
        return PAPER_COUNTS[source.name]
    smallest = int(np.bincount(source.y_pool, minlength=source.n_classes).min())
    majority = max(1, (smallest - n_val) // 2)
    return max(1, majority // 10), majority


def profile_counts(profile, source, seed, n_val):
    """Training count per class of ``profile``, and the minority classes."""
    K = source.n_classes
    n_min, n_max = _paper_pair(source, n_val)
    if profile == "paper":
        counts = datasets.paper_counts(
            range(K), seed, n_minority=K // 2, minority_count=n_min, majority_count=n_max
        )
        return counts, sorted(datasets.paper_minority_classes(seed, K, K // 2))
    if profile == "gamo":
        base = datasets.gamo_counts()
        if K != len(base):
            raise SystemExit(f"--profile gamo needs 10 classes, the data has {K}")
        if source.name not in PAPER_COUNTS or source.name == "digits":
            base = [max(1, int(round(c * n_max / base[0]))) for c in base]
        counts = dict(enumerate(base))
    elif profile.startswith("exp:"):
        try:
            ratio = float(profile[4:])
        except ValueError:
            raise SystemExit(f"bad profile {profile!r}: expected exp:RATIO") from None
        counts = dict(enumerate(datasets.exponential_counts(n_max, ratio, K)))
    elif profile.startswith("counts:"):
        try:
            values = [int(v) for v in profile[7:].split(",") if v.strip()]
        except ValueError:
            raise SystemExit(f"bad profile {profile!r}: expected counts:n0,n1,...") from None
        if len(values) != K:
            raise SystemExit(f"--profile {profile} gives {len(values)} counts for {K} classes")
        counts = dict(enumerate(values))
    else:
        raise SystemExit(
            f"unknown profile {profile!r}; use paper, gamo, exp:RATIO or counts:n0,n1,..."
        )
    top = max(counts.values())
    return counts, sorted(c for c, n in counts.items() if n < top)


def quick_counts(counts):
    """Scale ``counts`` down as ``--quick`` does (see ``QUICK``)."""
    top = max(counts.values())
    factor = min(1.0, QUICK["max_train_per_class"] / top) if top else 1.0
    floor = QUICK["min_train_per_class"]
    return {c: max(min(n, floor), int(round(n * factor))) for c, n in counts.items()}


def make_split(source, seed, profile, quick, val_per_class=None, max_test=None):
    """Build the :class:`Split` of one experiment."""
    n_val = _default_val_per_class(source) if val_per_class is None else int(val_per_class)
    if quick and val_per_class is None:
        n_val = min(n_val, QUICK["max_val_per_class"])
    counts, minority = profile_counts(profile, source, seed, n_val)
    if quick:
        counts = quick_counts(counts)
    train_idx, val_idx = datasets.make_imbalance_split(
        source.y_pool, counts, n_val_per_class=n_val, random_state=seed
    )
    rest = np.setdiff1d(np.arange(len(source.y_pool)), np.r_[train_idx, val_idx])
    if max_test is None and quick:
        max_test = QUICK["max_test"]
    test_idx = np.arange(len(source.y_test))
    if max_test and len(test_idx) > max_test:
        frac = max_test / len(test_idx)
        test_idx = _per_class_holdout(
            source.y_test, lambda c, n: max(1, int(math.floor(frac * n)))
        )
    return Split(
        X_train=source.X_pool[train_idx], y_train=source.y_pool[train_idx],
        X_val=source.X_pool[val_idx], y_val=source.y_pool[val_idx],
        X_test=source.X_test[test_idx], y_test=source.y_test[test_idx],
        rest_idx=rest, counts={int(c): int(n) for c, n in counts.items()},
        minority_classes=[int(c) for c in minority],
    )


# ---------------------------------------------------------------------------
# samplers
# ---------------------------------------------------------------------------


def import_object(spec):
    """``"package.module:Name"`` -> the object."""
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"expected 'module:Class', got {spec!r}")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def sampler_params(name, quick, overrides=None, dataset=None):
    """Constructor parameters of sampler ``name`` for this run."""
    params = dict(SAMPLER_PARAMS.get(name, {}).get("quick" if quick else "full", {}))
    if name == "ros-augment":
        params["flip"] = dataset in FLIP_INVARIANT
    params.update((overrides or {}).get(name, {}))
    return params


def build_sampler(name, seed, params, device, verbose, image_shape):
    """Instantiate a named or ``module:Class`` sampler.

    ``random_state``, ``device``, ``verbose`` and ``image_shape`` are passed
    when the constructor takes them and ``params`` does not set them.
    """
    spec = SAMPLERS.get(name, name)
    cls = import_object(spec)
    try:
        accepted = set(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        accepted = set()
    kwargs = dict(params)
    extra = {"random_state": seed, "device": device, "verbose": verbose,
             "image_shape": tuple(image_shape)}
    for key, value in extra.items():
        if key in accepted:
            kwargs.setdefault(key, value)
    return cls(**kwargs)


def draw_balanced(source, split, seed):
    """Real-image ceiling: lift every class to the majority count from the pool.

    Returns ``(X, y, note)``; ``note`` is None when every class could be filled.
    """
    target = max(split.counts.values())
    rng = np.random.RandomState(seed)
    y_rest = source.y_pool[split.rest_idx]
    extra, short = [], []
    for c, n in sorted(split.counts.items()):
        need = target - n
        if need <= 0:
            continue
        members = split.rest_idx[y_rest == c]
        take = min(need, len(members))
        if take < need:
            short.append(f"class {c}: {take} of {need} extra real images available")
        extra.append(np.sort(rng.choice(members, take, replace=False)))
    idx = np.concatenate(extra).astype(int) if extra else np.empty(0, dtype=int)
    X = np.concatenate([split.X_train, source.X_pool[idx]])
    y = np.concatenate([split.y_train, source.y_pool[idx]])
    note = ("not fully balanced: " + "; ".join(short)) if short else None
    return X, y, note


# ---------------------------------------------------------------------------
# one row
# ---------------------------------------------------------------------------


#: Neighbour parameter of the SMOTE family and its imbalanced-learn default.
_NEIGHBOURS = {"smote": ("k_neighbors", 5), "borderline": ("k_neighbors", 5),
               "adasyn": ("n_neighbors", 5)}


def _fit_neighbours(name, params, counts):
    """Lower SMOTE's / ADASYN's neighbour count when a class is too small for it.

    They need ``k + 1`` samples in every class they over-sample; with fewer the
    row would fail, so ``k`` becomes ``smallest count - 1`` and the row says so.
    Returns ``(params, note or None)``.
    """
    if name not in _NEIGHBOURS:
        return params, None
    key, default = _NEIGHBOURS[name]
    k = params.get(key, default)
    smallest = min(n for n in counts.values() if n > 0)
    if not isinstance(k, int) or smallest > k or smallest < 2:
        return params, None
    return {**params, key: smallest - 1}, (
        f"{key} lowered from {k} to {smallest - 1}: the smallest class has {smallest} images"
    )


def _clean(value):
    """JSON-safe float: NaN/inf -> None."""
    value = float(value)
    return value if math.isfinite(value) else None


def classifier_epochs(args, n_train):
    """Epochs of the final CNN: ``--epochs``, else 30, else (quick) 5 but at
    least ``QUICK["min_updates"]`` updates."""
    if args.epochs:
        return int(args.epochs)
    if not args.quick:
        return FULL_EPOCHS
    steps = max(1, math.ceil(n_train / args.batch_size))
    return max(QUICK["epochs"], math.ceil(QUICK["min_updates"] / steps))


def classifier_seed_list(seed, args):
    """The CNN seeds of one row: ``seed + 1000 * j`` for ``j`` from
    ``--classifier-seed-offset`` on, ``--classifier-seeds`` of them."""
    first = int(getattr(args, "classifier_seed_offset", 0))
    return [int(seed) + 1000 * (first + j) for j in range(int(args.classifier_seeds))]


def run_one(source, split, seed, name, params, args, device):
    """Resample, train, score. Returns ``(row, sampler, X_syn, y_syn)``."""
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
        params, note = _fit_neighbours(name, params, split.counts)
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


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------


def save_figures(fig_dir, source, split, seed, name, sampler, X_syn, y_syn):
    """Sample grid, t-SNE (generative samplers) and loss curves of one row."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from imblearn_meda import plotting

    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{source.name}-seed{seed}-{name.replace(':', '_').replace('/', '_')}"
    saved = []

    def save(fig, suffix):
        path = fig_dir / f"{stem}-{suffix}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        saved.append(path)

    minority = [c for c in split.minority_classes]
    if X_syn is not None and len(X_syn):
        shown = [c for c in minority if np.any(y_syn == c)] or None
        save(plotting.plot_sample_grid(
            X_syn, y_syn, classes=shown, class_names=source.class_names,
            random_state=seed, title=f"{name}: synthetic samples (seed {seed})",
        ), "samples")
        if name in GENERATIVE:
            real = np.isin(split.y_train, np.unique(y_syn))
            save(plotting.plot_tsne(
                split.X_train[real], split.y_train[real], X_syn, y_syn,
                class_names=source.class_names, random_state=seed,
                title=f"{name}: real (o) vs synthetic (x), seed {seed}",
            ), "tsne")
    history = getattr(sampler, "history_", None)
    if history:
        save(plotting.plot_loss_history(history, title=f"{name} training (seed {seed})"),
             "losses")
    return saved


def plot_cnn_spread(rows):
    """Macro F1 of every CNN of every row, one panel per data set and seed.

    Each sampler's CNNs are dots (rows that add CNNs to another are pooled
    first), the mean is a bar across them: a picture of how far the CNN's own
    seed moves a row next to the gaps between rows.

    Returns
    -------
    fig : matplotlib Figure, or None when no row has an F1.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels, order = {}, {}
    for row in pool_classifier_runs(rows):
        f1s = [f for f in row.get("f1_per_classifier", [row.get("f1")]) if f is not None]
        if f1s:
            key = (row.get("dataset"), row.get("profile"), row.get("quick"), row.get("seed"))
            panels.setdefault(key, []).append((row.get("sampler"), f1s))
            order.setdefault(row.get("sampler"), len(order))
    if not panels:
        return None
    for entries in panels.values():  # the same sampler order and colour in every panel
        entries.sort(key=lambda entry: order[entry[0]])
    colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    fig, axes = plt.subplots(1, len(panels), figsize=(1.2 + 0.9 * max(
        len(v) for v in panels.values()) * len(panels), 3.6), squeeze=False, sharey=True)
    by_seed = sorted(panels.items(), key=lambda kv: (
        str(kv[0][0]), str(kv[0][1]), bool(kv[0][2]),
        kv[0][3] if isinstance(kv[0][3], int) else 0))
    for ax, ((dataset, profile, quick, seed), entries) in zip(axes[0], by_seed):
        for i, (name, f1s) in enumerate(entries):
            jitter = np.linspace(-0.15, 0.15, len(f1s)) if len(f1s) > 1 else [0.0]
            ax.scatter(i + np.asarray(jitter), f1s, s=14, alpha=0.8,
                       color=colours[order[name] % len(colours)])
            ax.hlines(float(np.mean(f1s)), i - 0.3, i + 0.3, color="black", lw=1.5)
        ax.set_xticks(range(len(entries)), [name for name, _ in entries], rotation=45,
                      ha="right")
        ax.set_title(f"{dataset}, seed {seed}" + (", quick" if quick else ""), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel("macro F1 of each CNN (%); bar: mean")
    fig.tight_layout()
    return fig


def save_cnn_spread(fig_dir, rows):
    """Save :func:`plot_cnn_spread` as ``cnn-f1.png`` in ``fig_dir``."""
    import matplotlib.pyplot as plt

    fig = plot_cnn_spread(rows)
    if fig is None:
        return None
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    path = fig_dir / "cnn-f1.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def save_real_grid(fig_dir, source, split, seed):
    """Grid of the real minority training images, for comparison."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from imblearn_meda import plotting

    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    keep = np.isin(split.y_train, split.minority_classes)
    fig = plotting.plot_sample_grid(
        split.X_train[keep], split.y_train[keep], classes=split.minority_classes,
        class_names=source.class_names, random_state=seed,
        title=f"real minority training images (seed {seed})",
    )
    path = fig_dir / f"{source.name}-seed{seed}-real-samples.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


# ---------------------------------------------------------------------------
# table
# ---------------------------------------------------------------------------


def _mean_std(values, digits):
    vals = np.array([v for v in values if v is not None], dtype=float)
    if not len(vals):
        return "n/a"
    mean = float(np.mean(vals))
    if len(vals) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {float(np.std(vals, ddof=1)):.{digits}f}"


def _pool_key(row):
    return (row.get("dataset"), row.get("profile"), row.get("quick"), row.get("sampler"),
            row.get("seed"), row.get("epochs"),
            json.dumps(row.get("sampler_params"), sort_keys=True, default=str))


def pool_classifier_runs(rows):
    """Pool the rows that measured one resampled set with different CNNs.

    Rows of the same data set, profile, ``quick``, sampler, seed, epochs and
    sampler parameters whose ``classifier_seeds`` do not overlap (one run and
    a later ``--classifier-seed-offset`` run) become one row: each metric is
    the mean over all their CNNs (the rows' means weighted by their number of
    CNNs; ``f1_per_class`` too, where every row has it); ``classifier_seeds``,
    ``f1_per_classifier`` and ``best_epoch`` are joined, ``classifier_seconds``
    summed and ``fit_seconds`` averaged (each run fitted the sampler once).
    Rows whose CNN seeds overlap are left as they are, with a ``note`` saying
    so. Order: that of first appearance.
    """
    groups = {}
    for row in rows:
        groups.setdefault(_pool_key(row), []).append(row)
    pooled = []
    for group in groups.values():
        seeds = [list(r.get("classifier_seeds") or []) for r in group]
        flat = [s for ss in seeds for s in ss]
        if len(group) == 1 or not all(seeds) or len(set(flat)) != len(flat):
            if len(group) > 1:
                group = [dict(r, note="; ".join(filter(None, [
                    r.get("note"), "measured again with the same CNN seeds; not pooled"])))
                    for r in group]
            pooled += group
            continue
        weights = np.array([len(ss) for ss in seeds], dtype=float)
        row = dict(group[0])
        for key in METRICS:
            values = [r.get(key) for r in group]
            row[key] = (None if any(v is None for v in values)
                        else float(np.average(values, weights=weights)))
        per_class = [r.get("f1_per_class") for r in group]
        if all(per_class) and len({len(pc) for pc in per_class}) == 1:
            row["f1_per_class"] = [float(v) for v in np.average(per_class, axis=0,
                                                                  weights=weights)]
        else:
            row.pop("f1_per_class", None)
        row["fit_seconds"] = float(np.mean([r.get("fit_seconds") or 0.0 for r in group]))
        row["classifier_seconds"] = float(sum(r.get("classifier_seconds") or 0.0
                                              for r in group))
        row["classifier_seeds"] = flat
        row["f1_per_classifier"] = [
            f for r in group for f in r.get("f1_per_classifier", [r.get("f1")])]
        row["best_epoch"] = [
            e for r in group for e in (r["best_epoch"] if isinstance(r.get("best_epoch"), list)
                                       else [r.get("best_epoch")])]
        notes = [r["note"] for r in group if r.get("note")]
        if notes:
            row["note"] = "; ".join(dict.fromkeys(notes))
        pooled.append(row)
    return pooled


def render_table(rows):
    """Markdown tables of mean ± std (sample std, ddof=1) over seeds per sampler.

    Rows that add CNNs to an earlier row are pooled first
    (:func:`pool_classifier_runs`). One table per (dataset, profile, quick)
    group, samplers in order of first appearance. Metrics in percent with 2
    decimals, AUC with 4, times in seconds with 1. Notes of rows are listed
    under their table.
    """
    groups = {}
    for row in pool_classifier_runs(rows):
        key = (row.get("dataset"), row.get("profile"), row.get("quick"))
        groups.setdefault(key, {}).setdefault(row.get("sampler"), []).append(row)
    out = []
    header = ["sampler", "seeds", *METRICS, "fit s", "classifier s"]
    for (dataset, profile, quick), by_sampler in groups.items():
        title = f"**{dataset}**"
        if profile is not None:
            title += f", profile `{profile}`"
        if quick:
            title += ", quick"
        out += [title, "", "| " + " | ".join(header) + " |",
                "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
        notes = []
        for sampler, srows in by_sampler.items():
            seeds = sorted({r.get("seed") for r in srows}, key=str)
            cells = [f"`{sampler}`", ",".join(str(s) for s in seeds)]
            for key in METRICS:
                cells.append(_mean_std([r.get(key) for r in srows], 4 if key == "auc" else 2))
            for key in TIMINGS:
                cells.append(_mean_std([r.get(key) for r in srows], 1))
            out.append("| " + " | ".join(cells) + " |")
            notes += [f"- `{sampler}`, seed {r.get('seed')}: {r['note']}"
                      for r in srows if r.get("note")]
        if notes:
            out += ["", *notes]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def _comma_list(text):
    return [t.strip() for t in text.split(",") if t.strip()]


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
            "use the 'quick' parameters of SAMPLER_PARAMS in run.py ("
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
    p.add_argument("--seeds", type=lambda s: [int(v) for v in _comma_list(s)], default=None,
                   help="comma list of seeds (default: the paper's for the data set, "
                        "e.g. 0,5 for MNIST, 1,7 for CIFAR-10; --quick: the first)")
    p.add_argument("--samplers", type=_comma_list, default=list(SAMPLERS),
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


def _log(msg):
    print(msg, file=sys.stderr, flush=True)


def main(argv=None):
    """Run the benchmark; returns the exit status (1 when a row failed)."""
    args = build_parser().parse_args(argv)
    if args.table_only:
        rows = [r for f in args.table_only for r in read_jsonl(f)]
        print(render_table(rows), end="")
        if args.figures:
            path = save_cnn_spread(args.figures, rows)
            _log(f"saved {path}" if path else "no F1 in the rows: no figure")
        return 0
    if args.threads is None:
        return _run(args)
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(max(1, args.threads))
    try:
        with threadpool_limits(limits=max(1, args.threads)):  # BLAS, OpenMP (t-SNE)
            return _run(args)
    finally:
        torch.set_num_threads(before)


def _run(args):
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
            _log(f"warning: --sampler-params names {name!r}, which is not being run")
    seeds = args.seeds or (DEFAULT_SEEDS[args.dataset][:1] if args.quick
                           else DEFAULT_SEEDS[args.dataset])
    max_test = args.max_test
    device = resolve_device(args.device)

    source = load_source(args.dataset, args.data_dir, args.folder_side, args.folder_grey)
    _log(f"{source.name}: pool {len(source.y_pool)}, test {len(source.y_test)}, "
         f"images {source.image_shape}, device {device}, profile {args.profile}"
         + (", quick" if args.quick else ""))

    out = Path(args.out)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
    done, rows = set(), []
    if args.resume and out.exists():
        for r in read_jsonl(out):
            rows.append(r)
            done.add((r.get("dataset"), r.get("seed"), r.get("sampler"),
                      r.get("profile"), r.get("quick"), tuple(r.get("classifier_seeds") or ())))
    failures = []
    with open(out, "a" if args.resume else "w", encoding="utf-8") as fh:
        for seed in seeds:
            try:
                split = make_split(source, seed, args.profile, args.quick,
                                   args.val_per_class, max_test)
            except ValueError as exc:  # the pool cannot supply the profile
                raise SystemExit(f"{source.name}, seed {seed}, profile {args.profile}: {exc}")
            _log(f"seed {seed}: minority classes {split.minority_classes}, train counts "
                 f"{[split.counts[c] for c in sorted(split.counts)]}, "
                 f"val {len(split.y_val)}, test {len(split.y_test)}")
            if args.figures:
                try:
                    save_real_grid(args.figures, source, split, seed)
                except Exception as exc:  # figures never cost a row
                    _log(f"warning: real-image grid failed: {exc!r}")
            for name in args.samplers:
                key = (source.name, seed, name, args.profile, bool(args.quick),
                       tuple(classifier_seed_list(seed, args)))
                if key in done:
                    _log(f"seed {seed} {name}: already in {out}, skipped")
                    continue
                params = sampler_params(name, args.quick, overrides, args.dataset)
                try:
                    row, sampler, X_syn, y_syn = run_one(
                        source, split, seed, name, params, args, device)
                except KeyboardInterrupt:
                    _log("interrupted; rows written so far are in " + str(out))
                    return 130
                except Exception as exc:
                    _log(f"seed {seed} {name}: FAILED: {exc!r}")
                    traceback.print_exc(file=sys.stderr)
                    failures.append((seed, name, repr(exc)))
                    continue
                fh.write(json.dumps(row) + "\n")
                fh.flush()
                rows.append(row)
                _log(f"seed {seed} {name}: acc {row['accuracy']:.2f}  f1 {row['f1']:.2f}  "
                     f"fit {row['fit_seconds']:.1f}s  classifier {row['classifier_seconds']:.1f}s"
                     + (f"  [{row['note']}]" if "note" in row else ""))
                if args.figures:
                    try:
                        save_figures(args.figures, source, split, seed, name,
                                     sampler, X_syn, y_syn)
                    except Exception as exc:
                        _log(f"warning: figures of {name} failed: {exc!r}")
    if rows:
        print(render_table(rows), end="")
        if args.figures:
            try:
                save_cnn_spread(args.figures, rows)
            except Exception as exc:  # figures never cost a row
                _log(f"warning: the CNN spread figure failed: {exc!r}")
    if failures:
        _log("failed rows: " + "; ".join(f"seed {s} {n}: {e}" for s, n, e in failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
