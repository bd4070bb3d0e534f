"""The other over-samplers MEDA_LUDE is measured against."""

from ._augment import AugmentedOverSampler
from ._cvae import CVAESampler
from ._cvae_setred import CVAESeTredSampler
from ._deepsmote import DeepSMOTESampler
from ._mgvae import MGVAESampler

__all__ = [
    "AugmentedOverSampler",
    "CVAESampler",
    "CVAESeTredSampler",
    "DeepSMOTESampler",
    "MGVAESampler",
]
