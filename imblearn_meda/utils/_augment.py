"""Label-preserving image augmentation: whole-pixel shifts and mirroring."""

from __future__ import annotations

import numpy as np


def auto_shift(image_shape):
    """Largest shift for ``max_shift='auto'``: one pixel per 14 of the
    shorter side, rounded, at least 1 (8x8: 1, 28x28: 2, 32x32: 2)."""
    return max(1, round(min(image_shape[1:]) / 14))


def shift_and_flip(images, shifts, flips, padding="edge"):
    """Move each image by whole pixels and mirror some of them left-right.

    Parameters
    ----------
    images : ndarray of shape (n, C, H, W)
    shifts : ndarray of int, shape (n, 2)
        ``(dy, dx)`` per image; positive moves the content down / right.
    flips : ndarray of bool, shape (n,)
        Mirror these images left-right (before shifting).
    padding : {'edge', 'constant'}, default='edge'
        What fills the pixels uncovered by a shift: the nearest border pixel,
        or the smallest value of ``images``.

    Returns
    -------
    ndarray of the same shape and dtype as ``images``.
    """
    images = np.asarray(images)
    n, _, h, w = images.shape
    out = np.where(flips[:, None, None, None], images[..., ::-1], images)
    s = int(np.abs(shifts).max()) if n else 0
    if s == 0:
        return np.ascontiguousarray(out)
    pad = ((0, 0), (0, 0), (s, s), (s, s))
    if padding == "constant":
        padded = np.pad(out, pad, mode="constant", constant_values=images.min())
    else:
        padded = np.pad(out, pad, mode="edge")
    rows = (s - shifts[:, 0])[:, None] + np.arange(h)[None, :]  # (n, H)
    cols = (s - shifts[:, 1])[:, None] + np.arange(w)[None, :]  # (n, W)
    idx = np.arange(n)[:, None, None, None]
    ch = np.arange(images.shape[1])[None, :, None, None]
    return padded[idx, ch, rows[:, None, :, None], cols[:, None, None, :]]
