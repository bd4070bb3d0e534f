"""Hostile inputs and invalid parameters: each a clear error naming the problem.

The base class does these checks for every deep sampler; MEDALUDESampler
stands for them here. What every sampler is checked for (NaN, a class of one
sample, devices, unknown arguments, Ctrl-C) is in test_contract.py."""

import contextlib
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.exceptions import NotFittedError

import imblearn_meda.base as base_mod
from imblearn_meda import MEDALUDESampler

from conftest import FAST, tabular_data

pytestmark = pytest.mark.filterwarnings(
    "ignore::imblearn_meda.exceptions.SynthesisWarning"
)


def make(**params):
    return MEDALUDESampler(**(FAST | {"random_state": 0} | params))


# ---------------------------------------------------------------- bad X
def test_inf_in_X(digits):
    X, y = digits
    X = X.reshape(-1, 8, 8).copy()
    X[3, 5, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        make().fit_resample(X, y)


def test_empty_X():
    with pytest.raises(ValueError, match="0 sample"):
        make().fit_resample(np.empty((0, 64)), np.empty(0, dtype=int))


def test_empty_image_X():
    with pytest.raises(ValueError, match="0 sample"):
        make().fit_resample(np.empty((0, 8, 8)), np.empty(0, dtype=int))


def test_sparse_X_is_a_type_error(digits):
    X, y = digits
    with pytest.raises(TypeError, match="dense data is required"):
        make().fit_resample(sp.csr_matrix(X), y)


def test_string_X_is_rejected(digits):
    X, y = digits
    with pytest.raises(ValueError, match="strings"):
        make().fit_resample(X.astype(str), y)


def test_object_X_holding_numbers_is_converted(digits):
    X, y = digits
    X_res, _ = make(random_state=0).fit_resample(X.astype(object), y)
    assert X_res.dtype == np.float64
    np.testing.assert_array_equal(X_res[: len(X)], X.astype(np.float64))


def test_five_dimensional_X(digits):
    X, y = digits
    with pytest.raises(ValueError, match="5 dimensions"):
        make().fit(X.reshape(-1, 1, 1, 8, 8), y)


# ---------------------------------------------------------------- bad y
def test_single_class():
    X, y = tabular_data()
    with pytest.raises(ValueError, match="more than 1 class"):
        make().fit_resample(X, np.zeros(len(X), dtype=int))


def test_continuous_y(digits):
    X, y = digits
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        make().fit_resample(X, np.linspace(0, 1, len(X)))


def test_class_of_one_sample_left_out_of_strategy_is_kept(digits):
    X, y = digits
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:1]]
    X_res, y_res = make(sampling_strategy={1: 60}).fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [60, 60, 1]


def test_class_of_two_samples_is_oversampled(digits):
    """Documented minimum: two samples of a class are enough to over-sample it."""
    X, y = digits
    keep = np.r_[np.flatnonzero(y != 2), np.flatnonzero(y == 2)[:2]]
    X_res, y_res = make().fit_resample(X[keep], y[keep])
    assert np.bincount(y_res).tolist() == [60, 60, 60]
    np.testing.assert_array_equal(X_res[: keep.size], X[keep])


@pytest.mark.parametrize(
    "labels",
    [np.array(["cat", "dog", "emu"]), np.array([-5, 3, 100]), np.array([7, 2, 11])],
    ids=["strings", "negative", "non-contiguous"],
)
def test_unusual_labels_work_and_are_preserved(digits, labels):
    X, y = digits
    y_lab = labels[y]
    sampler = make()
    X_res, y_res = sampler.fit_resample(X, y_lab)
    assert y_res.dtype == y_lab.dtype
    np.testing.assert_array_equal(y_res[: len(y)], y_lab)
    values, counts = np.unique(y_res, return_counts=True)
    assert set(values.tolist()) == set(labels.tolist())
    assert counts.tolist() == [60, 60, 60]
    np.testing.assert_array_equal(sampler.classes_, np.sort(labels))
    X_new, y_new = sampler.sample({labels[2]: 4})
    assert y_new.tolist() == [labels[2]] * 4


# ---------------------------------------------------------------- pandas
def test_pandas_in_pandas_out(digits):
    X, y = digits
    df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
    ys = pd.Series(y, name="digit")
    sampler = make()
    X_res, y_res = sampler.fit_resample(df, ys)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(df.columns)
    assert y_res.name == "digit"
    assert len(X_res) == len(y_res) == 180
    pd.testing.assert_frame_equal(X_res.iloc[: len(df)].reset_index(drop=True), df)
    np.testing.assert_array_equal(sampler.feature_names_in_, df.columns)


# ---------------------------------------------------------------- image_shape
@pytest.mark.parametrize("n_features", [5, 6, 50, 16])
def test_non_image_feature_counts_are_tabular(n_features):
    """Documented: a 2-D X is an image only if n_features is a square of side >= 8."""
    X, y = tabular_data(n_features=n_features)
    sampler = make().fit(X, y)
    assert sampler.image_shape_ is None


def test_image_shape_product_mismatch(digits):
    X, y = digits
    with pytest.raises(ValueError, match=r"holds 49 values.*64 features"):
        make(image_shape=(7, 7)).fit(X, y)


def test_image_shape_disagrees_with_array_shape(digits):
    X, y = digits
    with pytest.raises(ValueError, match="does not match the shape of the images"):
        make(image_shape=(1, 4, 16)).fit(X.reshape(-1, 8, 8), y)


