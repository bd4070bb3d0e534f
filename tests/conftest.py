"""Shared tiny fixtures for the test-suite.

Everything here is small on purpose (about 100 8x8 images, 120 rows of 5
features, a few epochs) so that the whole suite runs in a few minutes on two
shared CPU cores.
"""

import contextlib
import copy
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

import imblearn_meda
from imblearn_meda.base import BaseDeepOverSampler

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
    filter_synthetic=True,
    population_size=64,
    latent_dim=8,
    batch_size=64,
    device="cpu",
)

#: Tiny settings of every sampler, by the id the parametrized tests use.
TINY = {
    "MEDALUDE": ("MEDALUDESampler", FAST),
    "CVAE": ("CVAESampler", {"epochs": 2, "latent_dim": 4, "batch_size": 64,
                             "device": "cpu"}),
    "CVAESeTred": ("CVAESeTredSampler", {"epochs": 2, "latent_dim": 4,
                                         "batch_size": 64, "device": "cpu"}),
    "DeepSMOTE-decode": ("DeepSMOTESampler", {
        "epochs": 2, "latent_dim": 4, "batch_size": 64, "synthesis": "decode",
        "device": "cpu"}),
    "DeepSMOTE-residual": ("DeepSMOTESampler", {
        "epochs": 2, "latent_dim": 4, "batch_size": 64, "synthesis": "residual",
        "device": "cpu"}),
    "MGVAE": ("MGVAESampler", {
        "epochs": 2, "finetune_epochs": 1, "latent_dim": 4, "batch_size": 64,
        "n_components": 32, "kl_draws": 4, "fisher_samples": 16, "device": "cpu"}),
    "Augmented": ("AugmentedOverSampler", {}),
}


def tiny_sampler(name, **params):
    """A fresh sampler of ``TINY[name]``, with ``params`` on top."""
    cls, settings = TINY[name]
    return getattr(imblearn_meda, cls)(**{**settings, **params})


#: Ids of the samplers built on BaseDeepOverSampler (torch networks, a
#: device, n_jobs, verbose and ``sample``); AugmentedOverSampler is not.
DEEP = [name for name in TINY
        if isinstance(tiny_sampler(name), BaseDeepOverSampler)]


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


# ---------------------------------------------------------------- helpers
def fitted_state(sampler):
    """Deep copies of a sampler's fitted attributes (names ending in ``_``)."""
    return {
        name: copy.deepcopy(value) for name, value in vars(sampler).items()
        if name.endswith("_") and not name.startswith("__")
    }


def assert_same(a, b, where="value"):
    """``a`` equals ``b``: arrays and tensors element-wise, torch modules by
    their state dicts, containers item by item."""
    if isinstance(a, torch.nn.Module):
        assert type(a) is type(b), where
        a, b = a.state_dict(), b.state_dict()
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, z) in enumerate(zip(a, b)):
            assert_same(x, z, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert a == b, where


def assert_same_state(before, sampler):
    """The fitted attributes of ``sampler`` are those of ``before``
    (a :func:`fitted_state`): same names, same values."""
    after = fitted_state(sampler)
    assert set(after) == set(before)
    for name, value in before.items():
        assert_same(value, after[name], name)


def fitted_names(sampler):
    """Names of the fitted attributes a sampler holds."""
    return [k for k in vars(sampler) if k.endswith("_") and not k.startswith("__")]


@contextlib.contextmanager
def on_forward(action, after=0):
    """Call ``action()`` before every torch module's forward from call
    ``after + 1`` on (torch's global forward pre-hook): a spy on what runs
    during a fit, or a way to stop it mid-training by raising."""
    calls = [0]

    def hook(module, args):
        calls[0] += 1
        if calls[0] > after:
            action()

    handle = torch.nn.modules.module.register_module_forward_pre_hook(hook)
    try:
        yield calls
    finally:
        handle.remove()
