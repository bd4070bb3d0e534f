"""The data protocol: pool, test set, imbalanced training set, validation set.

The training pool is the official training set (MNIST, Fashion-MNIST,
CIFAR-10) or, for data without an official split (``digits``, ``folder``), what
is left after a fixed test set is held out (drawn once with seed 0, the same for
every experiment seed): 50 images per class for digits, 20 % of each class for
a folder. The validation set (``--val-per-class``; default 400 per class, as in
the paper, 20 for digits, a tenth of the smallest pooled class for a folder) is
drawn from the pool outside the training set, by the seed. The test set is the
official one (balanced) for idx data and CIFAR-10.

Profiles (``--profile``)
------------------------
``paper``
    MEDA_LUDE (Section IV of the paper): the minority classes are
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

Quick mode (``--quick``)
------------------------
A smoke-test configuration meant to finish on 2 CPU cores in a few minutes
(``QUICK`` in :mod:`benchmarks.config`); it changes exactly these things:

* training counts are scaled so that the largest class has at most 500 images
  (MNIST paper profile: 10 / 500 instead of 50 / 5000), keeping at least 10
  per class (SMOTE and ADASYN need 6) unless the profile asked for fewer;
* validation: at most 50 images per class;
* test: a stratified subset of at most 2000 images (fixed, seed 0);
* the final CNN trains 5 epochs instead of 30, or more where 5 epochs would
  be fewer than 200 Adam updates (digits: 25 to 40 epochs;
  :func:`benchmarks.runner.classifier_epochs`);
* the generative samplers use the ``"quick"`` parameters of
  ``SAMPLER_PARAMS`` (``--help`` prints the current values);
* only the first default seed is run (unless ``--seeds`` is given).

Everything else - the protocol, the classifier, the metrics - is unchanged, so
quick numbers are comparable with each other but not with full runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from benchmarks.config import (
    CLASS_NAMES,
    DATASETS,
    DIGITS_TEST_PER_CLASS,
    FOLDER_TEST_FRACTION,
    PAPER_COUNTS,
    QUICK,
    VAL_PER_CLASS,
)
from imblearn_meda import datasets


@dataclass
class Source:
    """A loaded data set: the training pool and the test set.

    Images are ``(n, C, H, W)`` on their original pixel scale.
    """

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
    """Load a data set as a :class:`Source` (pool + test).

    Parameters
    ----------
    dataset : str
        One of ``DATASETS``.
    data_dir : str or None
        Where the files are; digits needs none, Fashion-MNIST defaults to the
        installed copy.
    folder_side : int
        ``folder``: images resized to ``folder_side x folder_side``.
    folder_grey : bool
        ``folder``: load one grey channel.

    Returns
    -------
    Source

    Raises
    ------
    SystemExit
        For an unknown data set or a missing ``data_dir``.
    """
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
    """Training count per class of ``profile``, and the minority classes.

    Parameters
    ----------
    profile : str
        ``paper``, ``gamo``, ``exp:RATIO`` or ``counts:n0,n1,...``.
    source : Source
    seed : int
        Picks the minority classes of the paper profile.
    n_val : int
        Validation images per class (a folder's counts leave room for them).

    Returns
    -------
    counts : dict
        ``{class: training count}``.
    minority : list of int
        The classes below the largest count.
    """
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
    """Scale ``counts`` down as ``--quick`` does (see ``QUICK``).

    The largest class gets at most ``QUICK["max_train_per_class"]`` images;
    no class drops below ``QUICK["min_train_per_class"]`` unless it asked for
    fewer.
    """
    top = max(counts.values())
    factor = min(1.0, QUICK["max_train_per_class"] / top) if top else 1.0
    floor = QUICK["min_train_per_class"]
    return {c: max(min(n, floor), int(round(n * factor))) for c, n in counts.items()}


def make_split(source, seed, profile, quick, val_per_class=None, max_test=None):
    """Build the :class:`Split` of one experiment.

    Parameters
    ----------
    source : Source
    seed : int
        Draws the minority classes, the training and the validation images.
    profile : str
        See :func:`profile_counts`.
    quick : bool
        Apply the ``--quick`` reductions.
    val_per_class : int or None
        Validation images per class (None: the data set's default).
    max_test : int or None
        A stratified test subset of at most this many images (None: all, or
        ``QUICK["max_test"]`` when quick; 0: all).

    Returns
    -------
    Split
    """
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


def draw_balanced(source, split, seed):
    """Real-image ceiling: lift every class to the majority count from the pool.

    Parameters
    ----------
    source : Source
    split : Split
        Its ``rest_idx`` are the pool images neither trained nor validated on.
    seed : int

    Returns
    -------
    X, y : ndarray
        The training set followed by the extra real images.
    note : str or None
        None when every class could be filled, else what was short.
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
