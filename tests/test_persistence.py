"""Pickles: the recorded format and device, pickles of other versions, CUDA
pickles on a CPU. The round trip of every fitted sampler (same draws after
it) is in test_contract.py."""

import glob
import os
import pickle
import warnings

import joblib
import numpy as np
import pytest
import torch

from imblearn_meda import MEDALUDESampler
from imblearn_meda.base import PICKLE_FORMAT

from conftest import FAST, assert_same_state, fitted_state

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")

pytestmark = pytest.mark.filterwarnings(
    "ignore::imblearn_meda.exceptions.SynthesisWarning"
)


def test_round_trip_of_unfitted_sampler():
    sampler = MEDALUDESampler(**FAST)
    loaded = pickle.loads(pickle.dumps(sampler))
    assert loaded.get_params() == sampler.get_params()
    assert not hasattr(loaded, "classes_")


def test_pickle_records_format_and_device(fitted_digits):
    sampler, _, _ = fitted_digits
    state = sampler.__getstate__()
    assert state["_pickle_format"] == PICKLE_FORMAT
    assert state["_fitted_device"] == "cpu"


class WrittenBy:
    """Pickles as ``sampler`` would have been pickled by a version whose
    ``__getstate__`` records pickle format ``fmt`` (``None``: none at all)."""

    def __init__(self, sampler, fmt):
        self.sampler, self.fmt = sampler, fmt

    def __reduce__(self):
        state = self.sampler.__getstate__()
        if self.fmt is None:
            del state["_pickle_format"]
        else:
            state["_pickle_format"] = self.fmt
        cls = type(self.sampler)
        return cls.__new__, (cls,), state


@pytest.mark.parametrize("fmt", [None, 0, PICKLE_FORMAT + 1, "1"])
def test_pickle_of_another_format_fails_clearly(fitted_digits, tmp_path, fmt):
    sampler, _, _ = fitted_digits
    path = tmp_path / "other.joblib"
    joblib.dump(WrittenBy(sampler, fmt), path)
    with pytest.raises(ValueError, match=rf"pickle format {fmt!r}; this version "
                                         r"reads format .*Refit the sampler"):
        joblib.load(path)
    # The same sampler written by this version loads.
    joblib.dump(WrittenBy(sampler, PICKLE_FORMAT), path)
    loaded = joblib.load(path)
    assert type(loaded) is MEDALUDESampler
    assert_same_state(fitted_state(sampler), loaded)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_fitted_pickle_loads_on_cpu_with_a_warning(fitted_digits, tmp_path):
    """Simulate a sampler fitted on a GPU: its pickle names cuda:0."""
    sampler, _, _ = fitted_digits
    expected = sampler.sample({2: 5}, random_state=3)
    original_device = sampler.device_
    try:
        sampler.device_ = torch.device("cuda:0")
        path = tmp_path / "cuda.joblib"
        joblib.dump(sampler, path)
    finally:
        sampler.device_ = original_device
    with pytest.warns(UserWarning, match=r"fitted on cuda:0.*loaded on the CPU"):
        loaded = joblib.load(path)
    assert loaded.device_ == torch.device("cpu")
    for name in ("encoder_", "decoder_", "latent_classifier_", "image_classifier_"):
        assert all(p.device.type == "cpu" for p in getattr(loaded, name).parameters())
    got = loaded.sample({2: 5}, random_state=3)
    np.testing.assert_array_equal(got[0], expected[0])
    # Pickling it again records where it now lives.
    assert loaded.__getstate__()["_fitted_device"] == "cpu"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(loaded))


CUDA_PICKLES = sorted(glob.glob(os.path.join(DATA_DIR, "*cuda*.joblib")))


@pytest.mark.skipif(not CUDA_PICKLES, reason="no tests/data/*cuda*.joblib (made on a GPU)")
@pytest.mark.parametrize("path", CUDA_PICKLES or [None])
def test_real_cuda_pickle_loads_here(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = joblib.load(path)
    expected_device = "cuda" if torch.cuda.is_available() else "cpu"
    assert loaded.device_.type == expected_device
    if not torch.cuda.is_available():
        assert any("was fitted on cuda" in str(w.message) for w in caught)
    label = loaded.classes_[0]
    X_new, y_new = loaded.sample({label: 6}, random_state=0)
    assert len(X_new) == 6 and (y_new == label).all()
    assert np.isfinite(np.asarray(X_new, dtype=np.float64)).all()
