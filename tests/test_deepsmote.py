"""Tests of DeepSMOTESampler (tiny data and few epochs, so they run in seconds)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

from imblearn_meda import DeepSMOTESampler
from imblearn_meda.baselines._deepsmote import nearest_neighbours

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
    sampler = DeepSMOTESampler(epochs=3, batch_size=32, random_state=0)
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
    assert {"phase", "epoch", "loss", "rec", "penalty"} <= set(sampler.history_[0])
    assert set(sampler.latents_) == {0, 1, 2}
    for label, n in COUNTS.items():
        assert sampler.latents_[label].shape == (n, 32)


def test_4d_uint8_input_gives_4d_uint8_output():
    X, y = digits_subset()
    X4 = X.reshape(-1, 1, 8, 8).astype(np.uint8)
    X_res, y_res = DeepSMOTESampler(epochs=1, random_state=0).fit_resample(X4, y)
    assert X_res.shape == (180, 1, 8, 8)
    assert X_res.dtype == np.uint8
    np.testing.assert_array_equal(X_res[: len(X4)], X4)
    assert X_res.max() <= X4.max()


def test_same_random_state_same_output(digits, fitted):
    X, y = digits
    X_res, y_res = DeepSMOTESampler(
        epochs=3, batch_size=32, random_state=0
    ).fit_resample(X, y)
    np.testing.assert_array_equal(X_res, fitted[1])
    np.testing.assert_array_equal(y_res, fitted[2])


def test_tabular_input():
    X, y = make_classification(
        n_samples=150, n_features=5, n_informative=3, n_redundant=0,
        weights=[0.8, 0.2], random_state=0,
    )
    sampler = DeepSMOTESampler(epochs=2, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ is None
    counts = np.bincount(y_res)
    assert counts[0] == counts[1] == np.bincount(y).max()
    new = X_res[len(X):]
    assert new.shape[1] == 5
    assert (new >= X.min(axis=0)).all() and (new <= X.max(axis=0)).all()


def test_class_of_two_samples():
    X, y = digits_subset({0: 30, 1: 2})
    sampler = DeepSMOTESampler(epochs=1, k_neighbors=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [30, 30]
    assert sampler.latents_[1].shape == (2, 32)


def test_sample_counts(fitted):
    sampler = fitted[0]
    X_new, y_new = sampler.sample({2: 7, 0: 3})
    assert X_new.shape == (10, 64)
    assert y_new.tolist() == [2] * 7 + [0] * 3


def test_pickle_round_trip(fitted):
    sampler = fitted[0]
    clone = pickle.loads(pickle.dumps(sampler))
    a, _ = sampler.sample({2: 5}, random_state=3)
    b, _ = clone.sample({2: 5}, random_state=3)
    np.testing.assert_array_equal(a, b)


def test_training_loss_decreases(digits):
    X, y = digits
    sampler = DeepSMOTESampler(epochs=6, batch_size=16, random_state=0).fit(X, y)
    losses = [row["loss"] for row in sampler.history_]
    assert len(losses) == 6
    assert losses[-1] < 0.7 * losses[0]


def test_interpolations_lie_between_neighbours():
    torch.manual_seed(0)
    Z = torch.randn(9, 3)
    nn_idx = nearest_neighbours(Z, 3)
    assert nn_idx.shape == (9, 3)
    d = torch.cdist(Z, Z)
    d.fill_diagonal_(float("inf"))
    expected = torch.topk(d, 3, largest=False).indices
    assert torch.equal(nn_idx, expected)
    assert not (nn_idx == torch.arange(9)[:, None]).any()


def test_penalty_weight_zero_trains(digits):
    X, y = digits
    sampler = DeepSMOTESampler(epochs=1, penalty_weight=0.0, random_state=0).fit(X, y)
    assert sampler.history_[0]["penalty"] == 0.0


def test_verbose_progress_bar(digits, capsys):
    X, y = digits
    DeepSMOTESampler(epochs=1, verbose=1, random_state=0).fit(X, y)
    assert "DeepSMOTE" in capsys.readouterr().err


def test_parameters_match_constraints():
    sampler = DeepSMOTESampler()
    assert set(sampler.get_params()) == set(DeepSMOTESampler._parameter_constraints)


@pytest.mark.parametrize(
    "params", [{"k_neighbors": 0}, {"penalty_weight": -1.0}, {"epochs": 0},
               {"latent_dim": 0}]
)
def test_invalid_parameters(digits, params):
    X, y = digits
    with pytest.raises(ValueError):
        DeepSMOTESampler(**params).fit(X, y)


# ------------------------------------------------------------ residual synthesis
def test_residual_balances_and_keeps_anchors(digits):
    X, y = digits
    sampler = DeepSMOTESampler(epochs=2, batch_size=32, synthesis="residual",
                               random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [60, 60, 60]
    np.testing.assert_array_equal(X_res[: len(X)], X)
    new = X_res[len(X):]
    assert new.min() >= X.min() and new.max() <= X.max()
    assert set(sampler.anchors_) == {0, 1, 2}
    for label, n in COUNTS.items():
        anchors = sampler.anchors_[label]
        assert anchors.shape == (n, 1, 8, 8) and anchors.dtype == np.float32
        back = sampler._scaler.from_net(anchors.reshape(n, -1), np.dtype(np.float64))
        np.testing.assert_allclose(back, X[y == label], atol=1e-4)


def test_residual_of_identical_samples_gives_them_back():
    # Every interpolation in a class of identical images ends at the code of
    # that image, so the residual sample is the image itself, while the
    # decoded sample is the decoder's (blurred) reconstruction.
    X, y = digits_subset({0: 40, 1: 20})
    X = X.copy()
    X[y == 1] = X[y == 1][0]
    residual = DeepSMOTESampler(epochs=2, synthesis="residual", random_state=0)
    X_res, y_res = residual.fit_resample(X, y)
    new = X_res[len(X):]
    assert (y_res[len(X):] == 1).all() and len(new) == 20
    np.testing.assert_allclose(new, np.repeat(X[y == 1][:1], 20, axis=0), atol=1e-3)
    X_dec, _ = DeepSMOTESampler(epochs=2, random_state=0).fit_resample(X, y)
    assert np.abs(X_dec[len(X):] - X[y == 1][0]).max() > 0.5


def test_residual_after_decode_fit_is_a_clear_error(fitted):
    sampler = pickle.loads(pickle.dumps(fitted[0]))
    assert sampler.anchors_ is None
    sampler.set_params(synthesis="residual")
    with pytest.raises(ValueError, match="Fit it again with synthesis='residual'"):
        sampler.sample({2: 3})


def test_bad_synthesis_is_rejected(digits):
    X, y = digits
    with pytest.raises(ValueError, match="synthesis"):
        DeepSMOTESampler(synthesis="blend").fit(X, y)


def test_residual_tabular_and_pickle():
    X, y = make_classification(
        n_samples=120, n_features=4, n_informative=3, n_redundant=0,
        weights=[0.8, 0.2], random_state=0,
    )
    sampler = DeepSMOTESampler(epochs=2, synthesis="residual", random_state=0)
    X_res, _ = sampler.fit_resample(X, y)
    assert X_res.shape == (2 * np.bincount(y).max(), 4)
    assert np.isfinite(X_res).all()
    clone = pickle.loads(pickle.dumps(sampler))
    a, _ = sampler.sample({1: 5}, random_state=1)
    b, _ = clone.sample({1: 5}, random_state=1)
    np.testing.assert_array_equal(a, b)
