"""What is particular to CVAESeTredSampler; its contract is in test_contract.py."""

import math
import pickle

import numpy as np
import pytest
import torch

from imblearn_meda.baselines import _cvae_setred
from imblearn_meda.baselines._cvae_setred import (
    CVAESeTredSampler,
    dann_weight,
    domain_split,
    reverse_gradient,
)
from imblearn_meda.nn import History

from conftest import digits_subset, tabular_data

#: Settings of the shared fit of the digits subset (60, 30 and 12 images).
FIT = {"epochs": 3, "batch_size": 32}
#: Quicker settings of the tests that fit their own sampler.
FAST = {"epochs": 2, "batch_size": 32, "random_state": 0}


def fit_resample_digits(X, y, random_state=0, **params):
    sampler = CVAESeTredSampler(random_state=random_state, **FIT, **params)
    return (sampler, *sampler.fit_resample(X, y))


@pytest.fixture(scope="module")
def fitted(digits):
    return fit_resample_digits(*digits)


# ------------------------------------------------------------------ resampling
def test_new_samples_are_not_copies(digits, fitted):
    X, _ = digits
    new = fitted[1][len(X):]
    assert len(np.unique(new.round(6), axis=0)) == len(new)
    assert not (new[:, None, :] == X[None, :, :]).all(axis=2).any()


def test_fitted_attributes(fitted):
    sampler = fitted[0]
    for name in ("source_encoder_", "target_encoder_", "decoder_",
                 "domain_classifier_"):
        module = getattr(sampler, name)
        assert isinstance(module, torch.nn.Module)
        assert not module.training
    assert sampler.source_encoder_ is not sampler.target_encoder_
    assert sampler.class_means_.shape == (3, 16)
    assert sampler.class_variances_.shape == (3, 16)
    assert (sampler.class_variances_ > 0).all()
    assert sampler.batch_size_ == 32


def test_encoders_and_classifier_shapes(fitted):
    sampler = fitted[0]
    x = torch.rand(4, 1, 8, 8)
    onehot = torch.eye(3)[[0, 1, 2, 2]]
    for encoder in (sampler.source_encoder_, sampler.target_encoder_):
        mu, log_var = encoder(x, onehot)
        assert mu.shape == log_var.shape == (4, 16)
    assert sampler.domain_classifier_(mu).shape == (4, 1)
    assert sampler.decoder_(mu, onehot).shape == (4, 1, 8, 8)


def test_epochs_and_history_schema(fitted):
    sampler = fitted[0]
    history = sampler.history_
    assert isinstance(history, History)
    assert sampler.epochs_ == 3 and len(history) == 3
    assert [row["epoch"] for row in history] == [0, 1, 2]
    keys = {"phase", "epoch", "loss", "rec", "kl", "domain", "domain_acc",
            "domain_weight"}
    for row in history:
        assert set(row) == keys
        assert row["phase"] == "train"
        assert all(math.isfinite(row[k]) for k in keys - {"phase"})
        assert 0.0 <= row["domain_acc"] <= 2.0
        assert row["loss"] == pytest.approx(
            row["rec"] + row["kl"] + row["domain"], rel=1e-4)


def test_auto_epochs_resolved():
    X, y = digits_subset({0: 30, 1: 10})
    sampler = CVAESeTredSampler(batch_size=64, random_state=0).fit(X, y)
    # 40 samples in batches of 64: one update per epoch, so the 100-epoch cap.
    assert sampler.epochs_ == 100 and len(sampler.history_) == 100


# ------------------------------------------------------------------ domains
def test_domain_split_of_the_fit(fitted):
    sampler = fitted[0]
    # Class 1 gets 30 new samples for 30 real ones, class 2 48 for 12: both
    # at least double; class 0 gets none.
    assert sampler.target_classes_.tolist() == [1, 2]
    assert sampler.source_classes_.tolist() == [0]


@pytest.mark.parametrize(
    "strategy, target",
    [
        ({2: 6}, [2]),          # 6 new for 6 real: doubles
        ({1: 19, 2: 6}, [2]),   # class 1 falls one short of doubling
        ({1: 5}, [1]),          # nothing doubles: the over-sampled class
        ({0: 60, 1: 20, 2: 6}, [0, 1, 2]),
        ({}, []),
    ],
)
def test_domain_split_rule(strategy, target):
    classes = np.array([0, 1, 2])
    counts = np.array([60, 20, 6])
    mask = domain_split(strategy, classes, counts)
    assert classes[mask].tolist() == target


