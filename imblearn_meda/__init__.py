"""imblearn-meda: image over-sampling with MEDA_LUDE for imbalanced-learn pipelines.

The samplers follow imbalanced-learn's over-sampler API, so they drop into an
``imblearn.pipeline.Pipeline`` in place of SMOTE:

- :class:`MEDALUDESampler`: the MEDA_LUDE method (L-GM autoencoder, four
  phases, evolution of each class's latent Gaussian);
- :class:`CVAESampler`: conditional-VAE over-sampler (baseline);
- :class:`DeepSMOTESampler`: SMOTE in an autoencoder's latent space (baseline);
- :class:`AugmentedOverSampler`: random over-sampling of shifted (and
  mirrored) copies (baseline).
"""

from ._augment import AugmentedOverSampler
from ._cvae import CVAESampler
from ._deepsmote import DeepSMOTESampler
from ._sampler import MEDALUDESampler
from ._show_versions import show_versions

__version__ = "0.1.0"

__all__ = [
    "AugmentedOverSampler",
    "CVAESampler",
    "DeepSMOTESampler",
    "MEDALUDESampler",
    "show_versions",
    "__version__",
]
