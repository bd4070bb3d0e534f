"""Phase 4: the estimation-of-distribution update (Eq. 25-28 of the paper)."""

import types

import pytest
import torch

from imblearn_meda.meda._evolution import (
    EvolutionSettings,
    Fitness,
    eda_update,
    evolve_class,
    select_diverse,
)
from imblearn_meda.meda._proposals import LatentGaussian, Proposer, correlation_factors
from imblearn_meda.meda._similarity import AverageHasher


def test_eda_update_identical_sets_returns_their_statistics():
    g = torch.Generator().manual_seed(0)
    pop = torch.randn(50, 6, generator=g, dtype=torch.float64) * 3 + 1
    for gamma in (0.0, 0.3, 0.8, 1.0):
        mu, var = eda_update(pop, pop.clone(), gamma)
        torch.testing.assert_close(mu, pop.mean(0))
        torch.testing.assert_close(var, pop.var(0, unbiased=False))


def test_eda_update_gamma_one_ignores_spop_and_zero_uses_only_spop():
    g = torch.Generator().manual_seed(1)
    gm2 = torch.randn(40, 3, generator=g, dtype=torch.float64)
    spop = torch.randn(8, 3, generator=g, dtype=torch.float64) * 10 + 100
    mu, var = eda_update(gm2, spop, 1.0)
    torch.testing.assert_close(mu, gm2.mean(0))
    torch.testing.assert_close(var, gm2.var(0, unbiased=False))
    mu, var = eda_update(gm2, spop, 0.0)
    torch.testing.assert_close(mu, spop.mean(0))
    torch.testing.assert_close(var, spop.var(0, unbiased=False))
    mu, var = eda_update(gm2, spop, 0.25)
    torch.testing.assert_close(mu, 0.25 * gm2.mean(0) + 0.75 * spop.mean(0))
    torch.testing.assert_close(
        var, 0.25 * gm2.var(0, unbiased=False) + 0.75 * spop.var(0, unbiased=False))


def test_select_diverse_takes_the_lowest_similarities():
    fit = torch.tensor([0.9, 0.1, 0.5, 0.3, 0.95, 0.2, 0.7, 0.8, 0.6, 0.4])
    assert sorted(select_diverse(fit, 0.3).tolist()) == [1, 3, 5]
    assert sorted(select_diverse(fit, 0.01).tolist()) == [1, 5]  # at least 2
    assert len(select_diverse(fit, 1.0)) == 10
    assert len(select_diverse(fit[:1], 0.5)) == 1  # never more than there are


class StubClassifier:
    """Logits that vote for class ``k`` where ``accept(x)`` holds, else class 0."""

    def __init__(self, k, n_classes, accept):
        self.k, self.n_classes, self.accept = k, n_classes, accept

    def __call__(self, x):
        flat = x.flatten(1)
        logits = torch.zeros(flat.shape[0], self.n_classes)
        ok = self.accept(flat)
        logits[ok, self.k] = 1.0
        logits[~ok, 0 if self.k != 0 else 1] = 1.0
        return logits


def stub_model(k, latent_ok=lambda f: torch.ones(len(f), dtype=torch.bool),
               image_ok=lambda x: torch.ones(len(x), dtype=torch.bool)):
    return types.SimpleNamespace(
        latent_classifier=StubClassifier(k, 3, latent_ok),
        decoder=lambda f: f.clone(),  # "images" are the latents themselves
        image_classifier=StubClassifier(k, 3, image_ok),
    )


def evolve(model, k, mu, var, fitness, n_generations, population_size, eta, gamma,
           var_bounds, selection="fitness", anchors=None, guides=None, guidance=0.0):
    """evolve_class with decoded (or, given anchors, residual) proposals."""
    codes = None if anchors is None else anchors.flatten(1)
    proposer = Proposer(model.decoder, anchors, codes, guides, 0.1, is_image=False)
    settings = EvolutionSettings(n_generations, population_size, eta, gamma, var_bounds,
                                 selection)
    gauss, rows = evolve_class(proposer, LatentGaussian(mu, var, guidance), k,
                               model.latent_classifier, model.image_classifier,
                               fitness, settings)
    return gauss.center, gauss.var, rows