@pytest.mark.parametrize("shape", [(0, 8, 8), (1, 2, 4, 8), (8.0, 8)])
def test_invalid_image_shape(digits, shape):
    X, y = digits
    with pytest.raises(ValueError, match="image_shape must be"):
        make(image_shape=shape).fit(X, y)


def test_ahash_similarity_needs_images(tabular):
    X, y = tabular
    with pytest.raises(ValueError, match="similarity='ahash' needs images"):
        make(similarity="ahash").fit(X, y)


# ---------------------------------------------------------------- strategy
@pytest.mark.parametrize(
    "strategy, match",
    [
        ({2: 5}, "greater or equal to the original number"),
        ({9: 100}, "not present in the data"),
        ({2: -1}, "cannot be negative"),
        (0.5, "float only when the type of target is binary"),
        ("most", "sampling_strategy"),
    ],
)
def test_bad_sampling_strategy(digits, strategy, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        make(sampling_strategy=strategy).fit_resample(X, y)


# ---------------------------------------------------------------- params
@pytest.mark.parametrize(
    "params, match",
    [
        ({"pretrain_epochs": -1}, "pretrain_epochs"),
        ({"phase2_epochs": -2}, "phase2_epochs"),
        ({"n_iterations": -1}, "n_iterations"),
        ({"eta": 1.5}, "'eta' parameter"),
        ({"eta": 0.0}, "'eta' parameter"),
        ({"gamma": 1.1}, "'gamma' parameter"),
        ({"batch_size": 0}, "batch_size"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"population_size": 1}, "population_size"),
        ({"xi": 0.0}, "'xi' parameter"),
        ({"mixture": "gmm"}, "mixture"),
        ({"fitness_aggregate": "median"}, "fitness_aggregate"),
        ({"log_var_bounds": "wide"}, "log_var_bounds"),
        ({"loss_weights": {"rec": 1.0}}, r"unknown keys \['rec'\]"),
        ({"loss_weights": {"rec1": -1.0}}, r"loss_weights\['rec1'\] must be a non-neg"),
        ({"log_var_bounds": (3.0, -1.0)}, "low < high"),
        ({"log_var_bounds": (1.0, 2.0, 3.0)}, "low < high"),
        ({"n_jobs": 0}, "n_jobs=0"),
    ],
)
def test_invalid_parameters(digits, params, match):
    X, y = digits
    with pytest.raises(ValueError, match=match):
        make(**params).fit_resample(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_requested_without_cuda(digits):
    X, y = digits
    with pytest.raises(ValueError, match="CUDA is not available"):
        make(device="cuda").fit(X, y)


def test_failed_fit_leaves_sampler_unfitted(digits):
    X, y = digits
    sampler = make(loss_weights={"bogus": 1.0})
    with pytest.raises(ValueError):
        sampler.fit(X, y)
    with pytest.raises(NotFittedError):
        sampler.sample({2: 1})


# ---------------------------------------------------------------- out of memory
class OutOfMemory(MEDALUDESampler):
    """A sampler whose training runs out of memory above ``limit`` samples a
    batch, and trains nothing below (subclasses implement ``_train``: the
    documented extension point of the base class)."""

    def _train(self, Xn, y_idx, batch_size):
        self.tried.append(batch_size)
        if batch_size > self.limit:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")


def out_of_memory(limit, **params):
    sampler = OutOfMemory(**(FAST | {"random_state": 0} | params))
    sampler.limit, sampler.tried = limit, []
    return sampler


def test_oom_on_cpu_becomes_memory_error_naming_batch_size(digits):
    X, y = digits
    sampler = out_of_memory(limit=0)
    with pytest.raises(MemoryError, match=r"batch_size=64 on cpu.*Lower batch_size"):
        sampler.fit(X, y)
    assert sampler.tried == [64]  # no retry on the CPU


@contextlib.contextmanager
def cpu_seeded(seed, device):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def pretend_cuda(monkeypatch):
    """Make the base class take the device for CUDA on a machine without one.

    No public seam chooses the device the fit resolves (``device='cuda'`` is
    refused without CUDA), and seeding a CUDA generator needs CUDA, so these
    two helpers of the base module are patched; the retry itself runs as is.
    """
    monkeypatch.setattr(base_mod, "resolve_device", lambda d: torch.device("cuda"))
    monkeypatch.setattr(base_mod, "seeded", cpu_seeded)


def test_cuda_oom_retries_at_half_batch_size(digits, monkeypatch):
    X, y = digits
    pretend_cuda(monkeypatch)
    sampler = out_of_memory(limit=16, batch_size=64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sampler.fit(X, y)
    assert sampler.tried == [64, 32, 16]
    assert sampler.batch_size_ == 16
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert messages == [
        "CUDA ran out of memory; training again with batch_size=32.",
        "CUDA ran out of memory; training again with batch_size=16.",
    ]
    assert sampler.batch_size == 64  # the parameter is not changed


def test_cuda_oom_gives_up_at_small_batches(digits, monkeypatch):
    X, y = digits
    pretend_cuda(monkeypatch)
    sampler = out_of_memory(limit=0, batch_size=64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(MemoryError, match="batch_size=8 on cuda"):
            sampler.fit(X, y)
    assert sampler.tried == [64, 32, 16, 8]
