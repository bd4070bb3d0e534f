"""Input shapes: which rows of ``X`` are images, and of which shape.

Every sampler of this package takes a 2-D ``(n_samples, n_features)`` matrix
as pipelines pass it, or image arrays ``(n, H, W)`` / ``(n, C, H, W)``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

#: Smallest square side that ``image_shape="auto"`` reads as a grey image.
#: 8 is the side of scikit-learn's digits; below it (4, 9 or 16 features)
#: the data is far more likely tabular than a 3x3 picture.
MIN_AUTO_SIDE = 8


def resolve_image_shape(image_shape, n_features, input_shape=None):
    """Return ``(C, H, W)`` for image data, or ``None`` for tabular data.

    Parameters
    ----------
    image_shape : "auto", None or tuple of int
        The sampler's parameter. ``None`` forces tabular networks.
    n_features : int
        Number of features of the flattened input.
    input_shape : tuple of int or None
        ``X.shape[1:]`` when ``X`` was given as a 3-D or 4-D array.
    """
    if input_shape is not None:
        shape = (1, *input_shape) if len(input_shape) == 2 else tuple(input_shape)
        if image_shape not in ("auto", None) and tuple(image_shape) != shape:
            raise ValueError(
                f"image_shape={tuple(image_shape)} does not match the shape of the "
                f"images in X, {shape}."
            )
        return tuple(int(s) for s in shape)
    if image_shape is None:
        return None
    if isinstance(image_shape, str):
        side = math.isqrt(n_features)
        if side * side == n_features and side >= MIN_AUTO_SIDE:
            return (1, side, side)
        return None
    shape = tuple(image_shape)
    if len(shape) == 2:
        shape = (1, *shape)
    if len(shape) != 3 or not all(
        isinstance(s, numbers.Integral) and s > 0 for s in shape
    ):
        raise ValueError(
            "image_shape must be (H, W) or (C, H, W) with positive integers, "
            f"got {image_shape!r}."
        )
    if int(np.prod(shape)) != n_features:
        raise ValueError(
            f"image_shape={shape} holds {int(np.prod(shape))} values, but X has "
            f"{n_features} features per sample."
        )
    return tuple(int(s) for s in shape)
