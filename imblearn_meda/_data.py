"""Input shapes, pixel scale in and out, devices and seeding.

Everything here is shared by the samplers of this package: they all take a
2-D ``(n_samples, n_features)`` matrix as pipelines pass it, or image arrays
``(n, H, W)`` / ``(n, C, H, W)``, learn the value range from ``X`` and hand
back new samples on that same range and in that same dtype family.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import warnings

import numpy as np
import torch

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


def resolve_device(device):
    """``"auto"`` -> CUDA when available, else CPU; otherwise a checked device."""
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a valid torch device.") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but CUDA is not available on this "
            "machine; use device='auto' or 'cpu'."
        )
    return dev


def seed_from(random_state):
    """An int seed for torch from a sampler's ``random_state``.

    ``None`` takes fresh OS entropy instead of drawing from numpy's global
    generator, so that fitting never moves the global numpy state.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] & 0x7FFFFFFF)
    if isinstance(random_state, numbers.Integral):
        return int(random_state) & 0x7FFFFFFF
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    raise ValueError(
        f"random_state={random_state!r} must be None, an int or a numpy RandomState."
    )


@contextlib.contextmanager
def seeded(seed, device):
    """Run a block with torch seeded by ``seed``, restoring the global RNG after.

    ``torch.random.fork_rng`` saves and restores the CPU generator (and the
    CUDA generator of ``device``), so a fit is reproducible for a given seed
    and the caller's own torch random stream is left exactly where it was.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        torch.manual_seed(seed)
        yield


def check_cuda_pickle(state, owner):
    """Move a pickled sampler's tensors to a device this machine has."""
    fitted_on = state.get("_fitted_device")
    if fitted_on is not None and fitted_on.startswith("cuda"):
        if torch.cuda.is_available():
            device = torch.device(fitted_on)
            if device.index is not None and device.index >= torch.cuda.device_count():
                return torch.device("cuda:0")
            return device
        warnings.warn(
            f"This {owner} was fitted on {fitted_on}, which this machine does not "
            "have; it was loaded on the CPU and will run there.",
            UserWarning,
            stacklevel=3,
        )
    return torch.device("cpu")
