"""Tests of CVAESampler (tiny data and few epochs, so they run in seconds)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

from imblearn_meda import CVAESampler

COUNTS = {0: 60, 1: 20, 2: 6}


def digits_subset(counts=COUNTS):
    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in counts.items()])
    return X[keep], y[keep]


@pytest.fixture(scope="module")
def digits():
    return digits_subset()


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    sampler = CVAESampler(epochs=3, batch_size=32, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    return sampler, X_res, y_res


def test_fit_resample_balances_and_keeps_originals(digits, fitted):
    X, y = digits
    sampler, X_res, y_res = fitted
    assert sampler.image_shape_ == (1, 8, 8)
    assert np.bincount(y_res).tolist() == [60, 60, 60]
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    new = X_res[len(X):]
    assert X_res.dtype == X.dtype
    assert new.min() >= X.min() and new.max() <= X.max()
    assert np.isfinite(new).all()


def test_fitted_attributes(fitted):
    sampler = fitted[0]
    assert isinstance(sampler.encoder_, torch.nn.Module)
    assert isinstance(sampler.decoder_, torch.nn.Module)
    assert sampler.epochs_ == 3 and len(sampler.history_) == 3
    assert {"phase", "epoch", "loss", "rec", "kl"} <= set(sampler.history_[0])


def test_4d_uint8_input_gives_4d_uint8_output():
    X, y = digits_subset()
    X4 = X.reshape(-1, 1, 8, 8).astype(np.uint8)
    X_res, y_res = CVAESampler(epochs=1, random_state=0).fit_resample(X4, y)
    assert X_res.shape == (180, 1, 8, 8)
    assert X_res.dtype == np.uint8
    np.testing.assert_array_equal(X_res[: len(X4)], X4)
    assert X_res.max() <= X4.max()


def test_same_random_state_same_output(digits, fitted):
    X, y = digits
    X_res, y_res = CVAESampler(epochs=3, batch_size=32, random_state=0).fit_resample(
        X, y
    )
    np.testing.assert_array_equal(X_res, fitted[1])
    np.testing.assert_array_equal(y_res, fitted[2])


def test_tabular_input():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_redundant=0,
        weights=[0.8, 0.2], random_state=0,
    )
    sampler = CVAESampler(epochs=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ is None
    counts = np.bincount(y_res)
    assert counts[0] == counts[1] == np.bincount(y).max()
    new = X_res[len(X):]
    assert new.shape[1] == 5
    assert (new >= X.min(axis=0)).all() and (new <= X.max(axis=0)).all()


def test_sample_counts(fitted):
    sampler = fitted[0]
    X_new, y_new = sampler.sample({2: 7, 0: 3})
    assert X_new.shape == (10, 64)
    assert y_new.tolist() == [2] * 7 + [0] * 3
    X_none, y_none = sampler.sample({1: 0})
    assert X_none.shape == (0, 64) and y_none.shape == (0,)


def test_pickle_round_trip(fitted):
    sampler = fitted[0]
    clone = pickle.loads(pickle.dumps(sampler))
    a, _ = sampler.sample({2: 5}, random_state=3)
    b, _ = clone.sample({2: 5}, random_state=3)
    np.testing.assert_array_equal(a, b)


def test_training_loss_decreases(digits):
    X, y = digits
    sampler = CVAESampler(epochs=6, batch_size=16, random_state=0).fit(X, y)
    losses = [row["loss"] for row in sampler.history_]
    assert len(losses) == 6
    assert losses[-1] < 0.95 * losses[0]


def test_verbose_progress_bar(digits, capsys):
    X, y = digits
    CVAESampler(epochs=1, verbose=1, random_state=0).fit(X, y)
    assert "CVAE" in capsys.readouterr().err


def test_parameters_match_constraints():
    sampler = CVAESampler()
    assert set(sampler.get_params()) == set(CVAESampler._parameter_constraints)


@pytest.mark.parametrize(
    "params", [{"beta_kl": -1.0}, {"epochs": 0}, {"latent_dim": 0},
               {"learning_rate": 0.0}]
)
def test_invalid_parameters(digits, params):
    X, y = digits
    with pytest.raises(ValueError):
        CVAESampler(**params).fit(X, y)
