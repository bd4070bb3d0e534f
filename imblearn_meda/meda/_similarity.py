"""Average hash (aHash) and pairwise similarity, in batch on the device.

Phase 4 scores every synthetic image by its aHash similarity to real images
of its class (the paper's ref. [28]). ``imagehash.average_hash`` does one PIL
image at a time; this module does the same arithmetic for a whole batch with
tensor operations:

1. grey level as PIL's ``convert("L")`` computes it
   (``(19595 R + 38470 G + 7471 B + 2**15) >> 16`` on 8-bit values),
2. PIL's LANCZOS resize to ``hash_size x hash_size`` as two separable
   matrix products with PIL's own fixed-point coefficients (22 fractional
   bits) and its rounding of the first pass to 8 bits. Which pass comes first
   depends on the Pillow release and the image shape (recent releases
   resample tall images vertically first), so the order is found once per
   shape by resizing a probe image with the installed Pillow,
3. one bit per pixel: ``pixel > mean`` of the ``hash_size**2`` pixels.

The arithmetic is done in float64, where every intermediate is an exact
integer, so the bits match ``imagehash.average_hash`` on 8-bit images
(``tests/test_hashing.py`` checks this on real images).
"""

from __future__ import annotations

import math

import numpy as np
import torch

_PRECISION_BITS = 32 - 8 - 2  # PIL's fixed point for 8-bit images
_LANCZOS_SUPPORT = 3.0


def _sinc(x):
    if x == 0.0:
        return 1.0
    x *= math.pi
    return math.sin(x) / x


def _lanczos(x):
    if -_LANCZOS_SUPPORT <= x < _LANCZOS_SUPPORT:
        return _sinc(x) * _sinc(x / _LANCZOS_SUPPORT)
    return 0.0


def resize_matrix(in_size, out_size):
    """PIL's LANCZOS resampling of one axis as an (out, in) integer matrix.

    Entries are PIL's fixed-point coefficients (scaled by ``2**22``).
    """
    scale = in_size / out_size
    filterscale = max(scale, 1.0)
    support = _LANCZOS_SUPPORT * filterscale
    mat = np.zeros((out_size, in_size), dtype=np.float64)
    for xx in range(out_size):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size)
        w = np.array(
            [_lanczos((x - center + 0.5) / filterscale) for x in range(xmin, xmax)]
        )
        total = w.sum()
        if total != 0.0:
            w = w / total
        fixed = np.where(
            w < 0,
            np.trunc(-0.5 + w * (1 << _PRECISION_BITS)),
            np.trunc(0.5 + w * (1 << _PRECISION_BITS)),
        )
        mat[xx, xmin:xmax] = fixed
    return mat


def _apply(mat, x, axis_last):
    """Resample the last axis (``axis_last``) or the second to last, PIL-rounded."""
    if axis_last:
        out = x @ mat.T
    else:
        out = mat @ x
    out = torch.floor((out + (1 << (_PRECISION_BITS - 1))) / (1 << _PRECISION_BITS))
    return out.clamp_(0, 255)


def _pil_vertical_first(h, w, hash_size, mat_h, mat_w, tries=8):
    """Whether the installed Pillow resamples an (h, w) image vertically first.

    Both orders are computed on random probe images and compared with
    Pillow's own LANCZOS resize; the first probe where only one order agrees
    decides. Where none decides, the orders agree on every probe and either
    is right.
    """
    from PIL import Image

    rng = np.random.default_rng(0)
    for _ in range(tries):
        img = rng.integers(0, 256, (h, w), dtype=np.uint8)
        ref = np.asarray(
            Image.fromarray(img).resize((hash_size, hash_size), Image.LANCZOS),
            dtype=np.float64,
        )
        x = torch.as_tensor(img, dtype=torch.float64)[None]
        h_first = _apply(mat_h, _apply(mat_w, x, True), False)[0].numpy()
        v_first = _apply(mat_w, _apply(mat_h, x, False), True)[0].numpy()
        h_ok, v_ok = np.array_equal(h_first, ref), np.array_equal(v_first, ref)
        if h_ok != v_ok:
            return v_ok
    return False


class AverageHasher:
    """Batch aHash of images of one shape.

    Parameters
    ----------
    image_shape : (C, H, W)
        C is 1 (grey) or 3 (RGB); other channel counts are averaged to grey.
    device : torch.device
    hash_size : int, default=8
    """

    def __init__(self, image_shape, device, hash_size=8):
        c, h, w = image_shape
        self.channels = c
        self.hash_size = hash_size
        self.device = device
        self.mat_w = (
            None if w == hash_size
            else torch.as_tensor(resize_matrix(w, hash_size), device=device)
        )
        self.mat_h = (
            None if h == hash_size
            else torch.as_tensor(resize_matrix(h, hash_size), device=device)
        )
        self.vertical_first = False
        if self.mat_w is not None and self.mat_h is not None:
            self.vertical_first = _pil_vertical_first(
                h, w, hash_size, self.mat_h.cpu(), self.mat_w.cpu()
            )

    def grey8(self, images):
        """8-bit grey levels (float64 holding integers) of [0, 1] images (n, C, H, W)."""
        x8 = torch.round(images.to(torch.float64).clamp(0, 1) * 255.0)
        if self.channels == 1:
            return x8[:, 0]
        if self.channels == 3:
            r, g, b = x8[:, 0], x8[:, 1], x8[:, 2]
            return torch.floor((19595 * r + 38470 * g + 7471 * b + 32768) / 65536)
        return torch.round(x8.mean(dim=1))

    def hash(self, images):
        """Bits (n, hash_size**2) as a bool tensor, for images in [0, 1]."""
        x = self.grey8(images)
        if self.vertical_first:
            x = _apply(self.mat_w, _apply(self.mat_h, x, axis_last=False),
                       axis_last=True)
        else:
            if self.mat_w is not None:
                x = _apply(self.mat_w, x, axis_last=True)
            if self.mat_h is not None:
                x = _apply(self.mat_h, x, axis_last=False)
        flat = x.reshape(x.shape[0], -1)
        return flat > flat.mean(dim=1, keepdim=True)


def hash_similarity(bits_a, bits_b):
    """Pairwise ``1 - Hamming / n_bits`` between two sets of hashes (n, m)."""
    a = bits_a.to(torch.float32)
    b = bits_b.to(torch.float32)
    n_bits = a.shape[1]
    hamming = a @ (1.0 - b).T + (1.0 - a) @ b.T
    return 1.0 - hamming / n_bits


def euclidean_similarity(x_a, x_b):
    """Pairwise ``1 / (1 + distance)`` for tabular samples (standardised features)."""
    return 1.0 / (1.0 + torch.cdist(x_a.flatten(1), x_b.flatten(1)))


def aggregate(sim, how):
    """One fitness per synthetic sample from its similarities to the real ones.

    ``"max"``: similarity to the nearest real sample (punishes near-copies);
    ``"mean"``: average similarity to the real sample.
    """
    if how == "max":
        return sim.max(dim=1).values
    return sim.mean(dim=1)
