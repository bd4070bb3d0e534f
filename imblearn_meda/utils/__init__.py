"""Shared helpers of the samplers: input shapes, scaling, devices and seeding."""

from ._device import check_cuda_pickle, resolve_device, seed_from, seeded
from ._scaling import Scaler, cast_like
from ._validation import MIN_AUTO_SIDE, resolve_image_shape

__all__ = [
    "MIN_AUTO_SIDE",
    "Scaler",
    "cast_like",
    "check_cuda_pickle",
    "resolve_device",
    "resolve_image_shape",
    "seed_from",
    "seeded",
]
