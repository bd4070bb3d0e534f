"""Class-imbalance protocols: which classes are minorities, how many
images each class keeps, and the training / validation split."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np
from sklearn.utils import check_random_state


def _check_nonneg_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return int(value)


def paper_minority_classes(seed, n_classes=10, n_minority=5):
    """Minority classes of the MEDA_LUDE protocol for one seed.

    Gives the same classes as ``np.random.seed(seed);
    np.random.permutation(n_classes)[:n_minority]`` but leaves numpy's global
    random state alone.

    Parameters
    ----------
    seed : int
        Seed of the experiment.
    n_classes : int, default=10
        Number of classes ``K``.
    n_minority : int, default=5
        Number of minority classes ``m``.

    Returns
    -------
    classes : list of int
        The ``n_minority`` minority classes, in permutation order.

    Examples
    --------
    >>> paper_minority_classes(0)
    [2, 8, 4, 9, 1]
    >>> paper_minority_classes(1)
    [2, 9, 6, 4, 0]
    """
    n_classes = _check_nonneg_int(n_classes, "n_classes")
    n_minority = _check_nonneg_int(n_minority, "n_minority")
    if n_minority > n_classes:
        raise ValueError(
            f"n_minority ({n_minority}) cannot exceed n_classes ({n_classes})"
        )
    perm = np.random.RandomState(seed).permutation(n_classes)
    return [int(c) for c in perm[:n_minority]]


_GAMO_COUNTS = (4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40)


def gamo_counts():
    """Per-class training counts of the GAMO / DeepSMOTE protocol.

    Class ``c`` of MNIST or Fashion-MNIST keeps ``gamo_counts()[c]`` training
    images (imbalance ratio 100).

    Returns
    -------
    counts : list of int
        ``[4000, 2000, 1000, 750, 500, 350, 200, 100, 60, 40]``.
    """
    return list(_GAMO_COUNTS)


def exponential_counts(n_max, imbalance_ratio, n_classes):
    """Long-tail per-class counts decaying exponentially.

    Class ``i`` gets ``n_max * imbalance_ratio ** (-i / (n_classes - 1))``
    samples, rounded half up, and at least one.

    Parameters
    ----------
    n_max : int
        Count of the largest class (class 0).
    imbalance_ratio : float
        Ratio of the largest to the smallest count, ``>= 1``.
    n_classes : int
        Number of classes.

    Returns
    -------
    counts : list of int
        Non-increasing counts; the first is ``n_max`` and the last
        ``n_max / imbalance_ratio`` rounded (but at least 1).

    Examples
    --------
    >>> exponential_counts(1000, 100, 3)
    [1000, 100, 10]
    """
    n_max = _check_nonneg_int(n_max, "n_max")
    n_classes = _check_nonneg_int(n_classes, "n_classes")
    if n_max < 1:
        raise ValueError(f"n_max must be >= 1, got {n_max}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be >= 1, got {n_classes}")
    ratio = float(imbalance_ratio)
    if not np.isfinite(ratio) or ratio < 1:
        raise ValueError(
            f"imbalance_ratio must be a finite number >= 1, got {imbalance_ratio!r}"
        )
    if n_classes == 1:
        return [n_max]
    exponents = np.arange(n_classes) / (n_classes - 1)
    raw = n_max * ratio ** (-exponents)
    raw[0] = n_max
    raw[-1] = n_max / ratio
    counts = np.floor(raw + 0.5).astype(np.int64)
    counts = np.maximum(counts, 1)
    return [int(c) for c in counts]


def _counts_as_dict(counts):
    if isinstance(counts, Mapping):
        items = counts.items()
    else:
        try:
            items = list(enumerate(counts))
        except TypeError:
            raise TypeError(
                "counts must be a dict {class: n} or a sequence indexed by class, "
                f"got {type(counts).__name__}"
            ) from None
    out = {}
    for cls, n in items:
        key = cls.item() if isinstance(cls, np.generic) else cls
        out[key] = _check_nonneg_int(
            n.item() if isinstance(n, np.generic) else n, f"counts[{key!r}]"
        )
    return out


def make_imbalance_split(y, counts, n_val_per_class=0, random_state=None):
    """Draw an imbalanced training set and a validation set from labels.

    For each class ``c``, ``counts[c]`` indices of that class are drawn for
    training and ``n_val_per_class`` further indices, from the rest of the
    class, for validation.  The two sets never overlap.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of the pool to draw from (typically the official training set).
    counts : dict or sequence of int
        Training count per class: a dict ``{class: n}``, or a sequence where
        ``counts[c]`` is the count of class ``c`` (classes ``0 .. len-1``).
        Every class present in ``y`` must be given a count (0 drops it from the
        training set).
    n_val_per_class : int, default=0
        Validation count for every class in ``counts``.
    random_state : int, RandomState instance or None, default=None
        Passed to :func:`sklearn.utils.check_random_state`.  ``None`` uses a
        fresh, unseeded generator, so numpy's global random state is never
        read or advanced.

    Returns
    -------
    train_idx : ndarray of int64
        Sorted indices into ``y`` of the training set.
    val_idx : ndarray of int64
        Sorted indices into ``y`` of the validation set (empty when
        ``n_val_per_class`` is 0).

    Raises
    ------
    ValueError
        If a class has fewer samples than ``counts[c] + n_val_per_class``, or a
        class of ``y`` has no count.

    Examples
    --------
    >>> y = np.repeat([0, 1], 10)
    >>> tr, va = make_imbalance_split(y, {0: 8, 1: 2}, n_val_per_class=2,
    ...                               random_state=0)
    >>> np.bincount(y[tr]).tolist(), np.bincount(y[va]).tolist()
    ([8, 2], [2, 2])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-d, got shape {y.shape}")
    n_val = _check_nonneg_int(n_val_per_class, "n_val_per_class")
    wanted = _counts_as_dict(counts)
    present = np.unique(y)
    missing = [c.item() for c in present if c.item() not in wanted]
    if missing:
        raise ValueError(
            f"no training count given for class(es) {missing} present in y"
        )
    if random_state is None:
        rng = np.random.RandomState()
    else:
        rng = check_random_state(random_state)
    train_parts, val_parts = [], []
    try:
        order = sorted(wanted)
    except TypeError:  # labels of mixed types
        order = list(wanted)
    for cls in order:
        n_train = wanted[cls]
        members = np.flatnonzero(y == cls)
        needed = n_train + n_val
        if members.size < needed:
            raise ValueError(
                f"class {cls!r} has {members.size} samples but {needed} are asked "
                f"for ({n_train} training + {n_val} validation)"
            )
        chosen = rng.permutation(members)
        train_parts.append(chosen[:n_train])
        val_parts.append(chosen[n_train:needed])
    empty = np.empty(0, dtype=np.int64)
    train_idx = np.sort(np.concatenate(train_parts or [empty])).astype(np.int64)
    val_idx = np.sort(np.concatenate(val_parts or [empty])).astype(np.int64)
    return train_idx, val_idx


