"""imblearn-meda: image over-sampling with MEDA_LUDE for imbalanced-learn pipelines.

The samplers follow imbalanced-learn's over-sampler API, so they drop into an
``imblearn.pipeline.Pipeline`` in place of SMOTE:

- :class:`MEDALUDESampler`: the MEDA_LUDE method (L-GM autoencoder, four
  phases, evolution of each class's latent Gaussian);
- :class:`CVAESampler`: conditional-VAE over-sampler (baseline);
- :class:`CVAESeTredSampler`: CVAE_SeTred, the same authors' earlier
  self-transferred conditional VAE (baseline);
- :class:`DeepSMOTESampler`: SMOTE in an autoencoder's latent space (baseline);
- :class:`MGVAESampler`: the majority-guided VAE (baseline);
- :class:`AugmentedOverSampler`: random over-sampling of shifted (and
  mirrored) copies (baseline).

The samplers are imported on first use, so that ``imblearn_meda.datasets``
and ``imblearn_meda.metrics`` load without torch.
"""

import importlib

__version__ = "0.2.0.dev0"

#: Public name -> module that defines it (imported on first access).
_LAZY = {
    "MEDALUDESampler": ".meda",
    "AugmentedOverSampler": ".baselines",
    "CVAESampler": ".baselines",
    "CVAESeTredSampler": ".baselines",
    "DeepSMOTESampler": ".baselines",
    "MGVAESampler": ".baselines",
    "show_versions": "._show_versions",
}

__all__ = [
    "AugmentedOverSampler",
    "CVAESampler",
    "CVAESeTredSampler",
    "DeepSMOTESampler",
    "MEDALUDESampler",
    "MGVAESampler",
    "show_versions",
    "__version__",
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
