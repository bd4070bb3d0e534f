"""Phase 4: MEDA, the estimation-of-distribution algorithm (SPEC Eq. 25-28, Fig. 5).

For one class ``k`` and each generation:

1. ``FEAT4``: ``population_size`` latents drawn from ``N(mu_k, sigma2_k)``;
2. ``GM_1``: those the latent classifier assigns to ``k``;
3. ``X_syn = G(GM_1)``; ``X_quali``: the images the image classifier assigns
   to ``k``; ``GM_2`` their latents;
4. fitness: similarity of each image of ``X_quali`` to real images of class
   ``k`` (aHash for images, see :mod:`._hashing`); the ``eta`` fraction with
   the lowest similarity is ``X_diver``, their latents ``Spop``;
5. ``mu_k = gamma mean(GM_2) + (1 - gamma) mean(Spop)`` and
   ``sigma2_k = gamma var(GM_2) + (1 - gamma) var(Spop)``.
"""

from __future__ import annotations

import math

import torch

from ._hashing import aggregate, euclidean_similarity, hash_similarity


def eda_update(gm2, spop, gamma):
    """Step 5: the new mean and variance from the quality and diversity sets."""
    mu = gamma * gm2.mean(dim=0) + (1.0 - gamma) * spop.mean(dim=0)
    var = gamma * gm2.var(dim=0, unbiased=False) + \
        (1.0 - gamma) * spop.var(dim=0, unbiased=False)
    return mu, var


def select_diverse(fitness, eta):
    """Indices of the ``eta`` fraction with the LOWEST similarity (at least 2)."""
    n_sel = min(len(fitness), max(2, math.ceil(eta * len(fitness))))
    return torch.argsort(fitness, stable=True)[:n_sel]


class Fitness:
    """Similarity of synthetic samples to a set of real samples of one class."""

    def __init__(self, real, hasher, how):
        self.hasher = hasher
        self.how = how
        self.reference = hasher.hash(real) if hasher is not None else real

    def __call__(self, x):
        if self.hasher is not None:
            sim = hash_similarity(self.hasher.hash(x), self.reference)
        else:
            sim = euclidean_similarity(x, self.reference)
        return aggregate(sim, self.how)


@torch.no_grad()
def evolve_class(model, k, mu, var, fitness, n_generations, population_size, eta,
                 gamma, var_bounds):
    """Evolve class ``k``'s Gaussian; returns ``(mu, var, log rows)``.

    A generation in which fewer than two individuals pass both classifiers
    leaves the Gaussian as it is (there is nothing to estimate from) and
    ends the evolution of this class.
    """
    rows = []
    lo, hi = var_bounds
    for g in range(n_generations):
        feat4 = mu + var.sqrt() * torch.randn(
            population_size, mu.shape[0], device=mu.device
        )
        keep1 = model.latent_classifier(feat4).argmax(dim=1) == k
        gm1 = feat4[keep1]
        row = {"phase": 4, "class_index": k, "epoch": g, "gm1": int(gm1.shape[0])}
        if gm1.shape[0] < 2:
            rows.append(row | {"gm2": 0, "stopped": 1})
            break
        x_syn = model.decoder(gm1)
        keep2 = model.image_classifier(x_syn).argmax(dim=1) == k
        gm2, x_quali = gm1[keep2], x_syn[keep2]
        row["gm2"] = int(gm2.shape[0])
        if gm2.shape[0] < 2:
            rows.append(row | {"stopped": 1})
            break
        fit = fitness(x_quali)
        spop = gm2[select_diverse(fit, eta)]
        mu, var = eda_update(gm2, spop, gamma)
        var = var.clamp(lo, hi)
        row.update({
            "fitness_mean": float(fit.mean()),
            "fitness_spop": float(fitness_of(fit, eta)),
            "var_mean": float(var.mean()),
        })
        rows.append(row)
    return mu, var, rows


def fitness_of(fit, eta):
    """Mean similarity of the selected (most diverse) individuals."""
    return fit[select_diverse(fit, eta)].mean()
