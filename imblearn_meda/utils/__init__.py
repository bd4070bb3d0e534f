"""Shared helpers of the samplers: input shapes, scaling, devices and seeding."""

from ._device import (
    SUPPORTED_DEVICES,
    check_cuda_pickle,
    check_device,
    resolve_device,
    resolve_n_threads,
    seed_from,
    seeded,
    torch_threads,
)
from ._scaling import Scaler, cast_like
from ._validation import MIN_AUTO_SIDE, resolve_image_shape

__all__ = [
    "SUPPORTED_DEVICES",
    "check_device",
    "resolve_n_threads",
    "torch_threads",
    "MIN_AUTO_SIDE",
    "Scaler",
    "cast_like",
    "check_cuda_pickle",
    "resolve_device",
    "resolve_image_shape",
    "seed_from",
    "seeded",
]