def paper_counts(y_classes, seed, n_minority=5, minority_count=50, majority_count=5000):
    """Per-class training counts of the MEDA_LUDE protocol.

    The minority classes are those of :func:`paper_minority_classes` (taken as
    positions in the sorted list of classes); they get ``minority_count``
    samples and every other class ``majority_count``.  The defaults are the
    MNIST setting (50 / 5000); CIFAR-10 uses ``minority_count=45,
    majority_count=4500``.

    Parameters
    ----------
    y_classes : array-like
        The class labels, or a label vector (its distinct values are used).
    seed : int
        Seed of the experiment.
    n_minority : int, default=5
        Number of minority classes.
    minority_count : int, default=50
        Training count of each minority class.
    majority_count : int, default=5000
        Training count of each majority class.

    Returns
    -------
    counts : dict
        ``{class: count}`` for every class, ready for
        :func:`make_imbalance_split`.

    Examples
    --------
    >>> c = paper_counts(range(10), seed=0)
    >>> sorted(k for k, v in c.items() if v == 50)
    [1, 2, 4, 8, 9]
    """
    classes = np.unique(np.asarray(y_classes))
    minority_count = _check_nonneg_int(minority_count, "minority_count")
    majority_count = _check_nonneg_int(majority_count, "majority_count")
    minority_pos = set(paper_minority_classes(seed, len(classes), n_minority))
    return {
        c.item(): (minority_count if i in minority_pos else majority_count)
        for i, c in enumerate(classes)
    }