def first_feature_fitness(x):
    """Similarity = first coordinate: the most diverse have the lowest x0."""
    return x.flatten(1)[:, 0]


def test_evolve_class_mean_moves_toward_the_diverse_individuals():
    torch.manual_seed(0)
    mu, var = torch.zeros(4), torch.ones(4)
    new_mu, new_var, rows = evolve(
        stub_model(1), 1, mu, var, first_feature_fitness, n_generations=1,
        population_size=2000, eta=0.1, gamma=0.0, var_bounds=(1e-6, 1e6))
    # Spop = lowest 10% of x0 of a standard normal: mean about -1.75.
    assert new_mu[0].item() < -1.5
    assert new_mu[1:].abs().max().item() < 0.3
    assert new_var[0].item() < 0.5  # the tail is narrow in x0
    assert rows[0]["gm1"] == 2000 and rows[0]["gm2"] == 2000


def test_evolve_class_mean_moves_toward_the_accepted_individuals():
    """Quality: with gamma=1 the Gaussian becomes that of what both classifiers accept."""
    torch.manual_seed(0)
    model = stub_model(
        2,
        latent_ok=lambda f: f[:, 1] > 0,          # C_ltt accepts x1 > 0
        image_ok=lambda x: x[:, 2] < 0.5,         # C_img accepts x2 < 0.5
    )
    mu, var = torch.zeros(3), torch.ones(3)
    new_mu, new_var, rows = evolve(
        model, 2, mu, var, first_feature_fitness, 1, 4000, 0.2, 1.0, (1e-6, 1e6))
    assert new_mu[1].item() > 0.6   # half-normal mean 0.80
    assert new_mu[2].item() < -0.2  # normal truncated at 0.5: mean about -0.51
    assert abs(new_mu[0].item()) < 0.15
    assert 1500 < rows[0]["gm1"] < 2500
    assert rows[0]["gm2"] < rows[0]["gm1"]


def test_evolve_class_uses_the_given_fitness():
    torch.manual_seed(0)
    calls = []

    def fitness(x):
        calls.append(x.shape[0])
        return -x.flatten(1)[:, 3]  # most diverse = largest x3

    new_mu, _, rows = evolve(stub_model(0), 0, torch.zeros(4), torch.ones(4),
                                   fitness, 3, 500, 0.1, 0.0, (1e-6, 1e6))
    assert calls == [500, 500, 500]
    assert new_mu[3].item() > 2.0  # moved up three generations in a row
    assert [r["generation"] for r in rows] == [0, 1, 2]


def test_evolve_class_clamps_variances_to_bounds():
    torch.manual_seed(0)
    _, var, _ = evolve(stub_model(1), 1, torch.zeros(3), torch.full((3,), 4.0),
                             first_feature_fitness, 1, 500, 0.5, 0.8, (0.5, 1.5))
    assert var.min().item() >= 0.5 and var.max().item() <= 1.5
    assert var.max().item() == 1.5


def test_evolve_class_stops_and_keeps_gaussian_when_nothing_is_accepted():
    torch.manual_seed(0)
    mu, var = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 0.25])
    reject_all = lambda f: torch.zeros(len(f), dtype=torch.bool)  # noqa: E731
    new_mu, new_var, rows = evolve(
        stub_model(1, latent_ok=reject_all), 1, mu, var, first_feature_fitness, 5,
        100, 0.2, 0.8, (1e-6, 1e6))
    assert torch.equal(new_mu, mu) and torch.equal(new_var, var)
    assert len(rows) == 1 and rows[0]["stopped"] == 1 and rows[0]["gm1"] == 0
    new_mu, new_var, rows = evolve(
        stub_model(1, image_ok=reject_all), 1, mu, var, first_feature_fitness, 5,
        100, 0.2, 0.8, (1e-6, 1e6))
    assert torch.equal(new_mu, mu) and torch.equal(new_var, var)
    assert rows[0]["gm1"] == 100 and rows[0]["gm2"] == 0 and rows[0]["stopped"] == 1


