"""What is particular to MGVAESampler; its contract is in test_contract.py."""

import math

import numpy as np
import pytest
import torch

from imblearn_meda import MGVAESampler
from imblearn_meda.baselines._mgvae_model import (
    balanced_subsample,
    leave_out,
    log_mixture_density,
    majority_guided_kl,
)

from conftest import digits_subset, tabular_data

COUNTS = {0: 60, 1: 24, 2: 8}

#: Small settings: every stage runs, for a few updates.
TINY = {"epochs": 3, "finetune_epochs": 5, "batch_size": 32, "n_components": 32,
        "kl_draws": 4, "fisher_samples": 16, "device": "cpu"}


@pytest.fixture(scope="module")
def digits():
    return digits_subset(COUNTS)


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    return MGVAESampler(random_state=0, **TINY).fit(X, y)


def test_tabular_input_gets_dense_networks():
    X, y = tabular_data(weights=(0.8, 0.2))
    sampler = MGVAESampler(random_state=0, **{**TINY, "epochs": 1,
                                              "finetune_epochs": 1}).fit(X, y)
    assert sampler.image_shape_ is None
    assert not any(isinstance(m, torch.nn.Conv2d) for m in sampler.encoder_.modules())


# ------------------------------------------------------------------ fitted state
def test_fitted_attributes(digits, fitted):
    _, y = digits
    sampler = fitted
    assert sampler.minority_classes_.tolist() == [1, 2]
    assert sampler.majority_classes_.tolist() == [0]
    assert (y[sampler.guide_indices_] == 0).all()
    assert len(np.unique(sampler.guide_indices_)) == 60
    assert isinstance(sampler.encoder_, torch.nn.Module)
    assert isinstance(sampler.decoder_, torch.nn.Module)
    assert len(sampler.finetuned_) == 2
    assert sampler.guide_codes_.shape == (2, 60, 16)
    assert sampler.component_var_.shape == (2,) and (sampler.component_var_ > 0).all()
    names = {n for n, p in sampler.finetuned_[0].named_parameters()}
    assert set(sampler.fisher_) == names
    assert all((f >= 0).all() for f in sampler.fisher_.values())
    assert sampler.epochs_ == 3 and sampler.finetune_epochs_ == 5


def test_history_schema(fitted):
    history = fitted.history_
    pre = history.where(phase="pretrain")
    fine = history.where(phase="finetune")
    assert len(pre) == 3 and len(fine) == 2 * 5 and len(history) == 13
    assert [r["epoch"] for r in pre] == [0, 1, 2]
    assert {"phase", "epoch", "loss", "rec", "kl"} == set(pre[0])
    assert {"phase", "class", "epoch", "loss", "rec", "kl", "ewc"} == set(fine[0])
    assert [r["class"] for r in fine] == [1] * 5 + [2] * 5
    assert all(isinstance(r["class"], int) for r in fine)
    for r in fine:
        assert r["loss"] == pytest.approx(r["rec"] + r["kl"] + r["ewc"], rel=1e-4)


def test_auto_epochs_resolved():
    X, y = digits_subset({0: 40, 1: 6})
    sampler = MGVAESampler(random_state=0, **{**TINY, "epochs": "auto",
                                              "finetune_epochs": "auto",
                                              "batch_size": 64})
    sampler.fit(X, y)
    # 40 guides in one batch: 600 updates clipped to 100 epochs; a class of
    # 6 at batch 64: 200 updates = 200 epochs.
    assert sampler.epochs_ == 100 and sampler.finetune_epochs_ == 200
    assert len(sampler.history_) == 300


# ------------------------------------------------------------------ sample
def test_sample_refuses_a_guiding_class(fitted):
    with pytest.raises(ValueError, match="guided the fit"):
        fitted.sample({0: 2})


# ------------------------------------------------------------------ the method
def test_every_class_oversampled_the_largest_guides(digits):
    X, y = digits
    sampler = MGVAESampler(sampling_strategy={0: 65, 1: 34, 2: 18}, random_state=0,
                           **{**TINY, "epochs": 1, "finetune_epochs": 2})
    _, y_res = sampler.fit_resample(X, y)
    assert sampler.majority_classes_.tolist() == [0]
    assert sampler.minority_classes_.tolist() == [0, 1, 2]
    assert np.bincount(y_res).tolist() == [65, 34, 18]
    assert len(sampler.finetuned_) == 3


def test_max_majority_samples_balances_the_guides():
    X, y = digits_subset({0: 50, 1: 12, 3: 40, 2: 6})
    sampler = MGVAESampler(sampling_strategy={2: 10}, max_majority_samples=40,
                           random_state=0, **{**TINY, "epochs": 1, "finetune_epochs": 1})
    sampler.fit(X, y)
    assert sampler.majority_classes_.tolist() == [0, 1, 3]
    guides = y[sampler.guide_indices_]
    assert sorted(np.bincount(guides, minlength=4)[[0, 1, 3]].tolist()) == [12, 14, 14]
    assert sampler.guide_codes_.shape[1] == 40


def test_balanced_subsample():
    y = np.repeat([0, 1, 2], [100, 12, 50])
    with torch.random.fork_rng():
        torch.manual_seed(0)
        picked = balanced_subsample(y, 30).numpy()
        assert np.bincount(y[picked]).tolist() == [10, 10, 10]
        picked = balanced_subsample(y, 40).numpy()
        assert np.bincount(y[picked]).tolist() == [14, 12, 14]
        assert len(np.unique(picked)) == 40
    assert balanced_subsample(y, None).numel() == len(y)


