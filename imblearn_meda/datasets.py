"""Loaders for image data sets and the class-imbalance protocols of the benchmarks.

Nothing in this module downloads anything: every loader reads files from a path
that the caller provides.  Images are returned channel-first, ``(n, C, H, W)``,
and labels as ``int64``.

The module also holds the helpers that turn a balanced data set into the
imbalanced training sets used by the published experiments:

* the MEDA_LUDE protocol, where ``m`` minority classes are drawn with
  ``np.random.seed(s); np.random.permutation(K)[:m]`` and every minority class
  keeps ``minority_count`` training images while every majority class keeps
  ``majority_count`` (see :func:`paper_minority_classes` and
  :func:`paper_counts`);
* the GAMO / DeepSMOTE protocol with fixed per-class counts
  (:func:`gamo_counts`);
* a generic long-tail profile (:func:`exponential_counts`).

:func:`make_imbalance_split` draws the training and validation indices for any
of these count profiles.

This module does not import torch.
"""

from __future__ import annotations

import gzip
import numbers
import os
import pickle
import warnings
from collections.abc import Mapping

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "read_idx",
    "load_idx",
    "default_fashion_mnist_dir",
    "load_cifar10",
    "load_image_folder",
    "load_digits_images",
    "paper_minority_classes",
    "gamo_counts",
    "exponential_counts",
    "make_imbalance_split",
    "paper_counts",
]

# ---------------------------------------------------------------------------
# idx files (MNIST, Fashion-MNIST)
# ---------------------------------------------------------------------------

# Type codes of the idx format (third byte of the magic number), stored
# big-endian in the file.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

# For each of the four parts, the stems accepted on disk (the second one is
# the dotted spelling some mirrors use).  Each stem may also end in ".gz".
_IDX_PARTS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}

_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def _read_maybe_gzip(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read()


def read_idx(path):
    """Read one file in the idx format.

    The header is parsed rather than skipped: two zero bytes, one byte giving
    the element type, one byte giving the number of dimensions, then one
    big-endian ``uint32`` per dimension.  The rest of the file must hold
    exactly the number of elements the dimensions announce.

    Parameters
    ----------
    path : str or path-like
        File to read.  A name ending in ``.gz`` is decompressed with gzip.

    Returns
    -------
    array : ndarray
        Array of the shape given in the header, in native byte order.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the header is malformed or the payload size does not match it.
    """
    path = os.fspath(path)
    try:
        raw = _read_maybe_gzip(path)
    except (OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(f"cannot read idx file {path!r}: {exc}") from exc
    if len(raw) < 4:
        raise ValueError(
            f"corrupt idx file {path!r}: {len(raw)} bytes, too short for a header"
        )
    zero0, zero1, type_code, ndim = raw[0], raw[1], raw[2], raw[3]
    if zero0 != 0 or zero1 != 0:
        raise ValueError(
            f"corrupt idx file {path!r}: magic number must start with two zero "
            f"bytes, got {raw[:4].hex()}"
        )
    if type_code not in _IDX_DTYPES:
        raise ValueError(
            f"corrupt idx file {path!r}: unknown element type code 0x{type_code:02x}"
        )
    if ndim == 0:
        raise ValueError(f"corrupt idx file {path!r}: zero dimensions in header")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(
            f"corrupt idx file {path!r}: header announces {ndim} dimensions but "
            f"the file has only {len(raw)} bytes"
        )
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[type_code]
    n_items = int(np.prod(dims, dtype=np.int64))
    expected = header_len + n_items * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"corrupt idx file {path!r}: header announces shape {dims} "
            f"({expected} bytes in all) but the file has {len(raw)} bytes"
        )
    data = np.frombuffer(raw, dtype=dtype, count=n_items, offset=header_len)
    return data.reshape(dims).astype(dtype.newbyteorder("="))


def _find_idx_file(data_dir, part):
    stems = _IDX_PARTS[part]
    for stem in stems:
        for suffix in ("", ".gz"):
            candidate = os.path.join(data_dir, stem + suffix)
            if os.path.isfile(candidate):
                return candidate
    raise FileNotFoundError(
        f"no {stems[0]} file (or {stems[0]}.gz, {stems[1]}, {stems[1]}.gz) "
        f"in directory {data_dir!r}"
    )


def _load_idx_pair(data_dir, images_part, labels_part):
    images_path = _find_idx_file(data_dir, images_part)
    labels_path = _find_idx_file(data_dir, labels_part)
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3:
        raise ValueError(
            f"{images_path!r} should hold a 3-d array (n, height, width), "
            f"header gives shape {images.shape}"
        )
    if images.dtype != np.uint8:
        raise ValueError(
            f"{images_path!r} should hold unsigned bytes, header gives {images.dtype}"
        )
    if labels.ndim != 1:
        raise ValueError(
            f"{labels_path!r} should hold a 1-d array of labels, header gives "
            f"shape {labels.shape}"
        )
    if labels.shape[0] != images.shape[0]:
        raise ValueError(
            f"count mismatch: {images_path!r} holds {images.shape[0]} images "
            f"but {labels_path!r} holds {labels.shape[0]} labels"
        )
    X = np.ascontiguousarray(images[:, None, :, :], dtype=np.uint8)
    y = labels.astype(np.int64)
    return X, y


def load_idx(data_dir):
    """Load an MNIST-style data set stored as four idx files.

    Parameters
    ----------
    data_dir : str or path-like
        Directory holding ``train-images-idx3-ubyte``,
        ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
        ``t10k-labels-idx1-ubyte``.  Each may be gzip-compressed (``.gz``
        suffix) and may use the dotted spelling ``train-images.idx3-ubyte``.

    Returns
    -------
    X_train : ndarray of uint8, shape (n_train, 1, H, W)
    y_train : ndarray of int64, shape (n_train,)
    X_test : ndarray of uint8, shape (n_test, 1, H, W)
    y_test : ndarray of int64, shape (n_test,)

    Raises
    ------
    FileNotFoundError
        If the directory or one of the four files is missing; the message names
        the directory and the file.
    ValueError
        If a header is corrupt, the payload does not match the header, or the
        numbers of images and labels differ.

    Examples
    --------
    >>> X_train, y_train, X_test, y_test = load_idx(
    ...     "/usr/share/datasets/fashion-mnist")  # doctest: +SKIP
    >>> X_train.shape  # doctest: +SKIP
    (60000, 1, 28, 28)
    """
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"idx data directory {data_dir!r} does not exist")
    X_train, y_train = _load_idx_pair(data_dir, "train_images", "train_labels")
    X_test, y_test = _load_idx_pair(data_dir, "test_images", "test_labels")
    return X_train, y_train, X_test, y_test


