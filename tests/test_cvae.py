"""What is particular to CVAESampler; its contract is in test_contract.py."""

import pytest
import torch

from imblearn_meda import CVAESampler

from conftest import digits_subset

COUNTS = {0: 60, 1: 20, 2: 6}


@pytest.fixture(scope="module")
def digits():
    return digits_subset(COUNTS)


def test_fitted_attributes(digits):
    X, y = digits
    sampler = CVAESampler(epochs=3, batch_size=32, random_state=0).fit(X, y)
    assert isinstance(sampler.encoder_, torch.nn.Module)
    assert isinstance(sampler.decoder_, torch.nn.Module)
    assert sampler.epochs_ == 3 and len(sampler.history_) == 3
    assert {"phase", "epoch", "loss", "rec", "kl"} <= set(sampler.history_[0])
    onehot = torch.eye(3)[[0, 2]]
    mu, log_var = sampler.encoder_(torch.rand(2, 1, 8, 8), onehot)
    assert mu.shape == log_var.shape == (2, 16)
    assert sampler.decoder_(mu, onehot).shape == (2, 1, 8, 8)


def test_training_loss_decreases(digits):
    X, y = digits
    sampler = CVAESampler(epochs=6, batch_size=16, random_state=0).fit(X, y)
    losses = [row["loss"] for row in sampler.history_]
    assert len(losses) == 6
    assert losses[-1] < 0.95 * losses[0]


@pytest.mark.parametrize(
    "params", [{"beta_kl": -1.0}, {"epochs": 0}, {"latent_dim": 0},
               {"learning_rate": 0.0}]
)
def test_invalid_parameters_name_the_parameter(digits, params):
    X, y = digits
    (name,) = params
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        CVAESampler(**params).fit(X, y)
