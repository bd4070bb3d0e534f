"""Property-based tests (hypothesis): few examples each, no deadline."""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imblearn_meda.exceptions import SynthesisWarning
from imblearn_meda.meda._evolution import eda_update
from imblearn_meda.meda._lgm import GaussianMixture, lgm_terms

from test_lgm import reference_lgm

FEW = settings(max_examples=25, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def lgm_problems(draw):
    n = draw(st.integers(1, 6))
    K = draw(st.integers(2, 5))
    h = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.floats(0.1, 10.0))
    g = torch.Generator().manual_seed(seed)
    F = torch.randn(n, h, generator=g, dtype=torch.float64) * scale
    M = torch.randn(K, h, generator=g, dtype=torch.float64) * scale
    log_S = (torch.rand(K, h, generator=g, dtype=torch.float64) - 0.5) * 6
    y = torch.randint(K, (n,), generator=g)
    alpha = draw(st.floats(0.0, 1.0))
    lam = draw(st.floats(0.0, 2.0))
    return F, y, M, log_S, alpha, lam


@FEW
@given(lgm_problems())
def test_batch_lgm_equals_per_sample(problem):
    F, y, M, log_S, alpha, lam = problem
    loss, logits = lgm_terms(F, y, M, log_S, alpha, lam)
    ref_loss, ref_logits = reference_lgm(
        F.tolist(), y.tolist(), M.tolist(), log_S.exp().tolist(), alpha, lam)
    np.testing.assert_allclose(logits.numpy(), ref_logits, rtol=1e-9, atol=1e-8)
    np.testing.assert_allclose(loss.numpy(), ref_loss, rtol=1e-9, atol=1e-8)


@FEW
@given(
    lo=st.floats(-8.0, 0.0), width=st.floats(0.1, 8.0),
    values=st.lists(st.floats(-1e6, 1e6), min_size=6, max_size=6),
)
def test_variances_positive_and_bounded(lo, width, values):
    hi = lo + width
    gm = GaussianMixture(2, 3, log_var_bounds=(lo, hi))
    with torch.no_grad():
        gm.log_vars.copy_(torch.tensor(values).reshape(2, 3))
    var = gm.variances()
    # float32 storage of the bounds: allow their rounding.
    assert (var > 0).all()
    assert var.min().item() >= math.exp(lo) * (1 - 1e-6)
    assert var.max().item() <= math.exp(hi) * (1 + 1e-6)
    gm.project_()
    assert gm.log_vars.min().item() >= np.float32(lo) - 1e-6
    assert gm.log_vars.max().item() <= np.float32(hi) + 1e-6
    # set_ with arbitrary positive variances also lands inside the bounds.
    gm.set_(torch.zeros(2, 3), torch.tensor(np.abs(values) + 1e-30,
                                            dtype=torch.float32).reshape(2, 3))
    assert gm.log_vars.min().item() >= np.float32(lo) - 1e-6
    assert gm.log_vars.max().item() <= np.float32(hi) + 1e-6


@st.composite
def populations(draw, min_rows=2):
    n = draw(st.integers(min_rows, 30))
    h = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**31 - 1))
    g = torch.Generator().manual_seed(seed)
    scale = draw(st.floats(0.01, 100.0))
    return torch.randn(n, h, generator=g, dtype=torch.float64) * scale + \
        draw(st.floats(-100, 100))


@FEW
@given(pop=populations(), gamma=st.floats(0.0, 1.0))
def test_eda_update_identical_sets_returns_their_stats(pop, gamma):
    mu, var = eda_update(pop, pop, gamma)
    torch.testing.assert_close(mu, pop.mean(0), rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(var, pop.var(0, unbiased=False), rtol=1e-9, atol=1e-9)


@FEW
@given(gm2=populations(), spop=populations())
def test_gamma_one_ignores_spop(gm2, spop):
    if spop.shape[1] != gm2.shape[1]:
        spop = spop[:, :1].expand(-1, gm2.shape[1])
    mu, var = eda_update(gm2, spop, 1.0)
    torch.testing.assert_close(mu, gm2.mean(0))
    torch.testing.assert_close(var, gm2.var(0, unbiased=False))


@FEW
@given(gm2=populations(), spop=populations(), gamma=st.floats(0.0, 1.0))
def test_eda_update_is_convex_combination(gm2, spop, gamma):
    if spop.shape[1] != gm2.shape[1]:
        spop = spop[:, :1].expand(-1, gm2.shape[1])
    mu, var = eda_update(gm2, spop, gamma)
    lo = torch.minimum(gm2.mean(0), spop.mean(0)) - 1e-9
    hi = torch.maximum(gm2.mean(0), spop.mean(0)) + 1e-9
    assert ((mu >= lo) & (mu <= hi)).all()
    assert (var >= 0).all()


@settings(max_examples=10, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(counts=st.dictionaries(st.sampled_from([0, 1, 2]), st.integers(0, 40),
                              max_size=3),
       seed=st.one_of(st.none(), st.integers(0, 1000)))
def test_sample_returns_exactly_the_counts_asked(fitted_digits, counts, seed):
    sampler, _, _ = fitted_digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SynthesisWarning)
        X_new, y_new = sampler.sample(counts, random_state=seed)
    assert X_new.shape == (sum(counts.values()), 64)
    assert X_new.dtype == np.float64
    for label, n in counts.items():
        assert int((y_new == label).sum()) == n
    expected = [label for label, n in counts.items() for _ in range(n)]
    assert y_new.tolist() == expected


@pytest.mark.parametrize("k", [2, 3])
def test_reference_lgm_self_check(k):
    """The loop reference itself: CE of uniform logits is log K."""
    F = [[0.0, 0.0]]
    M = [[0.0, 0.0]] * k
    S = [[1.0, 1.0]] * k
    losses, _ = reference_lgm(F, [0], M, S, 0.5, 0.0)
    assert losses[0] == pytest.approx(math.log(k))