def default_fashion_mnist_dir():
    """Return the local Fashion-MNIST directory if this machine has one.

    Returns
    -------
    path : str or None
        ``"/usr/share/datasets/fashion-mnist"`` when that directory exists,
        otherwise ``None``.
    """
    return _FASHION_MNIST_DIR if os.path.isdir(_FASHION_MNIST_DIR) else None


# ---------------------------------------------------------------------------
# CIFAR-10 (python pickle batches)
# ---------------------------------------------------------------------------


def _allowed_pickle_globals():
    import codecs

    try:
        from numpy._core import multiarray as _multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray as _multiarray
    reconstruct = _multiarray._reconstruct
    scalar = getattr(_multiarray, "scalar", None)
    allowed = {
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): codecs.encode,
    }
    if scalar is not None:
        allowed[("numpy.core.multiarray", "scalar")] = scalar
        allowed[("numpy._core.multiarray", "scalar")] = scalar
    return allowed


class _ArrayOnlyUnpickler(pickle.Unpickler):
    """Unpickler that only rebuilds plain containers and numpy arrays.

    The CIFAR-10 batches are pickles; refusing every other global keeps a
    tampered file from running code on load.
    """

    _allowed = None

    def find_class(self, module, name):
        if _ArrayOnlyUnpickler._allowed is None:
            _ArrayOnlyUnpickler._allowed = _allowed_pickle_globals()
        try:
            return _ArrayOnlyUnpickler._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a CIFAR-10 batch file"
            ) from None


def _read_cifar_batch(path):
    try:
        with open(path, "rb") as f:
            batch = _ArrayOnlyUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as exc:
        raise ValueError(f"cannot read CIFAR-10 batch {path!r}: {exc}") from exc
    if not isinstance(batch, dict):
        raise ValueError(f"CIFAR-10 batch {path!r} does not hold a dict")
    # Batches written by Python 2 have bytes keys; ones written by Python 3
    # have str keys.
    keys = {(k.decode("latin1") if isinstance(k, bytes) else k): k for k in batch}
    for needed in ("data", "labels"):
        if needed not in keys:
            raise ValueError(f"CIFAR-10 batch {path!r} has no {needed!r} entry")
    data = np.asarray(batch[keys["data"]])
    labels = np.asarray(batch[keys["labels"]])
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(
            f"CIFAR-10 batch {path!r}: 'data' should have shape (n, 3072), "
            f"got {data.shape}"
        )
    if labels.ndim != 1 or labels.shape[0] != data.shape[0]:
        raise ValueError(
            f"CIFAR-10 batch {path!r}: {data.shape[0]} images but "
            f"{labels.size} labels"
        )
    X = data.astype(np.uint8, copy=False).reshape(-1, 3, 32, 32)
    return X, labels.astype(np.int64)