@pytest.mark.parametrize("how", ["max", "mean"])
def test_fitness_aggregates_hash_similarities(how):
    hasher = AverageHasher((1, 8, 8), torch.device("cpu"))
    g = torch.Generator().manual_seed(0)
    real = torch.rand(5, 1, 8, 8, generator=g)
    fit = Fitness(real, hasher, how)
    syn = torch.cat([real[:1], torch.rand(3, 1, 8, 8, generator=g)])
    values = fit(syn)
    bits_s, bits_r = hasher.hash(syn).float(), hasher.hash(real).float()
    sims = 1 - torch.cdist(bits_s, bits_r, p=1) / 64
    expected = sims.max(1).values if how == "max" else sims.mean(1)
    torch.testing.assert_close(values, expected)
    if how == "max":
        assert values[0].item() == 1.0  # a copy of a real image is least diverse


def test_fitness_euclidean_for_tabular():
    real = torch.tensor([[0.0, 0.0], [3.0, 4.0]])
    fit = Fitness(real, None, "max")
    values = fit(torch.tensor([[0.0, 0.0], [6.0, 8.0]]))
    torch.testing.assert_close(values, torch.tensor([1.0, 1.0 / 6.0]))


def test_random_selection_is_the_control_without_fitness():
    """Ranked at random, the diversity set is a random subset of GM_2: the
    Gaussian stays where sampling noise leaves it."""
    torch.manual_seed(0)
    new_mu, _, _ = evolve(stub_model(1), 1, torch.zeros(4), torch.ones(4),
                          first_feature_fitness, 1, 2000, 0.1, 0.0, (1e-6, 1e6),
                          selection="random")
    assert new_mu.abs().max().item() < 0.3


def test_residual_individuals_are_displacements_around_anchors():
    """With anchors, an individual's code is its anchor's code plus the
    displacement, and Phase 4 evolves the displacement's Gaussian."""
    torch.manual_seed(0)
    anchors = torch.tensor([[5.0, 0.0, 0.0], [-5.0, 0.0, 0.0]])
    seen = []

    def fitness(x):
        seen.append(x)
        return -x[:, 1]  # the most diverse have the largest x1

    new_mu, _, _ = evolve(stub_model(1), 1, torch.zeros(3), torch.ones(3), fitness, 1,
                          1000, 0.1, 0.0, (1e-6, 1e6), anchors=anchors)
    x = seen[0]
    # identity decoder: x = anchor + G(e + d) - G(e) = anchor + d, around both anchors
    assert ((x[:, 0] > 2.5).sum() > 300) and ((x[:, 0] < -2.5).sum() > 300)
    assert new_mu[1].item() > 1.5 and abs(new_mu[0].item()) < 0.5


def test_neighbour_interpolation_steps_toward_the_nearest_anchors_only():
    """A code moves a share t <= lam of the way from its anchor's code to one
    of the anchor's five nearest anchors; the Gaussian draw d is unchanged,
    so Phase 4 still evolves the displacement alone."""
    torch.manual_seed(0)
    xs = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 100.0])
    codes = torch.stack([xs, torch.zeros(7)], dim=1)
    tiny = LatentGaussian(torch.zeros(2), torch.full((2,), 1e-12))
    off = Proposer(lambda f: f.clone(), codes, codes, is_image=False)
    assert off.neighbours is None
    batch = off.draw(tiny, 500)
    assert torch.equal(batch.f, codes[batch.owner] + batch.d)
    on = Proposer(lambda f: f.clone(), codes, codes, is_image=False, interpolation=0.5)
    first = on.draw(tiny, 4000, torch.zeros(4000, dtype=torch.long))
    assert first.d.abs().max() < 1e-5
    # Anchor 0's neighbours are the anchors at 1..5, never the one at 100.
    assert first.f[:, 0].min() >= 0.0 and first.f[:, 0].max() <= 2.5 + 1e-5
    assert first.f[:, 0].max() > 2.3 and (first.f[:, 0] < 0.1).any()
    last = on.draw(tiny, 4000, torch.full((4000,), 6, dtype=torch.long))
    # The far anchor steps at most half way toward its nearest (1..5).
    assert last.f[:, 0].min() >= 50.5 - 1e-4 and last.f[:, 0].max() <= 100.0 + 1e-5
    assert torch.all(last.f[:, 1].abs() < 1e-5)