def test_string_labels_and_sampling_strategy_dict(digits):
    X, y = digits
    labels = np.array(["zero", "one", "two"])[y]
    # imbalanced-learn's dict asks for totals: 24 "two"s is 12 new ones.
    sampler = CVAESeTredSampler(sampling_strategy={"two": 24}, **FAST)
    _, y_res = sampler.fit_resample(X, labels)
    assert sampler.target_classes_.tolist() == ["two"]
    assert sorted(sampler.source_classes_.tolist()) == ["one", "zero"]
    assert y_res[len(y):].tolist() == ["two"] * 12


def test_nothing_over_sampled_is_a_plain_cvae():
    X, y = digits_subset({0: 20, 1: 20})
    sampler = CVAESeTredSampler(**FAST)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    np.testing.assert_array_equal(y_res, y)
    assert sampler.target_classes_.tolist() == []
    assert sampler.source_classes_.tolist() == [0, 1]
    assert sampler.target_encoder_ is None
    assert sampler.domain_classifier_ is None
    assert isinstance(sampler.source_encoder_, torch.nn.Module)
    assert set(sampler.history_[0]) == {"phase", "epoch", "loss", "rec", "kl"}
    X_new, _ = sampler.sample({1: 3}, random_state=0)
    assert X_new.shape == (3, 64)


def test_every_class_target_has_no_source(digits):
    X, y = digits
    sampler = CVAESeTredSampler(sampling_strategy={0: 120, 1: 60, 2: 24}, **FAST)
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.target_classes_.tolist() == [0, 1, 2]
    assert sampler.source_classes_.tolist() == []
    assert sampler.source_encoder_ is None
    assert sampler.domain_classifier_ is None
    assert "domain" not in sampler.history_[0]
    assert np.bincount(y_res).tolist() == [120, 60, 24]


def test_lambda_domain_zero_switches_the_classifier_off(digits):
    X, y = digits
    sampler = CVAESeTredSampler(lambda_domain=0.0, **FAST).fit(X, y)
    assert sampler.domain_classifier_ is None
    assert isinstance(sampler.target_encoder_, torch.nn.Module)
    for row in sampler.history_:
        assert set(row) == {"phase", "epoch", "loss", "rec", "kl"}
        assert row["loss"] == pytest.approx(row["rec"] + row["kl"], rel=1e-4)


def test_classifier_trains_through_reversal_each_step(digits, monkeypatch):
    """Every update sends the codes through the gradient-reversal layer with
    the scheduled weight, and the classifier's parameters change."""
    X, y = digits
    weights = []

    def spy(x, weight):
        weights.append(weight)
        return reverse_gradient(x, weight)

    monkeypatch.setattr(_cvae_setred, "reverse_gradient", spy)
    sampler = CVAESeTredSampler(epochs=2, batch_size=32, random_state=0,
                                lambda_domain=0.5)
    sampler.fit(X, y)
    n_updates = 2 * math.ceil(len(y) / 32)
    assert len(weights) == n_updates
    assert weights[0] == 0.0
    assert weights == sorted(weights)
    assert weights[-1] == pytest.approx(0.5 * dann_weight(1.0, "dann"))
    fresh = CVAESeTredSampler(epochs=1, batch_size=32, random_state=0,
                              lambda_domain=0.5, learning_rate=1e-12).fit(X, y)
    changed = [not torch.allclose(a, b) for a, b in zip(
        sampler.domain_classifier_.parameters(),
        fresh.domain_classifier_.parameters())]
    assert all(changed)


def test_classifier_separates_domains_when_not_opposed():
    """With no KL pull and a negligible reversed gradient, nothing stops the
    two encoders' codes from differing, and the classifier learns to tell
    them apart: its loss falls far below log 2."""
    X, y = tabular_data(n_samples=200, weights=(0.8, 0.2))
    sampler = CVAESeTredSampler(
        epochs=15, batch_size=32, random_state=0, beta_kl=0.0,
        lambda_domain=1e-4, domain_schedule="constant",
    ).fit(X, y)
    assert sampler.history_[0]["domain"] > 0.6
    assert sampler.history_[-1]["domain"] < 0.3
    assert sampler.history_[-1]["domain_acc"] > 0.85