def test_a_sample_is_left_out_of_its_own_prior():
    mask = leave_out(torch.tensor([3, 5, 9]), torch.tensor([5, 7, 3]))
    assert mask.tolist() == [[False, False, True], [True, False, False],
                             [False, False, False]]
    # A sample whose only component is itself keeps it.
    assert leave_out(torch.tensor([1]), torch.tensor([1])).tolist() == [[False]]


def test_mc_kl_against_one_component_is_the_closed_form():
    torch.manual_seed(0)
    mu, log_var = torch.tensor([[0.3, -1.0, 2.0]]), torch.tensor([[-0.5, 0.2, 0.0]])
    centre, prior_log_var = torch.tensor([[1.0, 0.0, 1.5]]), math.log(0.7)
    z = mu + torch.exp(0.5 * log_var) * torch.randn(200_000, 1, 3)
    mc = majority_guided_kl(mu, log_var, z, centre, prior_log_var)
    var, s2 = log_var.exp(), 0.7
    exact = 0.5 * (math.log(s2) - log_var + (var + (mu - centre) ** 2) / s2 - 1.0).sum()
    assert mc.item() == pytest.approx(exact.item(), abs=0.01)


def test_log_mixture_density_and_mask():
    torch.manual_seed(0)
    z, means = torch.randn(2, 4, 3), torch.randn(5, 3)
    mix = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.ones(5)),
        torch.distributions.Independent(torch.distributions.Normal(means, 0.8), 1),
    )
    got = log_mixture_density(z, means, 2 * math.log(0.8))
    torch.testing.assert_close(got, mix.log_prob(z))
    mask = torch.zeros(4, 5, dtype=torch.bool)
    mask[:, 1:] = True
    one = torch.distributions.Independent(torch.distributions.Normal(means[0], 0.8), 1)
    torch.testing.assert_close(log_mixture_density(z, means, 2 * math.log(0.8), mask),
                               one.log_prob(z))


def test_samples_follow_their_guide(digits):
    """A new sample is nearer the decoding of its own guide's code than the
    decoding of the guide whose code is farthest from it."""
    X, y = digits
    sampler = MGVAESampler(component_var=0.01, random_state=0,
                           **{**TINY, "epochs": 20, "finetune_epochs": 10}).fit(X, y)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        new, guide = sampler._guided(2, 200)
    codes = sampler.guide_codes_[1]
    far = torch.cdist(codes[guide], codes).argmax(1)
    with torch.no_grad():
        dec = sampler.finetuned_[1].decode
        own, other = dec(codes[guide]).numpy(), dec(codes[far]).numpy()
    d_own = ((new - own) ** 2).reshape(200, -1).sum(1)
    d_far = ((new - other) ** 2).reshape(200, -1).sum(1)
    assert (d_own < d_far).mean() > 0.95


def test_ewc_keeps_parameters_near_pretrained(digits):
    """A large EWC weight holds the fine-tuned parameters near the pre-trained
    ones: closer overall, and far closer where the Fisher information is high."""
    X, y = digits
    plain, weighted = {}, {}
    for weight in (0.0, 1e4):
        s = MGVAESampler(ewc_weight=weight, random_state=0,
                         **{**TINY, "epochs": 2, "finetune_epochs": 30}).fit(X, y)
        before = dict(s.encoder_.named_parameters(prefix="encoder"))
        before.update(s.decoder_.named_parameters(prefix="decoder"))
        after = dict(s.finetuned_[1].named_parameters())
        sq = {n: (after[n] - p).detach() ** 2 for n, p in before.items()}
        plain[weight] = sum(d.sum() for d in sq.values()).item()
        weighted[weight] = sum((s.fisher_[n] * d).sum() for n, d in sq.items()).item()
        rows = s.history_.where(phase="finetune", **{"class": 2})
        assert (rows[-1]["ewc"] > 0) == (weight > 0)
    assert plain[1e4] < 0.5 * plain[0.0]
    assert weighted[1e4] < 0.01 * weighted[0.0]


def test_normal_pretraining_prior_and_fixed_variance(digits):
    X, y = digits
    s = MGVAESampler(pretrain_prior="normal", component_var=0.5, random_state=0,
                     **{**TINY, "epochs": 2, "finetune_epochs": 2}).fit(X, y)
    np.testing.assert_allclose(s.component_var_, 0.5, rtol=1e-6)
    assert "log_var" not in s.fisher_
    assert all(r["kl"] >= 0 for r in s.history_.where(phase="pretrain"))


# ------------------------------------------------------------------ parameters
@pytest.mark.parametrize("params", [
    {"ewc_weight": -1.0}, {"epochs": 0}, {"finetune_epochs": "many"},
    {"latent_dim": 0}, {"learning_rate": 0.0}, {"n_components": 0}, {"kl_draws": 0},
    {"fisher_samples": 0}, {"component_var": 0.0}, {"component_var": "fixed"},
    {"max_majority_samples": 0}, {"pretrain_prior": "uniform"},
])
def test_invalid_parameters_name_the_parameter(params):
    X, y = digits_subset({0: 20, 1: 4})
    (name,) = params
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        MGVAESampler(**params).fit(X, y)
