"""MEDALUDESampler's parameter checks and what they resolve to at fit time."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDeepOverSampler
from ._phases import DEFAULT_LOSS_WEIGHTS

_INT0 = Interval(numbers.Integral, 0, None, closed="left")
_POSITIVE = Interval(numbers.Real, 0, None, closed="neither")

PARAMETER_CONSTRAINTS: dict = {
    **BaseDeepOverSampler._parameter_constraints,
    "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
    "base_channels": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_norm": ["boolean"],
    "max_samples_per_class": [None, Interval(numbers.Integral, 2, None, closed="left"),
                              StrOptions({"auto"})],
    "pretrain_updates": [Interval(numbers.Integral, 1, None, closed="left"),
                         StrOptions({"auto"})],
    "pretrain_schedule": [StrOptions({"constant", "cosine"})],
    "phase2_target": [StrOptions({"input", "partner"})],
    "phase1_image_loss": [StrOptions({"decoder", "classifier"})],
    "selection": [StrOptions({"fitness", "random"})],
    "majority_guidance": [Interval(numbers.Real, 0, 1, closed="both")],
    "neighbour_interpolation": [Interval(numbers.Real, 0, 1, closed="both")],
    "max_shift": [_INT0, StrOptions({"auto"})],
    "flip": ["boolean"],
    "lgm_alpha": [Interval(numbers.Real, 0, None, closed="left")],
    "lgm_lambda": [Interval(numbers.Real, 0, None, closed="left")],
    "log_var_bounds": [tuple, list],
    "mixture": [StrOptions({"refit", "lgm", "empirical"})],
    "pretrain_epochs": [_INT0, StrOptions({"auto"})],
    "n_iterations": [_INT0],
    "phase2_epochs": [_INT0, StrOptions({"auto"})],
    "phase3_epochs": [_INT0, StrOptions({"auto"})],
    "n_generations": [_INT0],
    "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
    "eta": [Interval(numbers.Real, 0, 1, closed="right")],
    "gamma": [Interval(numbers.Real, 0, 1, closed="both")],
    "fitness_aggregate": [StrOptions({"max", "mean"})],
    "n_fitness_real": [Interval(numbers.Integral, 1, None, closed="left")],
    "similarity": [StrOptions({"auto", "ahash", "euclidean"})],
    "continue_evolution": ["boolean"],
    "xi": [StrOptions({"auto"}), _POSITIVE],
    "loss_weights": [None, Mapping],
    "synthesis": [StrOptions({"residual", "decode"})],
    "displacement_scale": [_POSITIVE],
    "covariance": [StrOptions({"diag", "full"})],
    "filter_synthetic": ["boolean"],
    "max_draw_factor": [Interval(numbers.Integral, 1, None, closed="left")],
    "learning_rate": [_POSITIVE],
    "variance_learning_rate": [_POSITIVE],
    "finetune_learning_rate": [None, _POSITIVE],
}


def check_log_var_bounds(log_var_bounds):
    bounds = tuple(log_var_bounds)
    if len(bounds) != 2 or not bounds[0] < bounds[1]:
        raise ValueError(
            f"log_var_bounds must be (low, high) with low < high, got "
            f"{log_var_bounds!r}."
        )
    return bounds


def resolve_loss_weights(loss_weights, mixture):
    """The beta weights: the defaults, updated by ``loss_weights``; the L-GM
    terms off for ``mixture='empirical'``."""
    weights = dict(DEFAULT_LOSS_WEIGHTS)
    if loss_weights is not None:
        unknown = set(loss_weights) - set(weights)
        if unknown:
            raise ValueError(
                f"loss_weights has unknown keys {sorted(unknown)}; the keys are "
                f"{sorted(weights)}."
            )
        for key, value in loss_weights.items():
            if not isinstance(value, numbers.Real) or value < 0:
                raise ValueError(
                    f"loss_weights[{key!r}] must be a non-negative number, "
                    f"got {value!r}."
                )
        weights.update(loss_weights)
    if mixture == "empirical":
        weights["gm1"] = weights["gm3"] = 0.0
    return weights


def resolve_similarity(similarity, is_image):
    if similarity == "auto":
        return "ahash" if is_image else "euclidean"
    if similarity == "ahash" and not is_image:
        raise ValueError(
            "similarity='ahash' needs images; this X is tabular "
            "(give image_shape, or use similarity='euclidean')."
        )
    return similarity


#: The training budget ``'auto'`` gives ``pretrain_updates`` and
#: ``max_samples_per_class``, by the device the fit runs on: the CPU
#: default, and on a GPU every training sample with about eight times the
#: updates (scored on the CPU; a GPU runs them in a fraction of the time).
AUTO_BUDGET = {
    "cpu": {"pretrain_updates": 2400, "max_samples_per_class": 1000},
    "cuda": {"pretrain_updates": 20000, "max_samples_per_class": None},
}


def resolve_budget(pretrain_updates, max_samples_per_class, device):
    """``(pretrain_updates, max_samples_per_class)`` with ``'auto'``
    resolved from :data:`AUTO_BUDGET` for ``device`` (a torch.device)."""
    budget = AUTO_BUDGET["cuda" if device.type == "cuda" else "cpu"]
    return (
        budget["pretrain_updates"] if pretrain_updates == "auto" else pretrain_updates,
        budget["max_samples_per_class"] if max_samples_per_class == "auto"
        else max_samples_per_class,
    )


def majority_weight(xi, minority, counts_by_index):
    """``xi`` of the majority terms: given, or (``'auto'``) the ratio of the
    mean size of the minority classes to the mean size of the others."""
    if xi != "auto":
        return float(xi)
    if minority.all() or not minority.any():
        return 1.0
    return float(counts_by_index[minority].mean() / counts_by_index[~minority].mean())


#: The paper's literal reading, every departure of the defaults switched off:
#: ``MEDALUDESampler(**PAPER_SETTINGS)``. What the paper leaves open (network
#: sizes, epochs, learning rates, N, eta, gamma) keeps the defaults.
PAPER_SETTINGS = {
    "synthesis": "decode",          # decode draws of the evolved Gaussians
    "mixture": "lgm",               # M_init, S_init as the L-GM loss learned them
    "lgm_lambda": 0.01,             # the L-GM authors' demo value
    "phase1_image_loss": "decoder",  # L_img1 trains the decoder and C_img
    "phase2_target": "partner",     # Phase 2 reconstructs a random real image
    "loss_weights": {"rec2": 10.0},  # ... with a weight as large as Phase 1's
    "phase2_epochs": "auto",        # Phases 2 and 3 fine-tune the networks
    "phase3_epochs": "auto",
    "finetune_learning_rate": None,  # one learning rate for every phase
    "n_generations": 5,             # Phase 4 evolves the Gaussians
    "filter_synthetic": True,       # keep the draws both classifiers accept
    "continue_evolution": False,    # Algorithm 1, line 29: restart from M_init
    "max_samples_per_class": None,  # train on every sample
    "majority_guidance": 0.0,
    "neighbour_interpolation": 0.0,
    "max_shift": 0,
    "flip": False,
}
