"""The L-GM loss with learnable diagonal covariance (Eq. 5-16 of the paper)."""

import math

import numpy as np
import pytest
import torch

from imblearn_meda.meda._lgm import GaussianMixture, lgm_terms, mahalanobis_half


def reference_lgm(F, y, M, S, alpha, lam):
    """Eq. 5-6 evaluated one sample and one class at a time, in Python floats.

    Returns per-sample losses and logits (lists).
    """
    n, h = len(F), len(F[0])
    K = len(M)
    losses, all_logits = [], []
    for i in range(n):
        d = []
        logq = []
        for k in range(K):
            dist = 0.0
            logdet = 0.0
            for j in range(h):
                dist += (F[i][j] - M[k][j]) ** 2 / S[k][j]
                logdet += math.log(S[k][j])
            d.append(0.5 * dist)
            logq.append(-0.5 * logdet)
        logits = [
            -d[k] * (1.0 + (alpha if k == y[i] else 0.0)) + logq[k] for k in range(K)
        ]
        top = max(logits)
        log_z = top + math.log(sum(math.exp(v - top) for v in logits))
        ce = log_z - logits[y[i]]
        losses.append(ce + lam * (d[y[i]] - logq[y[i]]))
        all_logits.append(logits)
    return losses, all_logits


def random_problem(n=7, K=3, h=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    F = torch.randn(n, h, generator=g, dtype=torch.float64) * 2
    M = torch.randn(K, h, generator=g, dtype=torch.float64)
    log_S = torch.rand(K, h, generator=g, dtype=torch.float64) * 3 - 1.5
    y = torch.randint(K, (n,), generator=g)
    return F, y, M, log_S


@pytest.mark.parametrize("alpha, lam", [(0.0, 0.0), (0.1, 0.01), (0.7, 2.0)])
def test_batch_form_matches_per_sample_loops(alpha, lam):
    F, y, M, log_S = random_problem()
    loss, logits = lgm_terms(F, y, M, log_S, alpha, lam)
    ref_loss, ref_logits = reference_lgm(
        F.tolist(), y.tolist(), M.tolist(), log_S.exp().tolist(), alpha, lam
    )
    np.testing.assert_allclose(loss.numpy(), ref_loss, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(logits.numpy(), ref_logits, rtol=1e-10, atol=1e-10)


def test_mahalanobis_matches_direct_difference():
    F, _, M, log_S = random_problem(n=5, K=4, h=6, seed=3)
    d = mahalanobis_half(F, M, log_S)
    direct = 0.5 * (((F[:, None, :] - M[None]) ** 2) / log_S.exp()[None]).sum(-1)
    np.testing.assert_allclose(d.numpy(), direct.numpy(), rtol=1e-12)


def test_distance_is_zero_on_the_mean_and_never_negative():
    M = torch.tensor([[1e3, -2e3, 5e2]], dtype=torch.float32)
    d = mahalanobis_half(M.clone(), M, torch.zeros(1, 3))
    assert d.item() >= 0.0
    assert d.item() < 1.0  # float32 cancellation, clamped at 0, stays tiny


def test_margin_raises_loss_of_correctly_classified_sample():
    M = torch.tensor([[0.0, 0.0], [4.0, 0.0]], dtype=torch.float64)
    log_S = torch.zeros(2, 2, dtype=torch.float64)
    F = torch.tensor([[0.5, 0.2]], dtype=torch.float64)  # near class 0
    y = torch.tensor([0])
    loss0, logits0 = lgm_terms(F, y, M, log_S, 0.0, 0.0)
    loss1, logits1 = lgm_terms(F, y, M, log_S, 0.5, 0.0)
    assert logits0.argmax().item() == 0  # correctly classified
    assert loss1.item() > loss0.item()
    # Only the true class's logit is changed by the margin.
    assert logits1[0, 1].item() == logits0[0, 1].item()
    assert logits1[0, 0].item() < logits0[0, 0].item()


def test_lambda_scales_the_likelihood_term():
    F, y, M, log_S = random_problem(seed=1)
    base, _ = lgm_terms(F, y, M, log_S, 0.2, 0.0)
    one, _ = lgm_terms(F, y, M, log_S, 0.2, 1.0)
    three, _ = lgm_terms(F, y, M, log_S, 0.2, 3.0)
    lkd = one - base
    np.testing.assert_allclose((three - base).numpy(), 3 * lkd.numpy(), rtol=1e-10)
    # The likelihood term is d_{i,y} - log q_y.
    d = mahalanobis_half(F, M, log_S)
    logq = -0.5 * log_S.sum(1)
    np.testing.assert_allclose(
        lkd.numpy(), (d[torch.arange(len(y)), y] - logq[y]).numpy(), rtol=1e-10
    )


def test_doubling_variances_halves_distances():
    F, _, M, log_S = random_problem(seed=2)
    d1 = mahalanobis_half(F, M, log_S)
    d2 = mahalanobis_half(F, M, log_S + math.log(2.0))
    np.testing.assert_allclose(d2.numpy(), d1.numpy() / 2, rtol=1e-10)


def test_unit_variance_reduces_to_original_lgm():
    """With S = 1: d = 1/2 ||f - mu||^2, log q = 0 (Wan et al., 2018)."""
    F, y, M, _ = random_problem(seed=4)
    alpha, lam = 0.3, 0.1
    loss, logits = lgm_terms(F, y, M, torch.zeros_like(M), alpha, lam)
    d = 0.5 * torch.cdist(F, M) ** 2
    onehot = torch.nn.functional.one_hot(y, M.shape[0]).double()
    ref_logits = -d * (1 + alpha * onehot)
    ref = torch.nn.functional.cross_entropy(ref_logits, y, reduction="none") + \
        lam * d[torch.arange(len(y)), y]
    np.testing.assert_allclose(logits.numpy(), ref_logits.numpy(), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(loss.numpy(), ref.numpy(), rtol=1e-9, atol=1e-9)


def test_gradients_reach_features_means_and_variances():
    F, y, M, log_S = random_problem(seed=5)
    F.requires_grad_(True)
    M.requires_grad_(True)
    log_S.requires_grad_(True)
    loss, _ = lgm_terms(F, y, M, log_S, 0.1, 0.1)
    loss.mean().backward()
    for t in (F, M, log_S):
        assert t.grad is not None and torch.isfinite(t.grad).all()
        assert t.grad.abs().sum() > 0


def test_mixture_clamps_log_variances_on_use():
    gm = GaussianMixture(2, 3, log_var_bounds=(-1.0, 0.5))
    with torch.no_grad():
        gm.log_vars.copy_(torch.tensor([[-5.0, 0.0, 5.0], [0.2, -0.9, 9.0]]))
    expected = torch.tensor([[-1.0, 0.0, 0.5], [0.2, -0.9, 0.5]])
    assert torch.equal(gm.clamped_log_vars(), expected)
    torch.testing.assert_close(gm.variances(), expected.exp())
    # The loss sees the clamped values.
    feat = torch.randn(4, 3)
    y = torch.tensor([0, 1, 1, 0])
    loss, _ = gm.loss(feat, y, 0.1, 0.1)
    ref, _ = lgm_terms(feat, y, gm.means, expected, 0.1, 0.1)
    torch.testing.assert_close(loss, ref)
    # The stored values are untouched until project_().
    assert gm.log_vars[0, 0].item() == -5.0
    gm.project_()
    assert torch.equal(gm.log_vars.detach(), expected)


def test_mixture_set_clamps_and_sample_uses_class_gaussians():
    gm = GaussianMixture(2, 2, log_var_bounds=(-2.0, 1.0))
    means = torch.tensor([[10.0, -10.0], [0.0, 0.0]])
    gm.set_(means, torch.tensor([[1e-9, 1.0], [1e9, 0.25]]))
    torch.testing.assert_close(gm.log_vars.detach(), torch.tensor(
        [[-2.0, 0.0], [1.0, math.log(0.25)]]))
    g = torch.Generator().manual_seed(0)
    z = gm.sample(torch.zeros(4000, dtype=torch.long), generator=g)
    assert torch.allclose(z.mean(0), means[0], atol=0.1)
    assert torch.allclose(z.var(0), torch.tensor([math.exp(-2.0), 1.0]), rtol=0.1)


def test_detached_loss_gives_no_gradient_to_the_mixture():
    gm = GaussianMixture(3, 4)
    feat = torch.randn(5, 4, requires_grad=True)
    loss, _ = gm.loss(feat, torch.tensor([0, 1, 2, 0, 1]), 0.1, 0.1, detach=True)
    loss.sum().backward()
    assert gm.means.grad is None and gm.log_vars.grad is None
    assert feat.grad is not None


@pytest.mark.parametrize("direction", [-1.0, 1.0])
def test_variances_stay_bounded_under_many_optimiser_steps(direction):
    """An aggressive optimiser pushing log S down (or up) never leaves the bounds."""
    lo, hi = -2.0, 1.5
    gm = GaussianMixture(3, 4, log_var_bounds=(lo, hi))
    opt = torch.optim.Adam(gm.parameters(), lr=0.5)
    g = torch.Generator().manual_seed(0)
    y = torch.arange(3).repeat(10)
    for _ in range(200):
        if direction < 0:
            # Features on the means: only the -log q term acts, shrinking S.
            feat = gm.means.detach()[y]
        else:
            # Features far from every mean: the distance term grows S.
            feat = 50.0 * torch.randn(len(y), 4, generator=g)
        loss, _ = gm.loss(feat, y, 0.1, 1.0)
        opt.zero_grad()
        loss.mean().backward()
        opt.step()
        gm.project_()
        assert gm.log_vars.min().item() >= lo and gm.log_vars.max().item() <= hi
    target = lo if direction < 0 else hi
    assert torch.allclose(gm.log_vars.detach(), torch.full((3, 4), target), atol=0.05)
    assert torch.isfinite(gm.variances()).all()
