"""MEDALUDESampler: the input/output contract and the parameters that steer it."""

import copy
import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from imblearn_meda import MEDALUDESampler
from imblearn_meda.exceptions import SynthesisWarning
from imblearn_meda.meda import PAPER_SETTINGS

from conftest import FAST, changed, snapshot

# A two-epoch model often cannot pass its own filter for the smallest class;
# the fallback warns. That path has its own test below.
pytestmark = pytest.mark.filterwarnings(
    "ignore::imblearn_meda.exceptions.SynthesisWarning"
)


def make(**params):
    return MEDALUDESampler(**(FAST | {"random_state": 0} | params))


def check_contract(X, y, X_res, y_res, sampler):
    """Originals first and unchanged; new samples as sampling_strategy_ asks."""
    n = len(y)
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(y_res[:n], y)
    classes, counts = np.unique(y, return_counts=True)
    new_labels, new_counts = np.unique(y_res[n:], return_counts=True)
    expected = {c: k for c, k in sampler.sampling_strategy_.items() if k > 0}
    assert dict(zip(new_labels.tolist(), new_counts.tolist())) == expected
    # New samples come class by class, in sampling_strategy_ order.
    order = [c for c in sampler.sampling_strategy_ if sampler.sampling_strategy_[c] > 0]
    runs = [c for i, c in enumerate(y_res[n:]) if i == 0 or c != y_res[n + i - 1]]
    assert runs == order


# ---------------------------------------------------------------- counts
@pytest.mark.parametrize(
    "strategy, expected",
    [
        ("auto", {1: 30, 2: 48}),
        ("minority", {2: 48}),
        ("not majority", {1: 30, 2: 48}),
        ("all", {0: 0, 1: 30, 2: 48}),
        ({1: 35, 2: 20}, {1: 5, 2: 8}),
        (lambda y: {2: 13}, {2: 1}),
    ],
    ids=["auto", "minority", "not-majority", "all", "dict", "callable"],
)
def test_counts_match_sampling_strategy(digits, strategy, expected):
    X, y = digits
    sampler = make(sampling_strategy=strategy)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == expected
    check_contract(X, y, X_res, y_res, sampler)


def test_float_sampling_strategy_on_binary_data(digits):
    X, y = digits
    keep = y != 1
    X, y = X[keep], y[keep]
    sampler = make(sampling_strategy=0.5)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {2: 18}
    check_contract(X, y, X_res, y_res, sampler)


def test_new_samples_are_new(fitted_digits, digits):
    X, _ = digits
    _, X_res, _ = fitted_digits
    new = X_res[len(X):]
    # Not copies of the originals: every new sample differs from every real one.
    assert (np.abs(new[:, None, :] - X[None]).max(-1) > 0).all()


def test_tabular_five_features(tabular):
    X, y = tabular
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ is None
    check_contract(X, y, X_res, y_res, sampler)
    new = X_res[len(X):]
    assert len(np.unique(new, axis=0)) > 1


# ---------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.uint8, bool])
def test_dtype_family_is_preserved(digits, dtype):
    X, y = digits
    if dtype is np.uint8:
        Xd = np.rint(X * 255 / 16).astype(np.uint8)
    elif dtype is bool:
        Xd = X > 8
    else:
        Xd = X.astype(dtype)
    X_res, y_res = make().fit_resample(Xd, y)
    assert X_res.dtype == Xd.dtype
    np.testing.assert_array_equal(X_res[: len(Xd)], Xd)
    new = X_res[len(Xd):]
    assert len(new) == 78
    if dtype is np.uint8:
        assert new.max() <= Xd.max() and new.min() >= Xd.min()
    if dtype is bool:
        assert set(np.unique(new).tolist()) <= {False, True}


# ---------------------------------------------------------------- shapes
def test_2d_with_explicit_image_shape(digits):
    X, y = digits
    # 64 features read as 4x16 images: not the square the default would pick.
    sampler = make(image_shape=(4, 16))
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ == (1, 4, 16)
    assert X_res.shape == (len(y) + 78, 64)
    check_contract(X, y, X_res, y_res, sampler)


def test_2d_square_is_inferred_as_grey_image(fitted_digits):
    sampler, X_res, _ = fitted_digits
    assert sampler.image_shape_ == (1, 8, 8)
    assert X_res.ndim == 2 and X_res.shape[1] == 64


def test_3d_input_gives_3d_output(digits):
    X, y = digits
    X3 = X.reshape(-1, 8, 8)
    sampler = make()
    X_res, y_res = sampler.fit_resample(X3, y)
    assert sampler.image_shape_ == (1, 8, 8)
    assert X_res.shape == (len(y) + 78, 8, 8)
    check_contract(X3, y, X_res, y_res, sampler)
    X_new, _ = sampler.sample({2: 3})
    assert X_new.shape == (3, 8, 8)


def test_4d_rgb_input_gives_4d_output():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [40, 10])
    X = rng.random((50, 3, 6, 6)).astype(np.float32)
    X[y == 1, 0] *= 0.3  # a visible difference between the classes
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ == (3, 6, 6)
    assert X_res.shape == (80, 3, 6, 6) and X_res.dtype == np.float32
    check_contract(X, y, X_res, y_res, sampler)


