"""What is particular to DeepSMOTESampler; its contract is in test_contract.py."""

import pickle

import numpy as np
import pytest
import torch

from imblearn_meda import DeepSMOTESampler
from imblearn_meda.baselines._deepsmote import nearest_neighbours

from conftest import digits_subset

COUNTS = {0: 60, 1: 20, 2: 6}


@pytest.fixture(scope="module")
def digits():
    return digits_subset(COUNTS)


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    return DeepSMOTESampler(epochs=3, batch_size=32, random_state=0).fit(X, y)


def test_fitted_attributes(fitted):
    sampler = fitted
    assert sampler.anchors_ is None  # kept only for synthesis='residual'
    assert isinstance(sampler.encoder_, torch.nn.Module)
    assert isinstance(sampler.decoder_, torch.nn.Module)
    assert sampler.epochs_ == 3 and len(sampler.history_) == 3
    assert {"phase", "epoch", "loss", "rec", "penalty"} <= set(sampler.history_[0])
    assert set(sampler.latents_) == {0, 1, 2}
    for label, n in COUNTS.items():
        assert sampler.latents_[label].shape == (n, 32)


def test_class_of_two_samples():
    X, y = digits_subset({0: 30, 1: 2})
    sampler = DeepSMOTESampler(epochs=1, k_neighbors=5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [30, 30]
    assert sampler.latents_[1].shape == (2, 32)


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


@pytest.mark.parametrize(
    "params", [{"k_neighbors": 0}, {"penalty_weight": -1.0}, {"epochs": 0},
               {"latent_dim": 0}]
)
def test_invalid_parameters_name_the_parameter(digits, params):
    X, y = digits
    (name,) = params
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        DeepSMOTESampler(**params).fit(X, y)


# ------------------------------------------------------------ residual synthesis
def test_residual_keeps_the_training_samples_as_anchors(digits):
    X, y = digits
    sampler = DeepSMOTESampler(epochs=2, batch_size=32, synthesis="residual",
                               random_state=0).fit(X, y)
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
    sampler = pickle.loads(pickle.dumps(fitted))
    sampler.set_params(synthesis="residual")
    with pytest.raises(ValueError, match="Fit it again with synthesis='residual'"):
        sampler.sample({2: 3})


def test_bad_synthesis_is_rejected(digits):
    X, y = digits
    with pytest.raises(ValueError, match="synthesis"):
        DeepSMOTESampler(synthesis="blend").fit(X, y)
