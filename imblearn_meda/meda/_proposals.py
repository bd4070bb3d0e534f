"""Proposals: the individuals Phase 4 evolves and synthesis emits.

One function makes both, so that the evolution scores exactly what the
sampler returns. For one class, a :class:`LatentGaussian` holds a centre
``c``, a variance ``V`` per dimension, optionally the Cholesky factor ``L``
of a correlation matrix (``covariance='full'``; the identity otherwise) and
a guidance share ``w``; a proposal is a latent displacement
``d = c + sqrt(V) * u`` and

- ``synthesis='decode'`` (the paper's): the code ``f = d`` and the image
  ``G(f)``; ``(c, V)`` is the class's Gaussian ``(mu_k, sigma2_k)``;
- ``synthesis='residual'``: a real sample ``x_a`` of the class (an anchor)
  with code ``e_a``, the code ``f = e_a + d`` and the image
  ``x_a + G(f) - G(e_a)``; ``(c, V)`` is the Gaussian of the displacement
  from a real sample's code, so the codes are drawn from exactly the evolved
  distribution around each anchor. With neighbour interpolation ``lam``,
  the code also moves a uniform share ``t`` in ``[0, lam]`` of the way to
  one of the anchor's :data:`N_NEIGHBOURS` nearest anchors (latent
  distance): ``f = e_a + t (e_b - e_a) + d``, a step along the class's own
  variation, as SMOTE takes in feature space.

The unit-variance variation ``u`` is correlated noise ``L eps`` or, with
majority guidance, partly the deviation of a real majority sample from its
own class mean, standardised per dimension (``g``):
``u = sqrt(1 - w_i) L eps + sqrt(w_i) g``, with each individual's share
``w_i`` drawn around the class's ``w``. The majority's thousands of samples
show how a class varies (pose, thickness, contrast); carried to a minority
class they vary it in the same ways, which its few samples cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.covariance import ledoit_wolf

#: Standard deviation of each individual's guidance share around its class's.
GUIDANCE_SPREAD = 0.1

#: Nearest anchors of the same class that neighbour interpolation picks from.
N_NEIGHBOURS = 5


@dataclass
class LatentGaussian:
    """What Phase 4 evolves for one class."""

    center: torch.Tensor  # (h,)
    var: torch.Tensor  # (h,)
    guidance: float = 0.0
    tril: torch.Tensor | None = None  # (h, h) Cholesky factor of a correlation


@dataclass
class Batch:
    """Individuals: displacement ``d``, guidance share ``w``, code ``f`` and
    the anchor each one starts from (``None`` when decoding)."""

    d: torch.Tensor
    w: torch.Tensor
    f: torch.Tensor
    owner: torch.Tensor | None

    def __getitem__(self, index):
        return Batch(self.d[index], self.w[index], self.f[index],
                     None if self.owner is None else self.owner[index])

    def __len__(self):
        return self.d.shape[0]


@torch.no_grad()
def standardised_deviations(codes, y, classes, n_max=None):
    """Each code's deviation from its class mean, divided by the class's
    standard deviation per dimension, for the samples of ``classes``
    (at most ``n_max`` of them, drawn at random)."""
    parts = []
    for k in classes:
        z = codes[y == k]
        if z.shape[0] < 2:
            continue
        parts.append((z - z.mean(0)) / z.std(0, unbiased=False).clamp_min(1e-6))
    if not parts:
        return None
    g = torch.cat(parts)
    if n_max is not None and g.shape[0] > n_max:
        g = g[torch.randperm(g.shape[0], device=g.device)[:n_max]]
    return g


@torch.no_grad()
def correlation_factors(codes, y, n_classes):
    """Cholesky factors ``L_k`` of each class's correlation matrix of codes,
    shape ``(n_classes, h, h)``, for ``covariance='full'``.

    The correlation is estimated with Ledoit-Wolf shrinkage toward the
    identity (a class of 50 samples in a 32-d latent space gives a noisy or
    singular sample matrix), then rescaled to a unit diagonal, so that
    ``sqrt(V) * (L eps)`` keeps the variance ``V`` of every dimension. A
    class with fewer than two samples gets the identity.
    """
    h = codes.shape[1]
    out = np.tile(np.eye(h), (n_classes, 1, 1))
    for k in range(n_classes):
        z = codes[y == k].double().cpu().numpy()
        if z.shape[0] < 2:
            continue
        z = (z - z.mean(0)) / np.maximum(z.std(0), 1e-6)
        cov = ledoit_wolf(z, assume_centered=True)[0]
        d = np.sqrt(np.maximum(np.diag(cov), 1e-12))
        corr = cov / d[:, None] / d[None, :] + 1e-6 * np.eye(h)
        out[k] = np.linalg.cholesky(corr)
    return torch.as_tensor(out, dtype=torch.float32, device=codes.device)


class Proposer:
    """Makes the proposals of one class.

    Parameters
    ----------
    decoder : nn.Module
    anchors : Tensor or None
        Real samples of the class (residual synthesis); ``None`` decodes.
    anchor_codes : Tensor or None
        Their codes ``e_a``.
    guides : Tensor or None
        Standardised majority deviations ``g`` (majority guidance), or None.
    guidance_spread : float
        Standard deviation of the individuals' shares ``w_i`` around ``w``.
    is_image : bool
        Clamp images to ``[0, 1]``.
    interpolation : float
        Largest share of the way from an anchor's code toward a neighbouring
        anchor's that a code moves (residual synthesis; 0 is off).
    """

    def __init__(self, decoder, anchors=None, anchor_codes=None, guides=None,
                 guidance_spread=0.1, is_image=True, interpolation=0.0):
        self.decoder = decoder
        self.anchors = anchors
        self.codes = anchor_codes
        self.guides = guides
        self.spread = guidance_spread
        self.is_image = is_image
        self.interpolation = float(interpolation)
        self.details = self.neighbours = None
        if anchors is not None and self.interpolation > 0 and len(anchors) > 1:
            dist = torch.cdist(anchor_codes, anchor_codes)
            dist.fill_diagonal_(float("inf"))
            k = min(N_NEIGHBOURS, len(anchors) - 1)
            self.neighbours = dist.topk(k, largest=False).indices  # (A, k)
        if anchors is not None:
            # What the decoder cannot reproduce of each anchor, x_a - G(e_a).
            self.details = anchors - torch.cat(
                [decoder(anchor_codes[i:i + 256]) for i in range(0, len(anchors), 256)]
            )

    @property
    def residual(self):
        return self.anchors is not None

    @property
    def n_anchors(self):
        return 0 if self.anchors is None else self.anchors.shape[0]

    def draw(self, gauss, n, owner=None):
        """``n`` individuals from ``gauss``; ``owner`` picks their anchors
        (random when ``None``)."""
        device = gauss.center.device
        h = gauss.center.shape[0]
        eps = torch.randn(n, h, device=device)
        if gauss.tril is not None:
            eps = eps @ gauss.tril.T
        if self.guides is not None:
            w = (gauss.guidance + self.spread * torch.randn(n, device=device)).clamp(0, 1)
            g = self.guides[torch.randint(self.guides.shape[0], (n,), device=device)]
            u = (1 - w).sqrt()[:, None] * eps + w.sqrt()[:, None] * g
        else:
            w = torch.zeros(n, device=device)
            u = eps
        d = gauss.center + gauss.var.sqrt() * u
        if not self.residual:
            return Batch(d, w, d, None)
        if owner is None:
            owner = torch.randint(self.n_anchors, (n,), device=device)
        e = self.codes[owner]
        f = e + d
        if self.neighbours is not None:
            k = self.neighbours.shape[1]
            other = self.neighbours[owner, torch.randint(k, (n,), device=device)]
            t = self.interpolation * torch.rand(n, 1, device=device)
            f = f + t * (self.codes[other] - e)
        return Batch(d, w, f, owner)

    def images(self, batch):
        """The samples the individuals stand for."""
        x = self.decoder(batch.f)
        if self.residual:
            x = x + self.details[batch.owner]
        return x.clamp(0.0, 1.0) if self.is_image else x