def test_callers_arrays_are_not_modified(digits):
    X, y = digits
    X3 = X.reshape(-1, 1, 8, 8).astype(np.float32)
    X_copy, y_copy = X3.copy(), y.copy()
    make().fit_resample(X3, y)
    np.testing.assert_array_equal(X3, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert X3.flags.writeable


# ---------------------------------------------------------------- determinism
def test_same_random_state_same_output(digits):
    X, y = digits
    a = make(random_state=3).fit_resample(X, y)
    b = make(random_state=3).fit_resample(X, y)
    c = make(random_state=4).fit_resample(X, y)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_refit_of_same_object_is_reproducible(digits):
    X, y = digits
    sampler = make(random_state=5)
    first = sampler.fit_resample(X, y)[0]
    means = sampler.means_.copy()
    second = sampler.fit_resample(X, y)[0]
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(means, sampler.means_)



def test_fitted_attributes(fitted_digits):
    sampler, _, _ = fitted_digits
    K, h = 3, FAST["latent_dim"]
    np.testing.assert_array_equal(sampler.classes_, [0, 1, 2])
    for name in ("means_", "variances_", "init_means_", "init_variances_"):
        value = getattr(sampler, name)
        assert value.shape == (K, h) and value.dtype == np.float64, name
        assert np.isfinite(value).all(), name
    lo, hi = np.exp(sampler.log_var_bounds)
    assert (sampler.variances_ > 0).all()
    assert (sampler.variances_ >= lo * (1 - 1e-6)).all()
    assert (sampler.variances_ <= hi * (1 + 1e-6)).all()
    for name in ("encoder_", "decoder_", "latent_classifier_", "image_classifier_"):
        net = getattr(sampler, name)
        assert isinstance(net, torch.nn.Module) and not net.training, name
    assert sampler.device_ == torch.device("cpu")
    assert sampler.batch_size_ == FAST["batch_size"]
    assert sampler.n_features_in_ == 64
    assert set(sampler.acceptance_) == {1, 2}  # what fit_resample synthesised
    assert all(0.0 <= v <= 1.0 for v in sampler.acceptance_.values())
    phases = [row["phase"] for row in sampler.history_]
    assert phases.count("phase1") == FAST["pretrain_epochs"] == sampler.pretrain_epochs_
    assert phases.count("phase2") == FAST["phase2_epochs"] * FAST["n_iterations"]
    assert phases.count("phase3") == FAST["phase3_epochs"] * FAST["n_iterations"]
    assert phases.count("phase4") >= 2  # at least one row per over-sampled class
    assert phases == sorted(phases)
    rows4 = [r for r in sampler.history_ if r["phase"] == "phase4"]
    assert {r["class"] for r in rows4} == {1, 2}  # only the over-sampled classes
    assert all(np.isfinite(r["loss"]) for r in sampler.history_ if r["phase"] != "phase4")


# ---------------------------------------------------------------- sample()
def test_sample_exact_counts_without_refit(fitted_digits):
    sampler, _, _ = fitted_digits
    sampler = copy.deepcopy(sampler)
    nets = {name: snapshot(getattr(sampler, name)) for name in
            ("encoder_", "decoder_", "latent_classifier_", "image_classifier_")}
    means, history = sampler.means_.copy(), len(sampler.history_)
    X_new, y_new = sampler.sample({0: 3, 2: 11, 1: 0})
    assert X_new.shape == (14, 64)
    assert y_new.tolist() == [0] * 3 + [2] * 11
    for name, before in nets.items():
        assert changed(before, getattr(sampler, name)) == set(), name
    np.testing.assert_array_equal(means, sampler.means_)
    assert len(sampler.history_) == history


def test_sample_without_seed_draws_afresh_with_seed_repeats(fitted_digits):
    sampler, _, _ = fitted_digits
    first, _ = sampler.sample({1: 5})
    second, _ = sampler.sample({1: 5})
    assert not np.array_equal(first, second)
    a, _ = sampler.sample({1: 5}, random_state=1)
    b, _ = sampler.sample({1: 5}, random_state=1)
    c, _ = sampler.sample({1: 5}, random_state=2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_sample_zero_and_empty_counts(fitted_digits):
    sampler, _, _ = fitted_digits
    X_new, y_new = sampler.sample({})
    assert X_new.shape == (0, 64) and y_new.shape == (0,)
    X_new, y_new = sampler.sample({1: 0})
    assert X_new.shape == (0, 64)


def test_sample_rejects_bad_counts(fitted_digits):
    sampler, _, _ = fitted_digits
    with pytest.raises(ValueError, match="not seen in fit"):
        sampler.sample({7: 3})
    with pytest.raises(ValueError, match="non-negative integer"):
        sampler.sample({1: -1})
    with pytest.raises(ValueError, match="non-negative integer"):
        sampler.sample({1: 2.5})
    with pytest.raises(TypeError, match="must be a dict"):
        sampler.sample([3, 3])


def test_sample_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        make().sample({0: 1})


def test_refit_resets_acceptance(digits):
    X, y = digits
    sampler = make()
    sampler.fit_resample(X, y)
    labels = np.array(["a", "b", "c"])
    sampler.fit_resample(X, labels[y])
    assert set(sampler.acceptance_) == {"b", "c"}


# ---------------------------------------------------------------- verbosity
def test_verbose_prints_progress(digits, capfd):
    X, y = digits
    make(verbose=1).fit_resample(X, y)
    out, err = capfd.readouterr()
    text = out + err
    for phase in ("Phase 1", "Phase 2", "Phase 3"):
        assert phase in text


# ---------------------------------------------------------------- parameters
def phase4_rows(sampler):
    return [r for r in sampler.history_ if r["phase"] == "phase4"]


def test_evolution_parameters_flow(digits):
    X, y = digits
    sampler = make(n_generations=3, population_size=50, log_var_bounds=(-4.0, 2.0))
    sampler.fit(X, y)
    rows = phase4_rows(sampler)
    for label in (1, 2):  # the over-sampled classes, three generations each
        mine = [r for r in rows if r["class"] == label]
        assert [r["generation"] for r in mine] == [0, 1, 2][:len(mine)]
        assert all(r["gm1"] <= 50 for r in mine)
    # Residual displacements: the bounds times displacement_scale ** 2.
    lo, hi = np.exp([-4.0, 2.0]) * sampler.displacement_scale**2
    assert (sampler.sampling_variances_ >= lo * (1 - 1e-6)).all()
    assert (sampler.sampling_variances_ <= hi * (1 + 1e-6)).all()


def test_fitness_aggregate_and_reference_size_change_the_fitness(digits):
    """The mean similarity to all real images is below the similarity to the
    nearest; fewer real images leave a lower nearest similarity."""
    X, y = digits

    def fitness(**params):
        rows = phase4_rows(make(n_generations=1, **params).fit(X, y))
        return np.mean([r["fitness_mean"] for r in rows if "fitness_mean" in r])

    nearest = fitness()
    assert fitness(fitness_aggregate="mean") < nearest
    assert fitness(n_fitness_real=1) < nearest


def test_xi_auto_and_explicit(digits):
    X, y = digits
    sampler = make(pretrain_epochs=1, n_iterations=0).fit(X, y)
    # Over-sampled classes 1, 2 (30, 12) against the majority 0 (60).
    assert sampler.xi_ == pytest.approx((30 + 12) / 2 / 60)
    sampler = make(pretrain_epochs=1, n_iterations=0, xi=0.25).fit(X, y)
    assert sampler.xi_ == 0.25


@pytest.mark.parametrize("continue_evolution", [True, False])
def test_continue_evolution(digits, continue_evolution):
    X, y = digits
    sampler = make(n_iterations=2, n_generations=2, pretrain_epochs=10,
                   continue_evolution=continue_evolution)
    sampler.fit(X, y)
    rows = phase4_rows(sampler)
    evolved = {r["class"] for r in rows if r["iteration"] == 0 and "stopped" not in r}
    assert evolved  # (a class whose draws both classifiers reject stops at once)
    for label in evolved:
        first = [r for r in rows if r["class"] == label and r["iteration"] == 0]
        second = [r for r in rows if r["class"] == label and r["iteration"] == 1]
        assert first[0]["start_moved"] == 0.0 and first[-1]["moved"] > 0
        if continue_evolution:  # iteration 2 starts where iteration 1 ended
            assert second[0]["start_moved"] == pytest.approx(first[-1]["moved"])
        else:  # restarts from the Phase-1 Gaussians (Algorithm 1, line 29)
            assert second[0]["start_moved"] == 0.0


def encoded_digits(sampler, X):
    """The fitted encoder's features of digits ``X`` (scaled as the sampler does)."""
    Xn = torch.as_tensor(((X - X.min()) / (X.max() - X.min())).reshape(-1, 1, 8, 8),
                         dtype=torch.float32)
    with torch.no_grad():
        return sampler.encoder_(Xn).double().numpy()


@pytest.mark.parametrize("mixture", ["refit", "empirical"])
def test_mixture_refit_and_empirical_set_class_statistics(digits, mixture):
    X, y = digits
    sampler = make(mixture=mixture, n_iterations=0)
    sampler.fit(X, y)
    feats = encoded_digits(sampler, X)
    lo, hi = np.exp(sampler.log_var_bounds)
    for k in range(3):
        np.testing.assert_allclose(sampler.means_[k], feats[y == k].mean(0),
                                   rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(sampler.variances_[k],
                                   np.clip(feats[y == k].var(0), lo, hi),
                                   rtol=1e-3, atol=1e-6)
    np.testing.assert_array_equal(sampler.means_, sampler.init_means_)
    rows = [r for r in sampler.history_ if r["phase"] == "phase1"]
    assert len(rows) == FAST["pretrain_epochs"]
    # 'refit' trains with the L-GM term (weight 1) and only re-sets the
    # Gaussians afterwards; 'empirical' switches the term off.
    gm_weight = 1.0 if mixture == "refit" else 0.0
    for r in rows:
        expected = 10.0 * r["rec"] + gm_weight * r["gm"] + r["ltt"] + r["img"]
        assert r["loss"] == pytest.approx(expected, rel=1e-4, abs=1e-5)


def test_mixture_lgm_keeps_the_learned_gaussians(digits):
    X, y = digits
    sampler = make(mixture="lgm", n_iterations=0)
    sampler.fit(X, y)
    feats = encoded_digits(sampler, X)
    for k in range(3):
        # Two epochs of L-GM training leave the means far from the features'.
        assert not np.allclose(sampler.means_[k], feats[y == k].mean(0), atol=1e-3)


def test_n_generations_zero_switches_phase4_off(digits):
    X, y = digits
    sampler = make(n_generations=0)
    X_res, y_res = sampler.fit_resample(X, y)
    check_contract(X, y, X_res, y_res, sampler)
    assert "phase4" not in {r["phase"] for r in sampler.history_}
    np.testing.assert_array_equal(sampler.means_, sampler.init_means_)
    np.testing.assert_array_equal(sampler.variances_, sampler.init_variances_)
    # Residual synthesis draws displacements of zero mean and the class's
    # variance times displacement_scale ** 2.
    np.testing.assert_array_equal(sampler.sampling_means_, 0.0)
    np.testing.assert_allclose(sampler.sampling_variances_,
                               sampler.init_variances_ * sampler.displacement_scale**2,
                               rtol=1e-6)


def test_displacement_scale_sets_the_starting_displacement_spread(digits):
    """Without Phase 4 the displacement variance is the class's variance
    times displacement_scale ** 2, and smaller displacements leave the new
    samples nearer their anchors; decoding draws from the class's Gaussian
    whatever the scale."""
    X, y = digits
    out = {}
    for scale in (1.0, 0.25):
        sampler = make(n_generations=0, displacement_scale=scale,
                       filter_synthetic=False, max_shift=0)
        X_res, y_res = sampler.fit_resample(X, y)
        np.testing.assert_allclose(sampler.sampling_variances_,
                                   sampler.init_variances_ * scale**2, rtol=1e-6)
        new = X_res[len(y):][y_res[len(y):] == 2]
        anchors = sampler.anchors_[2].reshape(len(sampler.anchors_[2]), -1) * 16.0
        out[scale] = np.abs(new[:, None, :] - anchors[None]).sum(-1).min(1).mean()
    assert out[0.25] < 0.5 * out[1.0]
    decoded = make(n_generations=0, displacement_scale=0.25, synthesis="decode").fit(X, y)
    np.testing.assert_allclose(decoded.sampling_variances_, decoded.init_variances_,
                               rtol=1e-6)


def test_full_covariance_correlates_draws_as_the_class_codes_are(digits):
    """covariance='full' stores each class's correlation factor of its codes
    (unit diagonal) and draws with it; 'diag', the paper's, stores none."""
    X, y = digits
    diag = make(covariance="diag", synthesis="decode", filter_synthetic=False,
                n_generations=0).fit(X, y)
    assert diag.correlation_factors_ is None
    full = make(covariance="full", synthesis="decode", filter_synthetic=False,
                n_generations=0).fit(X, y)
    L = full.correlation_factors_
    h = full.latent_dim
    assert L.shape == (len(full.classes_), h, h)
    np.testing.assert_allclose(np.triu(L, 1), 0.0)
    np.testing.assert_allclose(np.einsum("kij,kij->ki", L, L), 1.0, atol=1e-4)
    # The same fit (identical networks) draws differently once correlated.
    np.testing.assert_allclose(full.sampling_variances_, diag.sampling_variances_)
    X_diag, _ = diag.sample({2: 20}, random_state=0)
    X_full, _ = full.sample({2: 20}, random_state=0)
    assert not np.allclose(X_diag, X_full)
    # Phase 4 evolves correlated draws too (the factors of its encoder).
    evolved = make(covariance="full", filter_synthetic=False, n_generations=2).fit(X, y)
    assert {r["generation"] for r in evolved.history_ if r["phase"] == "phase4"} == {0, 1}
    assert evolved.correlation_factors_.shape == L.shape
    with pytest.raises(ValueError, match="covariance"):
        make(covariance="spherical").fit(X, y)


def test_majority_guidance_is_off_by_default_and_draws_from_the_majority(digits):
    """By default (0) there are no guides; at 0.5 every class starts with
    guidance share 0.5, the guides are the majority class's codes'
    standardised deviations, and the same networks draw other samples."""
    from conftest import DIGITS_COUNTS

    X, y = digits
    off = make(n_generations=0, filter_synthetic=False)
    assert off.get_params()["majority_guidance"] == 0.0
    off.fit(X, y)
    assert off.guides_ is None
    np.testing.assert_array_equal(off.guidance_, 0.0)
    guided = make(n_generations=0, filter_synthetic=False, majority_guidance=0.5).fit(X, y)
    np.testing.assert_array_equal(guided.guidance_, 0.5)
    h = guided.latent_dim
    majority = max(DIGITS_COUNTS, key=DIGITS_COUNTS.get)
    assert guided.guides_.shape == (DIGITS_COUNTS[majority], h)
    # One majority class: its deviations standardised per dimension.
    np.testing.assert_allclose(guided.guides_.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(guided.guides_.std(0), 1.0, rtol=1e-3)
    np.testing.assert_array_equal(off.means_, guided.means_)  # the same networks
    X_off, _ = off.sample({2: 20}, random_state=0)
    X_on, _ = guided.sample({2: 20}, random_state=0)
    assert not np.allclose(X_off, X_on)


def test_neighbour_interpolation_changes_only_the_new_samples(digits):
    """Off by default; on, the same networks give other new images in range;
    with decoded synthesis, which has no anchors, it is a clear error."""
    X, y = digits
    assert make().get_params()["neighbour_interpolation"] == 0.0
    off = make(n_generations=0, filter_synthetic=False).fit(X, y)
    on = make(n_generations=0, filter_synthetic=False, neighbour_interpolation=0.5).fit(X, y)
    np.testing.assert_array_equal(off.means_, on.means_)  # the same networks
    X_off, _ = off.sample({2: 20}, random_state=0)
    X_on, _ = on.sample({2: 20}, random_state=0)
    assert not np.allclose(X_off, X_on)
    assert X_on.min() >= X.min() and X_on.max() <= X.max()
    with pytest.raises(ValueError, match="neighbour_interpolation.*synthesis='residual'"):
        make(synthesis="decode", neighbour_interpolation=0.5).fit(X, y)


def test_a_fully_guided_draw_is_a_majority_deviation_in_the_class_spread():
    """With share 1 and no spread of it, each displacement is the class's
    centre plus its standard deviation times one of the guides exactly."""
    from imblearn_meda.meda._proposals import LatentGaussian, Proposer

    torch.manual_seed(0)
    guides = torch.randn(7, 4)
    gauss = LatentGaussian(torch.tensor([1.0, -1.0, 0.0, 2.0]),
                           torch.tensor([4.0, 1.0, 0.25, 9.0]), guidance=1.0)
    proposer = Proposer(torch.nn.Identity(), guides=guides, guidance_spread=0.0,
                        is_image=False)
    batch = proposer.draw(gauss, 50)
    expected = gauss.center + gauss.var.sqrt() * guides  # (7, 4)
    gap = (batch.d[:, None, :] - expected[None]).abs().amax(-1)  # (50, 7)
    assert (gap.min(1).values < 1e-6).all()
    assert len(set(gap.argmin(1).tolist())) > 1  # guides drawn at random
    np.testing.assert_array_equal(batch.w.numpy(), 1.0)
    # Share 0: isotropic noise, no draw equal to a guided one.
    plain = proposer.draw(LatentGaussian(gauss.center, gauss.var, guidance=0.0), 50)
    gap0 = (plain.d[:, None, :] - expected[None]).abs().amax(-1)
    assert (gap0.min(1).values > 1e-3).all()


@pytest.mark.parametrize("scale", [0.0, -1.0])
def test_displacement_scale_must_be_positive(digits, scale):
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="displacement_scale"):
        make(displacement_scale=scale).fit(*digits)


def test_phases_2_to_4_and_the_filter_are_off_by_default_and_on_in_the_papers_settings(
        digits):
    X, y = digits
    off = ("n_generations", "phase2_epochs", "phase3_epochs", "filter_synthetic")
    fast = {k: v for k, v in FAST.items() if k not in off}
    default = MEDALUDESampler(**fast, random_state=0).fit(X, y)
    assert {r["phase"] for r in default.history_} == {"phase1"}
    assert (default.phase2_epochs_, default.phase3_epochs_) == (0, 0)
    paper = MEDALUDESampler(**{**PAPER_SETTINGS, **fast}, random_state=0).fit(X, y)
    assert paper.phase2_epochs_ >= 2 and paper.phase3_epochs_ >= 2  # 'auto'
    for phase in ("phase2", "phase3"):
        rows = [r for r in paper.history_ if r["phase"] == phase]
        assert len(rows) == getattr(paper, phase + "_epochs_")
    rows = [r for r in paper.history_ if r["phase"] == "phase4"]
    assert {r["generation"] for r in rows} == set(range(PAPER_SETTINGS["n_generations"]))
    # The filter: an image classifier that rejects every draw makes the
    # paper's sampler fall back (and warn), the default keep its draws.
    for sampler in (default, paper):
        sampler.image_classifier_ = RejectAll(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert default.sample({2: 5})[0].shape[0] == 5
    with pytest.warns(SynthesisWarning, match="rejected draws"):
        paper.sample({2: 5})


#: FAST with every reader of the image classifier off (as in the defaults).
NO_IMAGE_CLASSIFIER = dict(filter_synthetic=False, phase2_epochs=0, n_generations=0)


def test_a_fit_that_never_reads_the_image_classifier_skips_it_and_changes_nothing(
        digits, monkeypatch):
    """Without the filter and Phases 2 and 4, Phase 1 does not train C_img;
    the new samples are bit for bit those of a fit that trains it."""
    X, y = digits
    skipped = make(**NO_IMAGE_CLASSIFIER)
    X_skip, y_skip = skipped.fit_resample(X, y)
    assert skipped.image_classifier_ is None
    rows = [r for r in skipped.history_ if r["phase"] == "phase1"]
    assert rows and all("img" not in r for r in rows)
    monkeypatch.setattr(MEDALUDESampler, "_reads_image_classifier", lambda self, e: True)
    trained = make(**NO_IMAGE_CLASSIFIER)
    X_train, y_train = trained.fit_resample(X, y)
    assert isinstance(trained.image_classifier_, torch.nn.Module)
    assert all("img" in r for r in trained.history_ if r["phase"] == "phase1")
    np.testing.assert_array_equal(X_skip, X_train)
    np.testing.assert_array_equal(y_skip, y_train)
    np.testing.assert_array_equal(skipped.means_, trained.means_)
    # Switching the filter on after such a fit names what is missing.
    skipped.set_params(filter_synthetic=True)
    with pytest.raises(ValueError, match="filter_synthetic=True needs the image classifier"):
        skipped.sample({2: 3})


@pytest.mark.parametrize("schedule", ["constant", "cosine"])
def test_pretrain_schedule_sets_phase1_learning_rates(digits, monkeypatch, schedule):
    """``'cosine'`` lowers every Phase-1 rate from its set value towards zero
    over the fit's updates; ``'constant'`` keeps them."""
    rates, step = [], torch.optim.Adam.step

    def spy(self, *args, **kwargs):
        if len(self.param_groups) == 3:  # Phase 1: networks, means, log-variances
            rates.append([g["lr"] for g in self.param_groups])
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", spy)
    sampler = make(**(NO_IMAGE_CLASSIFIER | {"pretrain_epochs": 3, "batch_size": 64,
                                             "learning_rate": 2e-3,
                                             "pretrain_schedule": schedule})).fit(*digits)
    rates = np.array(rates)
    assert len(rates) == 3 * -(-sampler.n_train_ // 64)
    np.testing.assert_allclose(rates[0], [2e-3, 2e-3, sampler.variance_learning_rate])
    if schedule == "constant":
        assert (rates == rates[0]).all()
    else:
        assert (np.diff(rates, axis=0) < 0).all()
        # Half a cosine period: the last update's rate is one step from zero.
        last = (1 + np.cos(np.pi * (len(rates) - 1) / len(rates))) / 2
        np.testing.assert_allclose(rates[-1], rates[0] * last)


@pytest.mark.parametrize("reader", [
    dict(filter_synthetic=True),
    dict(phase1_image_loss="decoder"),
    dict(phase2_epochs=1),
    dict(n_generations=1),
], ids=["filter", "phase1-decoder", "phase2", "phase4"])
def test_every_reader_of_the_image_classifier_has_it_trained(digits, reader):
    sampler = make(**(NO_IMAGE_CLASSIFIER | {"pretrain_epochs": 1} | reader)).fit(*digits)
    assert isinstance(sampler.image_classifier_, torch.nn.Module)
    assert "img" in next(r for r in sampler.history_ if r["phase"] == "phase1")


def test_the_user_guide_shows_paper_settings_as_they_are():
    """docs/defaults.rst spells PAPER_SETTINGS out; it must not drift."""
    import ast
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "defaults.rst").read_text()
    block = re.search(r"PAPER_SETTINGS = (\{.*?\n   \})", text, re.S).group(1)
    body = "\n".join(line.split("#")[0] for line in block.splitlines())
    assert ast.literal_eval(body) == PAPER_SETTINGS


def test_n_iterations_zero_samples_phase1_mixture(digits):
    X, y = digits
    sampler = make(n_iterations=0)
    X_res, y_res = sampler.fit_resample(X, y)
    check_contract(X, y, X_res, y_res, sampler)
    assert {r["phase"] for r in sampler.history_} == {"phase1"}
    np.testing.assert_array_equal(sampler.means_, sampler.init_means_)


class RejectAll(torch.nn.Module):
    """An image classifier that always answers class 0."""

    def __init__(self, n_classes):
        super().__init__()
        self.n_classes = n_classes

    def forward(self, x):
        logits = torch.zeros(x.shape[0], self.n_classes)
        logits[:, 0] = 10.0
        logits[:, 2] = torch.linspace(-1, 1, x.shape[0])  # a ranking of rejects
        return logits


def test_filter_fallback_warns_and_keeps_exact_counts(fitted_digits):
    sampler = copy.deepcopy(fitted_digits[0])
    sampler.image_classifier_ = RejectAll(3)
    acceptance = dict(sampler.acceptance_)
    with pytest.warns(SynthesisWarning, match=r"class 2: 9 of 9 from rejected draws") as rec:
        X_new, y_new = sampler.sample({2: 9, 1: 4})
    # One warning per call, naming every class short of accepted draws.
    assert len(rec) == 1 and "class 1: 4 of 4" in str(rec[0].message)
    assert rec[0].filename == __file__  # points at the caller
    assert X_new.shape == (13, 64) and (y_new == 2).sum() == 9
    assert sampler.acceptance_ == acceptance  # sample() leaves fitted state alone
    # Unfiltered: no warning, same count.
    sampler.set_params(filter_synthetic=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_new, y_new = sampler.sample({2: 9})
    assert X_new.shape == (9, 64)


def test_filter_keeps_only_accepted_samples(fitted_digits):
    """Every returned sample passes both classifiers when enough are accepted."""
    sampler = copy.deepcopy(fitted_digits[0])
    sampler.set_params(max_draw_factor=50)
    k = int(np.argmax([sampler.acceptance_.get(c, 0) for c in sampler.classes_]))
    label = sampler.classes_[k]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_new, _ = sampler.sample({label: 20})
    Xn = torch.as_tensor((X_new - 0.0) / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
    with torch.no_grad():
        pred = sampler.image_classifier_(Xn).argmax(1)
    # The images went to the 0-16 scale and back (float rounding only): the
    # image classifier still assigns them to the class.
    assert (pred == k).float().mean().item() >= 0.95


def test_large_training_set_kept_in_host_memory_gives_same_output(digits, monkeypatch):
    """Above ``_max_device_bytes`` the images stay in host memory and each
    batch is copied to the device; the result must not change."""
    X, y = digits
    expected = make(random_state=3).fit_resample(X, y)
    monkeypatch.setattr(MEDALUDESampler, "_max_device_bytes", 0)
    got = make(random_state=3).fit_resample(X, y)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])


def test_phase_seconds_cover_the_four_phases(fitted_digits):
    sampler = fitted_digits[0]
    assert set(sampler.phase_seconds_) == {"phase1", "phase2", "phase3", "phase4"}
    assert all(v >= 0 for v in sampler.phase_seconds_.values())
    assert sampler.phase_seconds_["phase1"] > 0


# ---------------------------------------------------------------- synthesis
def test_anchors_are_real_samples_of_their_class(digits):
    X, y = digits
    sampler = make(n_fitness_real=20)
    sampler.fit(X, y)
    Xn = (X - X.min()) / (X.max() - X.min())
    for k, label in enumerate(sampler.classes_):
        anchors = sampler.anchors_[label].reshape(len(sampler.anchors_[label]), -1)
        real = Xn[y == label]
        assert len(anchors) == min(20, len(real))
        # every anchor is one of the class's own images, none repeated
        dist = np.abs(anchors[:, None, :] - real[None]).max(-1)
        assert (dist.min(1) < 1e-6).all()
        assert len(np.unique(dist.argmin(1))) == len(anchors)


def test_residual_synthesis_without_noise_gives_back_the_anchors(fitted_digits, digits):
    """x = D(code + d) + (anchor - D(code)): with a displacement Gaussian of
    zero mean and variance every new sample is an anchor."""
    X, y = digits
    sampler = copy.deepcopy(fitted_digits[0])
    sampler.sampling_means_ = np.zeros_like(sampler.sampling_means_)
    sampler.sampling_variances_ = np.zeros_like(sampler.sampling_variances_)
    sampler.set_params(filter_synthetic=False, max_shift=0)
    X_new, y_new = sampler.sample({2: 15, 1: 5})
    for label in (1, 2):
        new = X_new[y_new == label]
        real = X[y == label]
        dist = np.abs(new[:, None, :] - real[None]).max(-1).min(1)
        assert dist.max() < 1e-3


def test_new_images_are_shifted_and_mirrored_after_the_filter(fitted_digits, digits):
    """Without noise a residual sample is its anchor; max_shift and flip then
    move and mirror it, and nothing else."""
    from imblearn_meda.utils._augment import shift_and_flip

    X, y = digits
    sampler, _ = noiseless_residual(fitted_digits[0], 2)
    sampler.set_params(filter_synthetic=False, max_shift=1, flip=True)
    X_new, _ = sampler.sample({2: 40}, random_state=0)
    real = X[y == 2].reshape(-1, 1, 8, 8)
    variants = np.stack([shift_and_flip(real, np.tile([dy, dx], (len(real), 1)),
                                        np.full(len(real), f))
                         for f in (False, True) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    variants = variants.reshape(-1, 64)
    dist = np.abs(X_new[:, None, :] - variants[None]).max(-1).min(1)
    assert dist.max() < 1e-3
    moved = np.abs(X_new[:, None, :] - real.reshape(1, -1, 64)).max(-1).min(1) > 1e-3
    assert moved.mean() > 0.5  # most are shifted or mirrored, not plain copies


def noiseless_residual(fitted, label):
    """A copy of ``fitted`` whose residual draws are their anchors exactly
    (zero variance, no shift from Phase 4), and the anchors of ``label`` as
    rows: a draw's anchor is the nearest row."""
    sampler = copy.deepcopy(fitted)
    sampler.sampling_means_ = np.zeros_like(sampler.sampling_means_)
    sampler.sampling_variances_ = np.zeros_like(sampler.sampling_variances_)
    sampler.set_params(max_shift=0)
    return sampler, torch.as_tensor(sampler.anchors_[label]).flatten(1)


def test_every_anchor_gives_its_share_even_when_the_filter_is_uneven(
        fitted_digits, digits):
    """The filter accepts draws near half of the anchors six times less often
    than near the others; each anchor still gives n // A or n // A + 1 of
    the new samples, as random over-sampling copies each real sample."""
    X, y = digits
    sampler, anchors = noiseless_residual(fitted_digits[0], 2)
    hard = anchors.sum(1) < anchors.sum(1).median()

    seen = {"drawn": 0, "passed": 0}
    gen = torch.Generator().manual_seed(0)  # a fixed filter: the ratios below are statistics

    def uneven(k_, f, x):
        owner = torch.cdist(x.flatten(1), anchors).argmin(1)
        ok = torch.rand(x.shape[0], generator=gen) < torch.where(hard[owner], 0.15, 0.9)
        seen["drawn"] += x.shape[0]
        seen["passed"] += int(ok.sum())
        return ok, torch.rand(x.shape[0], generator=gen)

    sampler._accept = uneven
    real = X[y == 2]
    n_anchors = len(real)
    n = 4 * n_anchors + 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_new, _ = sampler.sample({2: n}, random_state=0)
    dist = np.abs(X_new[:, None, :] - real[None]).max(-1)
    assert dist.min(1).max() < 1e-3
    share = np.bincount(dist.argmin(1), minlength=n_anchors)
    assert sorted(np.unique(share)) == [4, 5]
    assert (share == 5).sum() == 3
    # Hard anchors were drawn about six times as often as easy ones, so the
    # share of accepted draws is near 2 / (1 / 0.15 + 1 / 0.9) = 0.26, not
    # the (0.15 + 0.9) / 2 = 0.53 of drawing every anchor equally often.
    assert 0.2 < seen["passed"] / seen["drawn"] < 0.4
    # The output is shuffled: its first A samples are not A copies of a few anchors.
    assert len(np.unique(dist[:n_anchors].argmin(1))) > n_anchors // 2


def test_an_anchor_the_filter_never_accepts_leaves_its_share_to_the_others(
        fitted_digits, digits):
    X, y = digits
    sampler, anchors = noiseless_residual(fitted_digits[0], 1)

    def never_the_first(k_, f, x):
        owner = torch.cdist(x.flatten(1), anchors).argmin(1)
        return owner != 0, torch.rand(x.shape[0])

    sampler._accept = never_the_first
    real = X[y == 1]
    n = 2 * len(real)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every sample passed: no warning
        X_new, y_new = sampler.sample({1: n})
    assert X_new.shape == (n, 64) and (y_new == 1).all()
    share = np.bincount(np.abs(X_new[:, None, :] - real[None]).max(-1).argmin(1),
                        minlength=len(real))
    assert share[0] == 0
    assert (share[1:] >= 2).all() and share.sum() == n


def test_residual_and_decode_synthesis_differ(fitted_digits):
    sampler = copy.deepcopy(fitted_digits[0])
    sampler.set_params(filter_synthetic=False)
    residual, _ = sampler.sample({2: 20}, random_state=1)
    sampler.set_params(synthesis="decode")
    decoded, _ = sampler.sample({2: 20}, random_state=1)
    # Decoded samples do not depend on the anchors; residual ones do.
    sampler.anchors_ = {c: a[::-1] + 0.5 for c, a in sampler.anchors_.items()}
    decoded_again, _ = sampler.sample({2: 20}, random_state=1)
    np.testing.assert_array_equal(decoded, decoded_again)
    sampler.set_params(synthesis="residual")
    residual_moved, _ = sampler.sample({2: 20}, random_state=1)
    assert not np.array_equal(residual, decoded)
    assert not np.array_equal(residual, residual_moved)


@pytest.mark.parametrize("synthesis", ["residual", "decode"])
def test_both_syntheses_keep_the_contract_on_images_and_tables(digits, tabular, synthesis):
    for X, y in (digits, tabular):
        sampler = make(synthesis=synthesis)
        X_res, y_res = sampler.fit_resample(X, y)
        check_contract(X, y, X_res, y_res, sampler)
        assert np.isfinite(X_res[len(X):]).all()


def test_unknown_synthesis_is_rejected(digits):
    X, y = digits
    with pytest.raises(ValueError, match="synthesis"):
        make(synthesis="paste").fit(X, y)


def test_auto_training_budget_follows_the_device():
    """``'auto'`` gives the CPU budget on the CPU and the GPU setting on any
    CUDA device; numbers and ``None`` pass through whatever the device."""
    from imblearn_meda.meda._config import resolve_budget

    cpu, cuda = torch.device("cpu"), torch.device("cuda", 1)
    assert resolve_budget("auto", "auto", cpu) == (2400, 1000)
    assert resolve_budget("auto", "auto", cuda) == (20000, None)
    assert resolve_budget(300, None, cpu) == (300, None)
    assert resolve_budget(300, 7, cuda) == (300, 7)
    assert resolve_budget("auto", 7, cuda) == (20000, 7)


def test_auto_training_budget_is_resolved_at_fit(digits):
    """A CPU fit stores the CPU budget; its subsample and Phase-1 epochs
    follow it."""
    X, y = digits
    sampler = make(**NO_IMAGE_CLASSIFIER, pretrain_epochs=1, n_iterations=0).fit(X, y)
    assert sampler.get_params()["pretrain_updates"] == "auto"
    assert (sampler.pretrain_updates_, sampler.max_samples_per_class_) == (2400, 1000)
    assert sampler.n_train_ == len(y)  # no class here has 1000 images
    small = make(**NO_IMAGE_CLASSIFIER, pretrain_updates=8, max_samples_per_class=20,
                 pretrain_epochs="auto", n_iterations=0, batch_size=16).fit(X, y)
    counts = np.bincount(np.unique(y, return_inverse=True)[1])
    assert small.n_train_ == np.minimum(counts, 20).sum()
    assert small.pretrain_epochs_ == -(-8 // -(-small.n_train_ // 16))
