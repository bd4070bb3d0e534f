"""Phase 4: MEDA, the estimation-of-distribution algorithm (Eq. 25-28, Fig. 5).

For one class ``k`` and each generation:

1. ``FEAT4``: ``population_size`` individuals drawn from the class's
   :class:`~._proposals.LatentGaussian` (see :mod:`._proposals`: codes of
   the Gaussian itself, or displacements around real samples' codes);
2. ``GM_1``: those whose code the latent classifier assigns to ``k``;
3. ``X_syn``: their samples, exactly as synthesis would emit them;
   ``X_quali``: those the image classifier assigns to ``k``; ``GM_2`` their
   individuals;
4. fitness: similarity of each sample of ``X_quali`` to real samples of
   class ``k`` (aHash for images, see :mod:`._similarity`); the ``eta``
   fraction with the lowest similarity is ``X_diver``, their individuals
   ``Spop``;
5. ``mu_k = gamma mean(GM_2) + (1 - gamma) mean(Spop)`` and
   ``sigma2_k = gamma var(GM_2) + (1 - gamma) var(Spop)``, over the
   individuals' latent displacements; the guidance share ``w`` is updated
   the same way from the individuals' shares.

``selection="random"`` ranks by a random number instead of the fitness: the
control that shows how far the Gaussians move by sampling noise and the
quality filter alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from ..nn import progress
from ._phases import encode
from ._proposals import LatentGaussian, Proposer
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


@dataclass
class EvolutionSettings:
    """The parameters of Phase 4 (see MEDALUDESampler)."""

    n_generations: int
    population_size: int
    eta: float
    gamma: float
    var_bounds: tuple
    selection: str = "fitness"
    guidance_spread: float = 0.1
    interpolation: float = 0.0


@torch.no_grad()
def evolve_class(proposer, gauss, k, latent_classifier, image_classifier, fitness,
                 settings):
    """Evolve class ``k``'s Gaussian; returns ``(gauss, log rows)``.

    A generation in which fewer than two individuals pass both classifiers
    leaves the Gaussian as it is (there is nothing to estimate from) and
    ends the evolution of this class.
    """
    rows = []
    lo, hi = settings.var_bounds
    guided = proposer.guides is not None
    for g in range(settings.n_generations):
        pop = proposer.draw(gauss, settings.population_size)
        gm1 = pop[latent_classifier(pop.f).argmax(dim=1) == k]
        row = {"phase": "phase4", "class_index": k, "generation": g, "gm1": len(gm1)}
        if len(gm1) < 2:
            rows.append(row | {"gm2": 0, "stopped": 1})
            break
        x_syn = proposer.images(gm1)
        keep2 = image_classifier(x_syn).argmax(dim=1) == k
        gm2, x_quali = gm1[keep2], x_syn[keep2]
        row["gm2"] = len(gm2)
        if len(gm2) < 2:
            rows.append(row | {"stopped": 1})
            break
        fit = fitness(x_quali)
        rank = fit if settings.selection == "fitness" else torch.rand_like(fit)
        spop = gm2[select_diverse(rank, settings.eta)]
        center, var = eda_update(gm2.d, spop.d, settings.gamma)
        guidance = gauss.guidance
        if guided:
            guidance = float(settings.gamma * gm2.w.mean()
                             + (1.0 - settings.gamma) * spop.w.mean())
        gauss = LatentGaussian(center, var.clamp(lo, hi), guidance, gauss.tril)
        row.update({
            "fitness_mean": float(fit.mean()),
            "fitness_spop": float(fit[select_diverse(rank, settings.eta)].mean()),
            "var_mean": float(gauss.var.mean()),
            "guidance": guidance,
            "_center": gauss.center,
        })
        rows.append(row)
    return gauss, rows


def fitness_per_class(X, y, classes, n_real, hasher, how):
    """One :class:`Fitness` per class index in ``classes``, against at most
    ``n_real`` real samples of the class drawn at random (all of them when it
    has fewer)."""
    fitness = {}
    for k in classes:
        idx = torch.nonzero(y == k).flatten()
        if idx.numel() > n_real:
            idx = idx[torch.randperm(idx.numel(), device=idx.device)[:n_real]]
        fitness[k] = Fitness(X[idx.to(X.device)].to(y.device), hasher, how)
    return fitness


def run_phase4(model, states, fitness, anchors, guides, settings, iteration,
               class_labels, batch_size, verbose, origins=None):
    """Phase 4 for the classes in ``states`` (the over-sampled ones).

    ``states`` maps a class index to its current :class:`LatentGaussian`,
    ``fitness`` and ``anchors`` map it to its :class:`Fitness` and (residual
    synthesis) its real samples, or ``None`` (decoding). Returns the evolved
    states; the rows go to ``model.history``. Each row also records
    ``moved``, how far the class's centre is after the generation from its
    ``origins`` entry (where the fit's evolution started), and
    ``start_moved``, how far it was when this Phase 4 began.
    """
    model.train_only()
    device = next(model.decoder.parameters()).device
    out = {}
    with progress(len(states), f"Phase 4 (iteration {iteration + 1})", verbose) as bar:
        for k, gauss in states.items():
            x_a = anchors.get(k)
            codes = None if x_a is None else encode(model.encoder, x_a, batch_size, device)
            proposer = Proposer(model.decoder, x_a, codes, guides,
                                settings.guidance_spread, model.is_image,
                                settings.interpolation)
            out[k], rows = evolve_class(proposer, gauss, k, model.latent_classifier,
                                        model.image_classifier, fitness[k], settings)
            origin = gauss.center if origins is None else origins[k]
            start = float((gauss.center - origin).norm())
            for row, center in zip(rows, _centers(rows)):
                row["iteration"] = iteration
                row["class"] = class_labels[k]
                row["start_moved"] = start
                row["moved"] = float((center - origin).norm()) if center is not None else start
            model.history.extend(rows)
            last = rows[-1] if rows else {}
            bar.set_postfix(cls=class_labels[k], accepted=last.get("gm2", 0),
                            fitness=f"{last.get('fitness_mean', float('nan')):.3f}")
            bar.update(1)
    return out


def _centers(rows):
    """The centre after each logged generation (popped from the rows)."""
    return [row.pop("_center", None) for row in rows]
