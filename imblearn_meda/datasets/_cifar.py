"""CIFAR-10 python batches, read without unpickling anything but arrays."""

from __future__ import annotations

import os
import pickle

import numpy as np


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