def load_cifar10(data_dir):
    """Load CIFAR-10 from its python pickle batches.

    Parameters
    ----------
    data_dir : str or path-like
        Directory holding ``data_batch_1`` ... ``data_batch_5`` and
        ``test_batch``, or the parent of such a ``cifar-10-batches-py``
        directory.

    Returns
    -------
    X_train : ndarray of uint8, shape (n_train, 3, 32, 32)
    y_train : ndarray of int64, shape (n_train,)
    X_test : ndarray of uint8, shape (n_test, 3, 32, 32)
    y_test : ndarray of int64, shape (n_test,)

    Raises
    ------
    FileNotFoundError
        If the directory or a batch file is missing.
    ValueError
        If a batch is not a CIFAR-10 batch.

    Notes
    -----
    The batches are read with an unpickler that only accepts numpy arrays and
    plain containers, so a tampered file cannot run code.
    """
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"CIFAR-10 directory {data_dir!r} does not exist")
    nested = os.path.join(data_dir, "cifar-10-batches-py")
    if not os.path.isfile(os.path.join(data_dir, "data_batch_1")) and os.path.isdir(
        nested
    ):
        data_dir = nested
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for name in names:
        if not os.path.isfile(os.path.join(data_dir, name)):
            raise FileNotFoundError(
                f"CIFAR-10 batch file {name!r} missing from directory {data_dir!r}"
            )
    train = [_read_cifar_batch(os.path.join(data_dir, n)) for n in names[:5]]
    X_test, y_test = _read_cifar_batch(os.path.join(data_dir, "test_batch"))
    X_train = np.concatenate([b[0] for b in train])
    y_train = np.concatenate([b[1] for b in train])
    return X_train, y_train, X_test, y_test


# ---------------------------------------------------------------------------
# folders of image files
# ---------------------------------------------------------------------------


def load_image_folder(path, side=64, grey=False):
    """Load images stored as one subfolder per class.

    Parameters
    ----------
    path : str or path-like
        Root directory.  Each subdirectory is a class, named after it; files
        directly under ``path`` are ignored.
    side : int, default=64
        Every image is resized (Pillow, LANCZOS) to ``side`` x ``side``.  The
        aspect ratio is not kept.
    grey : bool, default=False
        Convert to one grey channel instead of three RGB channels.

    Returns
    -------
    X : ndarray of uint8, shape (n, C, side, side)
        ``C`` is 1 when ``grey`` else 3.
    y : ndarray of int64, shape (n,)
        Index of each image's class in ``class_names``.
    class_names : list of str
        Subfolder names, sorted.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a directory or has no subdirectories.
    ValueError
        If a class folder holds no image Pillow can open, or ``side`` is not a
        positive integer.

    Warns
    -----
    UserWarning
        For each class folder with files Pillow cannot open (they are skipped).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(side, numbers.Integral) or isinstance(side, bool) or side < 1:
        raise ValueError(f"side must be a positive integer, got {side!r}")
    side = int(side)
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"image folder {root!r} does not exist")
    class_names = sorted(
        e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")
    )
    if not class_names:
        raise FileNotFoundError(
            f"image folder {root!r} has no class subdirectories"
        )
    mode = "L" if grey else "RGB"
    images, labels = [], []
    for label, name in enumerate(class_names):
        class_dir = os.path.join(root, name)
        files = sorted(e.name for e in os.scandir(class_dir) if e.is_file())
        skipped = []
        n_before = len(images)
        for fname in files:
            fpath = os.path.join(class_dir, fname)
            try:
                with Image.open(fpath) as img:
                    img = ImageOps.exif_transpose(img)
                    img = img.convert(mode)
                    img = img.resize((side, side), Image.Resampling.LANCZOS)
                    arr = np.asarray(img, dtype=np.uint8)
            except (UnidentifiedImageError, OSError, ValueError):
                skipped.append(fname)
                continue
            arr = arr[None, :, :] if grey else arr.transpose(2, 0, 1)
            images.append(arr)
            labels.append(label)
        if skipped:
            shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            warnings.warn(
                f"skipped {len(skipped)} file(s) in {class_dir!r} that are not "
                f"readable images: {shown}",
                UserWarning,
                stacklevel=2,
            )
        if len(images) == n_before:
            raise ValueError(f"class folder {class_dir!r} holds no readable images")
    X = np.stack(images).astype(np.uint8, copy=False)
    y = np.asarray(labels, dtype=np.int64)
    return X, y, class_names


def load_digits_images():
    """Return scikit-learn's 8x8 digits as images.

    Returns
    -------
    X : ndarray of float64, shape (1797, 1, 8, 8)
        Pixel values in [0, 16], exactly as :func:`sklearn.datasets.load_digits`
        gives them.
    y : ndarray of int64, shape (1797,)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64).reshape(-1, 1, 8, 8)
    y = np.asarray(digits.target, dtype=np.int64)
    return X, y


# ---------------------------------------------------------------------------
# imbalance protocols
# ---------------------------------------------------------------------------


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
