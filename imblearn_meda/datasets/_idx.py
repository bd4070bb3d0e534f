"""idx files (MNIST, Fashion-MNIST): images and labels, gzipped or not."""

from __future__ import annotations

import gzip
import os

import numpy as np

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
