"""MEDA_LUDE, one module per concept of the paper.

- :mod:`._lgm`: the L-GM loss and the per-class Gaussian mixture (Eq. 5-16);
- :mod:`._phases`: Phases 1-3 (Eq. 17-24) and the mixture refit;
- :mod:`._evolution`: Phase 4, the evolution of each class's Gaussian
  (Eq. 25-28, Fig. 5), with its fitness;
- :mod:`._similarity`: the batched average hash and pairwise similarity;
- :mod:`._proposals`: the individuals Phase 4 evolves and synthesis emits;
- :mod:`._synthesis`: new samples from the evolved Gaussians;
- :mod:`._fit`: Algorithm 1 and the steps of a fit around it;
- :mod:`._sampler`: :class:`MEDALUDESampler`, its parameters.

Equation numbers are those of the paper (arXiv 2207.12744).
"""

from ._config import PAPER_SETTINGS
from ._sampler import MEDALUDESampler

__all__ = ["MEDALUDESampler", "PAPER_SETTINGS"]
