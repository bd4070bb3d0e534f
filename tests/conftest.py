"""Shared tiny fixtures for the test-suite.

Everything here is small on purpose (about 100 8x8 images, 120 rows of 5
features, a few epochs) so that the whole suite runs in a few minutes on two
shared CPU cores.
"""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

# The test machines are shared: with several torch intra-op threads per
# process, tiny tensor operations spin-wait on each other and run 100x
# slower under load. One thread per test process is both faster and stable.
torch.set_num_threads(1)

#: Tiny MEDALUDESampler settings: every phase runs, but only for a step or two.
FAST = dict(
    pretrain_epochs=2,
    n_iterations=1,
    phase2_epochs=1,
    phase3_epochs=1,
    n_generations=1,
    population_size=64,
    latent_dim=8,
    batch_size=64,
    device="cpu",
)

#: Per-class counts of the digits subset (class 2 is the small minority).
DIGITS_COUNTS = {0: 60, 1: 30, 2: 12}


def digits_subset(counts=DIGITS_COUNTS):
    """A small imbalanced subset of scikit-learn's 8x8 digits (values 0-16)."""
    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in counts.items()])
    return X[keep], y[keep]


def tabular_data(n_samples=120, n_features=5, weights=(0.6, 0.3, 0.1), seed=0):
    """Imbalanced tabular data with a non-square number of features."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=3,
        n_redundant=0,
        n_classes=len(weights),
        n_clusters_per_class=1,
        weights=list(weights),
        random_state=seed,
    )
    return X, y


def snapshot(module):
    """Copies of all parameters of a module, by name."""
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def changed(before, module):
    """Names of the parameters of ``module`` that differ from ``before``."""
    return {
        name for name, p in module.named_parameters()
        if not torch.equal(before[name], p.detach())
    }


@pytest.fixture(scope="session")
def digits():
    return digits_subset()


@pytest.fixture(scope="session")
def tabular():
    return tabular_data()


@pytest.fixture(scope="session")
def fitted_digits(digits):
    """A MEDALUDESampler fitted on the digits subset, with its output."""
    from imblearn_meda import MEDALUDESampler

    X, y = digits
    sampler = MEDALUDESampler(random_state=0, **FAST)
    with warnings.catch_warnings():
        # A two-epoch model may not pass its own filter (the fallback warns);
        # tests of that path are in test_sampler.py.
        warnings.simplefilter("ignore", UserWarning)
        X_res, y_res = sampler.fit_resample(X, y)
    return sampler, X_res, y_res
