"""Base class shared by the generative over-samplers of this package.

It owns what every deep over-sampler here needs and what a user of
imbalanced-learn expects: input checks (2-D, ``(n, H, W)`` and
``(n, C, H, W)``), the pixel scale in and out, the device, seeding without
touching global random states, a retry at a smaller batch on CUDA
out-of-memory, a clean stop on Ctrl-C, ``sample`` after ``fit`` and pickles
that load on a CPU-only machine. Subclasses only train their networks
(``_train``) and draw new samples of one class (``_generate``).
"""

from __future__ import annotations

import copy
import inspect
import numbers
import warnings
from abc import abstractmethod

import numpy as np
import torch
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.utils.validation import validate_data

from .exceptions import SynthesisWarning
from .utils import (
    Scaler,
    check_cuda_pickle,
    check_device,
    resolve_device,
    resolve_image_shape,
    seed_from,
    seeded,
    torch_threads,
)

#: Bumped whenever the pickled layout of a fitted sampler changes.
PICKLE_FORMAT = 1


def _refuse_params(estimator, method, params):
    if params:
        raise TypeError(
            f"{type(estimator).__name__}.{method} got unexpected keyword "
            f"argument(s) {sorted(params)}; it takes only X and y (set the "
            "sampler's parameters with set_params)."
        )


def _warn_shortfalls(stats):
    """One warning for every class whose filter let too few draws pass."""
    short = {c: i for c, i in stats.items() if i.get("rejected")}
    if not short:
        return
    detail = "; ".join(
        f"class {c!r}: {i['rejected']} of {i['rejected'] + i['kept']} from rejected "
        f"draws ({i['passed']} of {i['drawn']} draws passed)"
        for c, i in short.items()
    )
    warnings.warn(
        "Too few synthetic samples passed both classifiers, so the rest are the "
        f"rejected draws the image classifier rated most likely of the class: "
        f"{detail}. Train longer, or set filter_synthetic=False.",
        SynthesisWarning,
        stacklevel=_caller_level(),
    )


def _caller_level():
    """``stacklevel`` that points a warning at the user's code: the first
    frame outside this package, imbalanced-learn and scikit-learn."""
    frame, level = inspect.currentframe().f_back, 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("imblearn_meda.", "imblearn.", "sklearn.")):
        frame, level = frame.f_back, level + 1
    return level


def minority_mask(sampling_strategy_, classes, counts_by_index):
    """The paper's minority group by class index.

    A class belongs to it when the sampler adds at least as many new samples
    as the class has real ones (it at least doubles). A class that a
    cross-validation fold tops up by a few samples stays in the majority
    group: it is not short of data the way the paper's minority classes are.
    """
    new = np.array([sampling_strategy_.get(c, 0) for c in classes])
    return (new > 0) & (new >= counts_by_index)


def _plain(label):
    """A numpy scalar label as the Python value, for readable messages."""
    return label.item() if hasattr(label, "item") else label


class ImageInputMixin:
    """Input checks of an over-sampler of images.

    ``X`` may be 2-D ``(n_samples, n_features)``, as a pipeline passes it, or
    ``(n, H, W)`` / ``(n, C, H, W)`` image arrays, which come back in the
    same shape. Sets ``image_shape_`` from the ``image_shape`` parameter.
    """

    def _check_X_y(self, X, y, accept_sparse=None):
        input_shape = None
        if not hasattr(X, "iloc") and not hasattr(X, "toarray") and not hasattr(
            X, "tocsr"
        ):
            arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
            if arr.ndim in (3, 4):
                if arr.shape[0] == 0:
                    raise ValueError(
                        f"Found array with 0 sample(s) (shape={arr.shape}) while a "
                        "minimum of 1 is required."
                    )
                input_shape = arr.shape[1:]
                X = arr.reshape(arr.shape[0], -1)
            elif arr.ndim > 4:
                raise ValueError(
                    f"X has {arr.ndim} dimensions; expected (n_samples, n_features), "
                    "(n, H, W) or (n, C, H, W)."
                )
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(
            self,
            X=X,
            y=y,
            reset=True,
            accept_sparse=False,
            dtype="numeric",
            ensure_all_finite=True,
        )
        if X.dtype.kind not in "biuf":
            raise TypeError(
                f"X must hold numbers (bool, int or float), got dtype {X.dtype}."
            )
        self._input_shape = input_shape
        self.image_shape_ = resolve_image_shape(
            self.image_shape, X.shape[1], input_shape
        )
        return X, y, binarize_y

    def _to_output(self, X):
        """Give samples back in the input's shape (flat, (n,H,W) or (n,C,H,W))."""
        if self._input_shape is not None:
            return X.reshape((X.shape[0], *self._input_shape))
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags


