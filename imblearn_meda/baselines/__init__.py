"""The other over-samplers MEDA_LUDE is measured against."""

from ._augment import AugmentedOverSampler
from ._cvae import CVAESampler
from ._cvae_setred import CVAESeTredSampler
from ._deepsmote import DeepSMOTESampler

__all__ = [
    "AugmentedOverSampler",
    "CVAESampler",
    "CVAESeTredSampler",
    "DeepSMOTESampler",
]