def test_guidance_share_follows_the_selected_individuals():
    """With majority guides, each individual carries a share w of guided
    variation; the class's share moves toward the shares Spop holds."""
    torch.manual_seed(0)
    guides = torch.tensor([[3.0, 0.0]]).repeat(10, 1)  # a fixed guided direction

    def fitness(x):
        return -x[:, 0]  # most diverse: largest x0, i.e. the largest shares

    _, _, rows = evolve(stub_model(1), 1, torch.zeros(2), torch.ones(2), fitness, 3,
                        1000, 0.2, 0.0, (1e-6, 1e6), guides=guides, guidance=0.3)
    shares = [r["guidance"] for r in rows]
    assert 0.3 < shares[0] < shares[1] < shares[2]
    _, _, rows = evolve(stub_model(1), 1, torch.zeros(2), torch.ones(2), fitness, 3,
                        1000, 0.2, 1.0, (1e-6, 1e6), guides=guides, guidance=0.3)
    assert abs(rows[-1]["guidance"] - 0.3) < 0.05  # gamma=1: GM_2's mean share only


def test_correlation_factors_recover_a_class_correlation():
    """``covariance='full'``: the Cholesky factor of each class's (shrunk)
    correlation, so that draws keep the class's variances and correlations."""
    torch.manual_seed(0)
    z = torch.randn(4000, 1)
    a = torch.cat([z, 0.9 * z + 0.3 * torch.randn(4000, 1), torch.randn(4000, 1)], dim=1) * torch.tensor([1.0, 3.0, 0.5])
    codes = torch.cat([a, torch.randn(30, 3)])
    y = torch.cat([torch.zeros(4000, dtype=torch.long), torch.ones(30, dtype=torch.long)])
    trils = correlation_factors(codes, y, 3)
    assert trils.shape == (3, 3, 3)
    corr = trils[0] @ trils[0].T
    expected = torch.corrcoef(a.T)
    assert torch.allclose(corr, expected, atol=0.02)
    assert torch.allclose(torch.diagonal(trils[1] @ trils[1].T), torch.ones(3), atol=1e-4)
    assert torch.equal(trils[2], torch.eye(3))  # no sample: the identity
    # Draws with the factor keep the variance V per dimension and the correlation.
    var = torch.tensor([1.0, 9.0, 0.25])
    proposer = Proposer(lambda f: f.clone(), is_image=False)
    d = proposer.draw(LatentGaussian(torch.zeros(3), var, 0.0, trils[0]), 20000).d
    assert torch.allclose(d.var(0), var, rtol=0.05)
    assert torch.corrcoef(d.T)[0, 1] > 0.85
    diag = proposer.draw(LatentGaussian(torch.zeros(3), var), 20000).d
    assert torch.corrcoef(diag.T)[0, 1].abs() < 0.05


def test_evolution_keeps_the_correlation_factor():
    torch.manual_seed(0)
    tril = torch.linalg.cholesky(torch.tensor([[1.0, 0.8], [0.8, 1.0]]))
    proposer = Proposer(lambda f: f.clone(), is_image=False)
    settings = EvolutionSettings(2, 500, 0.5, 0.5, (1e-6, 1e6), "fitness")
    gauss, _ = evolve_class(proposer, LatentGaussian(torch.zeros(2), torch.ones(2), 0.0, tril),
                            1, stub_model(1).latent_classifier,
                            stub_model(1).image_classifier, first_feature_fitness, settings)
    assert gauss.tril is tril