class BaseDeepOverSampler(ImageInputMixin, BaseOverSampler):
    """Common machinery of the deep over-samplers.

    A subclass stores its parameters in ``__init__`` (with
    ``_parameter_constraints``) and implements two methods:
    ``_train(Xn, y_idx, batch_size)``, which trains its networks on the
    data scaled for them (images in ``[0, 1]`` shaped ``(n, C, H, W)``,
    tabular data standardised) with class indices, and
    ``_generate(k, n)``, which returns ``n`` new samples of class index
    ``k`` on that scale and a dict of synthesis statistics (empty when it
    has none). This class does the rest: input checks and shapes, the scale
    in and out, the device and seeding, threads (``n_jobs``), a retry at a
    smaller batch on CUDA out-of-memory, a clean stop on Ctrl-C, ``sample``
    and pickles that load on a CPU-only machine.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "image_shape": [None, StrOptions({"auto"}), tuple, list],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "n_jobs": [None, Interval(numbers.Integral, None, None, closed="neither")],
        "verbose": ["verbose"],
    }

    #: Fewest samples a class may have to be over-sampled.
    _min_class_samples = 2

    #: Training sets larger than this stay in host memory during the fit
    #: (each batch is copied to the device); smaller ones live on the device.
    _max_device_bytes = 2 * 1024**3

    def _data_tensor(self, Xn):
        """The net-scaled training data as a tensor on the device, or in host
        memory when it is larger than ``_max_device_bytes``."""
        small = Xn.nbytes <= self._max_device_bytes
        return torch.as_tensor(Xn, device=self.device_ if small else "cpu")

    def _check_classes(self, y):
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) < 2:
            raise ValueError(
                f"y holds a single class ({_plain(classes[0])!r}); over-sampling "
                "needs at least two classes."
            )
        small = {
            _plain(c): int(n)
            for c, n in zip(classes, counts)
            if n < self._min_class_samples and self.sampling_strategy_.get(c, 0) > 0
        }
        if small:
            raise ValueError(
                f"{type(self).__name__} needs at least {self._min_class_samples} "
                f"samples of each class it over-samples; these classes have fewer: "
                f"{small}. Remove them, or leave them out of sampling_strategy."
            )
        return classes

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, **params):
        """Train the generative model on ``X, y``.

        ``fit_resample`` is what a pipeline calls; ``fit`` followed by
        :meth:`sample` draws new samples without resampling the input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, H, W) or (n, C, H, W)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        _refuse_params(self, "fit", params)
        self._validate_params()
        check_device(self.device)
        check_classification_targets(y)
        X, y, _ = self._check_X_y(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        with torch_threads(self.n_jobs):
            self._run_guarded(self._fit_model, X, y)
        return self

    def fit_resample(self, X, y, **params):
        """Train the generative model and return ``X, y`` with new samples.

        The original samples come first and unchanged, followed by the new
        samples, class by class, as ``sampling_strategy_`` asks.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, H, W) or (n, C, H, W)
            Data to over-sample.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        X_resampled : array-like, same type and shape per sample as ``X``
            Originals followed by the synthetic samples.
        y_resampled : array-like of shape (n_samples_new,)
            Labels of ``X_resampled``.
        """
        _refuse_params(self, "fit_resample", params)
        self._validate_params()
        check_device(self.device)
        with torch_threads(self.n_jobs):
            return super().fit_resample(X, y)

    def _fit_resample(self, X, y):
        return self._run_guarded(self._fit_resample_guarded, X, y)

    def _fit_resample_guarded(self, X, y):
        self._fit_model(X, y)
        X_new, y_new, stats = self._draw(self.sampling_strategy_, self._seed)
        self._keep_synthesis_stats(stats)
        X_all = np.concatenate([X, X_new.astype(X.dtype, copy=False)], axis=0)
        y_all = np.concatenate([y, y_new.astype(y.dtype, copy=False)])
        return self._to_output(X_all), y_all

    def _run_guarded(self, func, X, y):
        """Run a fit; if it fails or is interrupted (Ctrl-C), leave the
        sampler unfitted and re-raise, so that no half-fitted state is used."""
        try:
            return func(X, y)
        except BaseException:
            self._forget_fit()
            raise

    def _forget_fit(self):
        for name in list(vars(self)):
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)

    def _fit_model(self, X, y):
        self.classes_ = self._check_classes(y)
        self.device_ = resolve_device(self.device)
        self._seed = seed_from(self.random_state)
        self._scaler = Scaler(X, self.image_shape_ is not None)
        self._dtype = X.dtype
        y_idx = np.searchsorted(self.classes_, y)
        Xn = self._scaler.to_net(X)
        if self.image_shape_ is not None:
            Xn = Xn.reshape((-1, *self.image_shape_))

        batch_size = self.batch_size
        while True:
            try:
                with seeded(self._seed, self.device_):
                    self._train(Xn, y_idx, batch_size)
                break
            except torch.OutOfMemoryError as exc:
                if self.device_.type != "cuda" or batch_size <= 8:
                    raise MemoryError(
                        f"Out of memory while training at batch_size={batch_size} "
                        f"on {self.device_} with samples of shape "
                        f"{self.image_shape_ or (X.shape[1],)}. Lower batch_size, "
                        "resize the images, or use device='cpu'."
                    ) from exc
                batch_size //= 2
                if self.device_.type == "cuda":
                    torch.cuda.empty_cache()
                warnings.warn(
                    f"CUDA ran out of memory; training again with "
                    f"batch_size={batch_size}.",
                    RuntimeWarning,
                    stacklevel=2,
                )
        self.batch_size_ = batch_size
        return self

    # ------------------------------------------------------------------ sample
    def sample(self, counts, random_state=None):
        """Draw new samples from the fitted model, without refitting.

        Parameters
        ----------
        counts : dict of {class label: int}
            Number of new samples for each class.
        random_state : int, RandomState instance or None, default=None
            Seed of this draw. ``None`` draws fresh samples at every call;
            an int gives the same samples at every call.

        Returns
        -------
        X_new : ndarray
            New samples, in the shape and dtype family of the training input.
        y_new : ndarray of shape (sum(counts.values()),)
            Their labels.
        """
        check_is_fitted(self, "classes_")
        if not isinstance(counts, dict):
            raise TypeError(
                f"counts must be a dict {{class: number of samples}}, got "
                f"{type(counts).__name__}."
            )
        for label, n in counts.items():
            if label not in self.classes_:
                raise ValueError(
                    f"counts names class {_plain(label)!r}, which was not seen in "
                    f"fit; the classes are {[_plain(c) for c in self.classes_]}."
                )
            if not isinstance(n, numbers.Integral) or n < 0:
                raise ValueError(
                    f"counts[{_plain(label)!r}] must be a non-negative integer, "
                    f"got {n!r}."
                )
        with torch_threads(self.n_jobs):
            X_new, y_new, _ = self._draw(counts, seed_from(random_state))
        return self._to_output(X_new), y_new

    def _draw(self, counts, seed):
        """New samples for ``counts``, their labels, and per class what the
        sampler reports of its synthesis (an empty dict when nothing)."""
        parts, labels, stats = [], [], {}
        with seeded(seed, self.device_):
            for label, n in counts.items():
                if n == 0:
                    continue
                k = int(np.searchsorted(self.classes_, label))
                Z, info = self._generate(k, int(n))
                parts.append(
                    self._scaler.from_net(Z.reshape(Z.shape[0], -1), self._dtype)
                )
                labels.append(np.full(int(n), label, dtype=self.classes_.dtype))
                if info:
                    stats[_plain(self.classes_[k])] = info
        _warn_shortfalls(stats)
        n_features = self.n_features_in_
        if not parts:
            return (
                np.empty((0, n_features), dtype=self._dtype),
                np.empty(0, dtype=self.classes_.dtype),
                stats,
            )
        return np.concatenate(parts), np.concatenate(labels), stats

    def _keep_synthesis_stats(self, stats):
        """What ``fit_resample`` keeps of its synthesis (nothing by default)."""

    @abstractmethod
    def _train(self, Xn, y_idx, batch_size):
        """Train the networks on net-scaled data (numpy float32) and class indices."""

    @abstractmethod
    def _generate(self, k, n):
        """Return ``n`` new samples of class index ``k`` (numpy, the
        networks' scale) and a dict of what to report of their synthesis:
        ``{"drawn", "passed", "kept", "rejected"}`` for a filtering sampler
        (the draws, those that passed, the returned samples that passed and
        those that did not), else empty."""

    # ------------------------------------------------------------------ pickle
    def __getstate__(self):
        state = super().__getstate__()
        state = dict(state)
        device = state.get("device_")
        if device is not None and torch.device(device).type != "cpu":
            for name, value in state.items():
                if isinstance(value, (torch.nn.Module, torch.Tensor)):
                    state[name] = copy.deepcopy(value).cpu()
        state["_fitted_device"] = None if device is None else str(device)
        state["_pickle_format"] = PICKLE_FORMAT
        return state

    def __setstate__(self, state):
        fmt = state.get("_pickle_format")
        if fmt != PICKLE_FORMAT:
            raise ValueError(
                f"This {type(self).__name__} was pickled by a version of "
                f"imblearn-meda with pickle format {fmt!r}; this version reads "
                f"format {PICKLE_FORMAT}. Refit the sampler with this version."
            )
        if state.get("device_") is not None:
            device = check_cuda_pickle(state, type(self).__name__)
            for name, value in state.items():
                if isinstance(value, (torch.nn.Module, torch.Tensor)):
                    state[name] = value.to(device)
            state["device_"] = device
        super().__setstate__(state)
