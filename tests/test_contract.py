"""The contract every sampler of the package keeps, checked on each of them.

Each test runs once per sampler of ``conftest.TINY`` (tiny settings, the
digits subset). Where a sampler legitimately departs from the contract, the
test says so and why; everything specific to one sampler is in its own file.
"""

import random

import joblib
import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from imblearn_meda.utils import Scaler

from conftest import (
    DEEP,
    TINY,
    assert_same,
    assert_same_state,
    fitted_names,
    fitted_state,
    on_forward,
    tiny_sampler,
)

# Tiny models may not pass their own filter (MEDALUDESampler warns then);
# that path has its own tests in test_sampler.py.
pytestmark = pytest.mark.filterwarnings(
    "ignore::imblearn_meda.exceptions.SynthesisWarning"
)

every_sampler = pytest.mark.parametrize("name", list(TINY))
#: The samplers with torch networks: a device, n_jobs, verbose and ``sample``.
deep_sampler = pytest.mark.parametrize("name", DEEP)
both_fits = pytest.mark.parametrize("method", ["fit", "fit_resample"])


class Stop(Exception):
    """Raised from inside a fit by a test."""


def stop():
    raise Stop


def interrupt():
    raise KeyboardInterrupt


@pytest.fixture(scope="module")
def fits(digits):
    """``fits(name)``: the sampler ``name`` (random_state=0) and its
    ``fit_resample`` of the digits subset, fitted once per module."""
    done = {}

    def fit(name):
        if name not in done:
            sampler = tiny_sampler(name, random_state=0)
            done[name] = (sampler, *sampler.fit_resample(*digits))
        return done[name]

    return fit


def new_part(X, X_res):
    return X_res[len(X):]


def check_resampled(X, y, X_res, y_res, new):
    """Originals first and unchanged, then ``new[c]`` samples of each class
    ``c``, class after class in the order of ``new``."""
    n = len(y)
    assert X_res.shape == (n + sum(new.values()), *X.shape[1:])
    np.testing.assert_array_equal(X_res[:n], X)
    np.testing.assert_array_equal(y_res[:n], y)
    assert y_res[n:].tolist() == [c for c, k in new.items() for _ in range(k)]


# ---------------------------------------------------------------- counts
@every_sampler
def test_counts_follow_sampling_strategy_originals_first(name, digits, fits):
    X, y = digits
    sampler, X_res, y_res = fits(name)
    assert sampler.sampling_strategy_ == {1: 30, 2: 48}
    check_resampled(X, y, X_res, y_res, sampler.sampling_strategy_)
    assert np.isfinite(new_part(X, X_res)).all()