def test_constant_schedule_weight(digits):
    X, y = digits
    sampler = CVAESeTredSampler(lambda_domain=2.5, domain_schedule="constant",
                                **FAST).fit(X, y)
    assert sampler.history_[:, "domain_weight"] == pytest.approx([2.5, 2.5])


def test_dann_weight_schedule():
    assert dann_weight(0.0, "dann") == 0.0
    assert dann_weight(0.5, "dann") == pytest.approx(2 / (1 + math.exp(-5)) - 1)
    assert dann_weight(1.0, "dann") == pytest.approx(1.0, abs=1e-4)
    assert dann_weight(0.0, "constant") == dann_weight(0.7, "constant") == 1.0


def test_reverse_gradient():
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    out = reverse_gradient(x, 0.3)
    torch.testing.assert_close(out, x.detach())
    (out * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    torch.testing.assert_close(x.grad, torch.tensor([-0.3, -0.6, -0.9]))


def test_balanced_domain_weights():
    sampler = CVAESeTredSampler()
    counts = np.array([90, 10])
    weights = sampler._domain_weights(counts, "cpu")
    torch.testing.assert_close(weights, torch.tensor([100 / 180, 100 / 20]))
    # Each domain's weights sum to half the samples.
    assert float((weights * torch.tensor([90.0, 10.0]))[0]) == pytest.approx(50.0)
    sampler.set_params(balance_domains=False)
    torch.testing.assert_close(sampler._domain_weights(counts, "cpu"),
                               torch.ones(2))


# ------------------------------------------------------------------ inputs
def test_many_classes():
    X, y = tabular_data(n_samples=200, weights=(0.4, 0.25, 0.15, 0.12, 0.08))
    sampler = CVAESeTredSampler(**FAST)
    _, y_res = sampler.fit_resample(X, y)
    counts = np.bincount(y)
    assert np.bincount(y_res).tolist() == [counts.max()] * 5
    doubled = [k for k in range(5) if counts.max() - counts[k] >= counts[k]]
    assert sampler.target_classes_.tolist() == doubled


# ------------------------------------------------------------------ sample
def test_large_draw_is_chunked(fitted):
    sampler = fitted[0]
    X_new, _ = sampler.sample({2: 700}, random_state=0)
    assert X_new.shape == (700, 64) and np.isfinite(X_new).all()


def test_class_generation(digits, fitted):
    X, y = digits
    sampler, X_res, y_res = fit_resample_digits(X, y, generation="class")
    np.testing.assert_array_equal(y_res, fitted[2])
    # Same training (same seed), other latent draws.
    np.testing.assert_array_equal(sampler.class_means_, fitted[0].class_means_)
    assert not np.allclose(X_res[len(X):], fitted[1][len(X):])


def test_generation_switchable_after_fit(fitted):
    sampler = pickle.loads(pickle.dumps(fitted[0]))
    prior, _ = sampler.sample({2: 5}, random_state=0)
    sampler.set_params(generation="class")
    cls, _ = sampler.sample({2: 5}, random_state=0)
    assert cls.shape == prior.shape and not np.allclose(cls, prior)


# ------------------------------------------------------------------ training
def test_training_loss_decreases(digits):
    X, y = digits
    sampler = CVAESeTredSampler(epochs=6, batch_size=16, random_state=0).fit(X, y)
    rec = sampler.history_[:, "rec"]
    assert len(rec) == 6
    assert rec[-1] < 0.95 * rec[0]


# ------------------------------------------------------------------ parameters
def test_defaults_match_cvae():
    from imblearn_meda.baselines._cvae import CVAESampler

    ours, theirs = CVAESeTredSampler().get_params(), CVAESampler().get_params()
    for name, value in theirs.items():
        assert ours[name] == value, name


@pytest.mark.parametrize(
    "params",
    [{"lambda_domain": -1.0}, {"domain_schedule": "linear"},
     {"balance_domains": "yes"}, {"generation": "posterior"}, {"beta_kl": -1.0},
     {"epochs": 0}, {"latent_dim": 0}, {"learning_rate": 0.0},
     {"batch_size": 0}],
)
def test_invalid_parameters(digits, params):
    X, y = digits
    (name,) = params
    with pytest.raises(ValueError, match=name):
        CVAESeTredSampler(**params).fit(X, y)
