"""Phase 4: MEDA, the estimation-of-distribution algorithm (Eq. 25-28, Fig. 5).

For one class ``k`` and each generation:

1. ``FEAT4``: ``population_size`` latents drawn from ``N(mu_k, sigma2_k)``;
2. ``GM_1``: those the latent classifier assigns to ``k``;
3. ``X_syn = G(GM_1)``; ``X_quali``: the images the image classifier assigns
   to ``k``; ``GM_2`` their latents;
4. fitness: similarity of each image of ``X_quali`` to real images of class
   ``k`` (aHash for images, see :mod:`._similarity`); the ``eta`` fraction with
   the lowest similarity is ``X_diver``, their latents ``Spop``;
5. ``mu_k = gamma mean(GM_2) + (1 - gamma) mean(Spop)`` and
   ``sigma2_k = gamma var(GM_2) + (1 - gamma) var(Spop)``.
"""

from __future__ import annotations

import math

import torch

from ..nn import progress
from ._similarity import aggregate, euclidean_similarity, hash_similarity


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
        row = {"phase": "phase4", "class_index": k, "generation": g,
               "gm1": int(gm1.shape[0])}
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


def fitness_per_class(X, y, n_classes, n_real, hasher, how):
    """One :class:`Fitness` per class, against at most ``n_real`` real
    samples of the class drawn at random (all of them when it has fewer)."""
    fitness = []
    for k in range(n_classes):
        idx = torch.nonzero(y == k).flatten()
        if idx.numel() > n_real:
            idx = idx[torch.randperm(idx.numel(), device=idx.device)[:n_real]]
        fitness.append(Fitness(X[idx.to(X.device)].to(y.device), hasher, how))
    return fitness


def run_phase4(model, fitness, n_generations, population_size, eta, gamma,
               var_bounds, iteration, class_labels, verbose):
    """Phase 4 for every class: evolve its Gaussian and set the mixture."""
    means = model.mixture.means.detach().clone()
    variances = model.mixture.variances().detach().clone()
    with progress(len(fitness), f"Phase 4 (iteration {iteration + 1})",
                  verbose) as bar:
        for k, fit in enumerate(fitness):
            mu, var, rows = evolve_class(
                model, k, means[k], variances[k], fit, n_generations,
                population_size, eta, gamma, var_bounds,
            )
            means[k], variances[k] = mu, var
            for row in rows:
                row["iteration"] = iteration
                row["class"] = class_labels[k]
            model.history.extend(rows)
            last = rows[-1]
            bar.set_postfix(cls=last["class"], accepted=last.get("gm2", 0),
                            fitness=f"{last.get('fitness_mean', float('nan')):.3f}")
            bar.update(1)
    model.mixture.set_(means, variances)