@every_sampler
def test_counts_follow_a_dict_strategy(name, digits):
    """Totals asked for two classes, the majority among them; the third is
    left alone."""
    X, y = digits
    sampler = tiny_sampler(name, sampling_strategy={0: 65, 2: 20}, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sampling_strategy_ == {0: 5, 2: 8}
    check_resampled(X, y, X_res, y_res, {0: 5, 2: 8})


# ---------------------------------------------------------------- dtypes, layouts
@every_sampler
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
def test_dtype_family_is_kept(name, digits, dtype):
    X, y = digits
    Xd = (X * 15).astype(dtype)  # uint8: 0-240
    X_res, y_res = tiny_sampler(name, random_state=0).fit_resample(Xd, y)
    assert X_res.dtype == dtype
    check_resampled(Xd, y, X_res, y_res, {1: 30, 2: 48})


@every_sampler
@pytest.mark.parametrize("shape", [(64,), (8, 8), (1, 8, 8)], ids=["flat", "HW", "CHW"])
def test_image_layout_is_kept(name, digits, shape):
    X, y = digits
    Xs = X.reshape(-1, *shape)
    sampler = tiny_sampler(name, random_state=0)
    X_res, y_res = sampler.fit_resample(Xs, y)
    assert sampler.image_shape_ == (1, 8, 8)
    check_resampled(Xs, y, X_res, y_res, {1: 30, 2: 48})
    if hasattr(sampler, "sample"):
        assert sampler.sample({2: 3})[0].shape == (3, *shape)


@every_sampler
def test_colour_images(name):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(30, 3, 8, 8), dtype=np.uint8)
    y = np.repeat([0, 1], [24, 6])
    sampler = tiny_sampler(name, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ == (3, 8, 8) and X_res.dtype == np.uint8
    check_resampled(X, y, X_res, y_res, {1: 18})


@every_sampler
def test_tabular_data(name, tabular):
    X, y = tabular
    sampler = tiny_sampler(name, random_state=0)
    if name == "Augmented":
        # Shifting pixels has no meaning for rows of features: refused.
        with pytest.raises(ValueError, match="tabular"):
            sampler.fit_resample(X, y)
        return
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.image_shape_ is None
    check_resampled(X, y, X_res, y_res, sampler.sampling_strategy_)
    assert np.isfinite(X_res).all()
    assert len(np.unique(new_part(X, X_res), axis=0)) > 1


# ---------------------------------------------------------------- random_state
@every_sampler
def test_same_seed_same_output_other_seed_other_output(name, digits, fits):
    X, y = digits
    _, X_a, y_a = fits(name)
    X_b, y_b = tiny_sampler(name, random_state=0).fit_resample(X, y)
    X_c, _ = tiny_sampler(name, random_state=1).fit_resample(X, y)
    np.testing.assert_array_equal(X_b, X_a)
    np.testing.assert_array_equal(y_b, y_a)
    assert not np.array_equal(new_part(X, X_c), new_part(X, X_a))


def global_random_states():
    """The states of torch's, numpy's and Python's global generators."""
    return [torch.get_rng_state(), np.random.get_state(), random.getstate()]


@every_sampler
def test_fit_leaves_global_random_states_untouched(name, digits):
    X, y = digits
    # The deep samplers take fresh entropy for random_state=None, not numpy's
    # global generator. AugmentedOverSampler follows scikit-learn, where None
    # means numpy's global generator: it keeps the globals only for a seed.
    seed = 0 if name == "Augmented" else None
    before = global_random_states()
    sampler = tiny_sampler(name, random_state=seed)
    sampler.fit_resample(X, y)
    if hasattr(sampler, "sample"):
        sampler.sample({2: 2})
    assert_same(global_random_states(), before)


# ---------------------------------------------------------------- sample()
def sample_counts(name):
    """Counts for ``sample``: every class, one of them zero."""
    if name == "MGVAE":
        # MGVAESampler draws only the classes it fine-tuned (the over-sampled
        # ones); the others guided its fit (refusal tested in test_mgvae.py).
        return {2: 7, 1: 3, 0: 0}
    return {2: 7, 0: 3, 1: 0}


@deep_sampler
def test_sample_gives_exact_counts(name, fits):
    sampler, counts = fits(name)[0], sample_counts(name)
    X_new, y_new = sampler.sample(counts)
    assert X_new.shape == (10, 64) and X_new.dtype == np.float64
    assert y_new.tolist() == [c for c, k in counts.items() for _ in range(k)]
    X_none, y_none = sampler.sample({})
    assert X_none.shape == (0, 64) and y_none.shape == (0,)


@deep_sampler
def test_sample_without_seed_draws_afresh_with_seed_repeats(name, fits):
    sampler = fits(name)[0]
    counts = sample_counts(name)
    first, second = sampler.sample(counts)[0], sampler.sample(counts)[0]
    assert not np.array_equal(first, second)
    a, b, c = (sampler.sample(counts, random_state=seed)[0] for seed in (5, 5, 6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@deep_sampler
def test_sample_leaves_fitted_state_unchanged(name, fits):
    sampler = fits(name)[0]
    before = fitted_state(sampler)
    sampler.sample(sample_counts(name))
    sampler.sample(sample_counts(name), random_state=3)
    assert_same_state(before, sampler)


@deep_sampler
def test_sample_before_fit_raises_not_fitted(name):
    with pytest.raises(NotFittedError):
        tiny_sampler(name).sample({0: 1})


@deep_sampler
def test_joblib_round_trip_gives_identical_samples(name, fits, tmp_path):
    sampler = fits(name)[0]
    path = tmp_path / "sampler.joblib"
    joblib.dump(sampler, path)
    loaded = joblib.load(path)
    assert_same_state(fitted_state(sampler), loaded)
    counts = sample_counts(name)
    expected = sampler.sample(counts, random_state=11)
    got = loaded.sample(counts, random_state=11)
    assert_same(got, expected)


# ---------------------------------------------------------------- arguments
def keyword_cases():
    for name in TINY:
        for method in ("fit", "fit_resample"):
            yield pytest.param(name, method, id=f"{name}-{method}")


@pytest.mark.parametrize("name, method", keyword_cases())
def test_unknown_keyword_argument_is_a_type_error(name, method, digits):
    X, y = digits
    with pytest.raises(TypeError, match="unknown"):
        getattr(tiny_sampler(name), method)(X, y, unknown=1)


ACCEPTED_DEVICES = r"'auto', 'cpu', 'cuda', 'cuda:N'"


@deep_sampler
@pytest.mark.parametrize("device", ["mps", "xpu", "cuda:x", "gpu"])
def test_unsupported_device_is_refused_listing_the_options(name, device, digits):
    X, y = digits
    sampler = tiny_sampler(name, device=device)
    for method in (sampler.fit, sampler.fit_resample):
        with pytest.raises(ValueError, match=f"{device!r} is not supported.*"
                                             f"{ACCEPTED_DEVICES}"):
            method(X, y)


@deep_sampler
def test_class_of_one_sample_to_over_sample_is_refused_by_name(name, digits):
    X, y = digits
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:1]]
    sampler = tiny_sampler(name)
    for method in (sampler.fit, sampler.fit_resample):
        with pytest.raises(ValueError, match=r"at least 2 samples.*fewer: \{2: 1\}"):
            method(X[keep], y[keep])


@every_sampler
def test_nan_in_X_is_refused(name, digits):
    X, y = digits
    X = X.copy()
    X[3, 5] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        tiny_sampler(name).fit_resample(X, y)


# ---------------------------------------------------------------- threads, Ctrl-C
@deep_sampler
@both_fits
def test_n_jobs_sets_torch_threads_for_the_fit_and_restores_them(
        name, method, digits, monkeypatch):
    """Torch trains with ``n_jobs`` threads; its own setting is back after the
    fit, also after a fit that raised. The setting outside the fit is made
    larger than ``n_jobs`` so that the fits themselves run on one thread."""
    X, y = digits
    set_threads = torch.set_num_threads
    before = torch.get_num_threads()
    outside = before + 1
    set_threads(outside)
    calls = []

    def spy(n):
        calls.append(n)
        set_threads(n)

    monkeypatch.setattr(torch, "set_num_threads", spy)
    try:
        seen = []
        with on_forward(lambda: seen.append(torch.get_num_threads())):
            getattr(tiny_sampler(name, n_jobs=1, random_state=0), method)(X, y)
        assert seen and set(seen) == {1}
        assert calls == [1, outside] and torch.get_num_threads() == outside

        calls.clear()
        with on_forward(stop), pytest.raises(Stop):
            getattr(tiny_sampler(name, n_jobs=1), method)(X, y)
        assert calls == [1, outside] and torch.get_num_threads() == outside
    finally:
        monkeypatch.undo()
        set_threads(before)


@deep_sampler
@both_fits
def test_ctrl_c_leaves_sampler_unfitted_and_refit_works(name, method, digits):
    X, y = digits
    sampler = tiny_sampler(name, random_state=0)
    sampler.fit(X, y)  # a previous fit must be forgotten too
    rng_state = torch.get_rng_state()
    with on_forward(interrupt, after=10) as calls, pytest.raises(KeyboardInterrupt):
        getattr(sampler, method)(X, y)
    assert calls[0] == 11  # stopped mid-training
    assert fitted_names(sampler) == []
    with pytest.raises(NotFittedError):
        sampler.sample({2: 1})
    assert torch.equal(torch.get_rng_state(), rng_state)
    X_res, y_res = sampler.fit_resample(X, y)
    check_resampled(X, y, X_res, y_res, {1: 30, 2: 48})


# ---------------------------------------------------------------- verbose
#: What each sampler's progress output names: its training stages.
PROGRESS = {
    "MEDALUDE": ["Phase 1", "Phase 2", "Phase 3"],
    "CVAE": ["CVAE"],
    "CVAESeTred": ["CVAE_SeTred"],
    "DeepSMOTE-decode": ["DeepSMOTE"],
    "DeepSMOTE-residual": ["DeepSMOTE"],
    "MGVAE": ["MGVAE pre-training", "fine-tuning class 1", "fine-tuning class 2"],
}


@deep_sampler
def test_verbose_reports_progress_and_default_is_quiet(name, digits, capfd):
    X, y = digits
    tiny_sampler(name, random_state=0).fit_resample(X, y)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    tiny_sampler(name, random_state=0, verbose=1).fit_resample(X, y)
    out, err = capfd.readouterr()
    for stage in PROGRESS[name]:
        assert stage in out + err


# ---------------------------------------------------------------- pipelines
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_scores_do_not_depend_on_the_process(digits):
    """Worker processes (n_jobs=2) score every sampler as the main process
    does: the samplers' seeding depends on random_state only. One grid over
    all samplers, so that the workers start once."""
    X, y = digits
    samplers = [tiny_sampler(name, random_state=0,
                             **({"n_jobs": 1} if name in DEEP else {}))
                for name in TINY]
    pipe = Pipeline([("sampler", samplers[0]),
                     ("clf", LogisticRegression(max_iter=50))])
    scores = {}
    for n_jobs in (1, 2):
        grid = GridSearchCV(pipe, {"sampler": samplers}, cv=2,
                            scoring="balanced_accuracy", n_jobs=n_jobs)
        grid.fit(X, y)
        scores[n_jobs] = grid.cv_results_["mean_test_score"]
    assert len(scores[1]) == len(TINY)
    np.testing.assert_array_equal(scores[2], scores[1])


# ---------------------------------------------------------------- output scale
def test_scaler_clips_to_the_input_range_and_rounds_integers():
    """New samples come back on the input's range and dtype family: image
    pixels share one range, tabular features each keep their own."""
    X = np.array([[0.0, 4.0], [16.0, 8.0]])
    image = Scaler(X, is_image=True)
    Z = np.array([[-0.5, 0.2, 1.7, 0.53]])  # 0-1 is the image range
    np.testing.assert_array_equal(image.from_net(Z, np.uint8), [[0, 3, 16, 8]])
    out = image.from_net(Z, np.float32)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 3.2, 16.0, 8.48]], rtol=1e-6)
    np.testing.assert_array_equal(image.from_net(image.to_net(X), X.dtype), X)

    table = Scaler(X, is_image=False)
    far = np.array([[-100.0, -100.0], [100.0, 100.0], [0.0, 0.0]])
    np.testing.assert_array_equal(table.from_net(far, np.float64),
                                  [[0.0, 4.0], [16.0, 8.0], [8.0, 6.0]])
    np.testing.assert_array_equal(table.from_net(far, np.int16),
                                  [[0, 4], [16, 8], [8, 6]])
