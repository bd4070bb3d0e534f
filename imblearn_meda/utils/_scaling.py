"""The pixel (or feature) scale the networks work on, and back.

A sampler learns the value range from ``X`` and hands back new samples on
that same range and in that same dtype family.
"""

from __future__ import annotations

import numpy as np


class Scaler:
    """Map X to the scale the networks work on, and back.

    Images: one global range ``[min, max]`` of X maps to ``[0, 1]`` (decoders
    end in a sigmoid), whatever the input scale: uint8 0-255, float 0-1,
    digits 0-16. Tabular data: standardised per feature; outputs are clipped to
    each feature's observed range so that no new sample leaves it.
    """

    def __init__(self, X, is_image):
        X = np.asarray(X, dtype=np.float64)
        self.is_image = is_image
        self.dtype = None
        if is_image:
            self.low = float(X.min())
            self.high = float(X.max())
            span = self.high - self.low
            self.offset = self.low
            self.scale = span if span > 0 else 1.0
        else:
            self.low = X.min(axis=0)
            self.high = X.max(axis=0)
            self.offset = X.mean(axis=0)
            std = X.std(axis=0)
            self.scale = np.where(std > 0, std, 1.0)

    def to_net(self, X):
        return ((np.asarray(X, dtype=np.float64) - self.offset) / self.scale).astype(
            np.float32
        )

    def from_net(self, Z, dtype):
        X = np.asarray(Z, dtype=np.float64) * self.scale + self.offset
        X = np.clip(X, self.low, self.high)
        return cast_like(X, dtype)


def cast_like(X, dtype):
    """Cast float64 values to ``dtype``: rounded for integers, thresholded for bool."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return X >= 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(X), info.min, info.max).astype(dtype)
    return X.astype(dtype)
