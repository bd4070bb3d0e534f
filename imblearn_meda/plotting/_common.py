"""What the figures share: matplotlib on demand, image layout, labels."""

from __future__ import annotations

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "imblearn_meda.plotting needs matplotlib: pip install matplotlib"
        ) from exc
    return plt


def _as_nchw(X, image_shape=None):
    """Return images as an ``(n, C, H, W)`` float array.

    Accepts ``(n, C*H*W)`` with ``image_shape``, ``(n, H, W)``, ``(n, C, H, W)``
    and channel-last ``(n, H, W, C)`` with ``C`` in {1, 3, 4} when the second
    axis is not itself a plausible channel count.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(X.shape[1])))
            if side * side != X.shape[1]:
                raise ValueError(
                    f"cannot guess the image shape of {X.shape[1]} features; "
                    "pass image_shape=(C, H, W)"
                )
            image_shape = (1, side, side)
        shape = tuple(int(s) for s in image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        return X.reshape((X.shape[0], *shape))
    if X.ndim == 3:
        return X[:, None, :, :]
    if X.ndim == 4:
        if X.shape[1] not in (1, 3, 4) and X.shape[3] in (1, 3, 4):
            X = X.transpose(0, 3, 1, 2)
        return X
    raise ValueError(f"X must be 2-, 3- or 4-dimensional, got shape {X.shape}")


def _tile(img):
    """One ``(C, H, W)`` image in [0, 1] -> what ``imshow`` takes."""
    if img.shape[0] == 1:
        return img[0]
    return img[:3].transpose(1, 2, 0)


def _name(cls, class_names):
    if class_names is None:
        return cls.item() if isinstance(cls, np.generic) else cls
    try:
        return class_names[cls]
    except (KeyError, IndexError, TypeError):
        return cls
