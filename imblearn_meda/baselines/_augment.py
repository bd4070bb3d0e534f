"""Random over-sampling with label-preserving image augmentation.

The baseline a reviewer asks for next to any generative over-sampler: copy
real images of the class, as random over-sampling does, and move each copy
by a few pixels (and mirror it left-right where the data allows). It learns
nothing and runs in a fraction of a second.
"""

from __future__ import annotations

import numbers

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import ImageInputMixin, _refuse_params
from ..utils._augment import auto_shift, shift_and_flip


class AugmentedOverSampler(ImageInputMixin, BaseOverSampler):
    """Random over-sampling whose copies are shifted and optionally mirrored.

    Each new sample of a class is a real sample of that class drawn with
    replacement, as :class:`~imblearn.over_sampling.RandomOverSampler` draws
    them, moved by a random whole number of pixels in ``[-max_shift,
    max_shift]`` along each axis and, with ``flip=True``, mirrored left-right
    with probability one half. Both are standard label-preserving image
    augmentations; mirroring is not label-preserving for every data set
    (digits, text), so it is off by default.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Number of new samples per class, as in imbalanced-learn.

    random_state : int, RandomState instance or None, default=None
        Seed of the draws, shifts and flips.

    image_shape : 'auto', None or tuple of int, default='auto'
        Shape ``(C, H, W)`` (or ``(H, W)``) of one image in the rows of a
        2-D ``X``, read as by the package's other samplers. Tabular data
        (no image shape) is rejected: shifting has no meaning there.

    max_shift : int or 'auto', default='auto'
        Largest shift in pixels along each axis. ``'auto'``: one pixel per
        14 of the shorter side, at least 1 (8x8: 1, 28x28 and 32x32: 2).

    flip : bool, default=False
        Mirror half of the new samples left-right.

    padding : {'edge', 'constant'}, default='edge'
        What fills the pixels a shift uncovers: the nearest border pixel, or
        the smallest value of ``X``.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of new samples per class.
    image_shape_ : tuple
        ``(C, H, W)`` used.
    sample_indices_ : ndarray
        Indices of the samples that ``fit_resample`` returned (originals
        first, then the real sample each new one was copied from).
    n_features_in_ : int
        Number of features (``C * H * W``).

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : the same draws, unaugmented.
    MEDALUDESampler : the MEDA_LUDE over-sampler.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import AugmentedOverSampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y < 2) | ((y == 2) & (np.cumsum(y == 2) <= 20))
    >>> X_res, y_res = AugmentedOverSampler(random_state=0).fit_resample(
    ...     X[keep], y[keep])
    >>> np.bincount(y_res).tolist()
    [182, 182, 182]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "random_state": ["random_state"],
        "image_shape": [None, StrOptions({"auto"}), tuple, list],
        "max_shift": [Interval(numbers.Integral, 0, None, closed="left"),
                      StrOptions({"auto"})],
        "flip": ["boolean"],
        "padding": [StrOptions({"edge", "constant"})],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None,
                 image_shape="auto", max_shift="auto", flip=False, padding="edge"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.max_shift = max_shift
        self.flip = flip
        self.padding = padding

    def fit(self, X, y, **params):
        """Check ``X, y`` and set ``sampling_strategy_`` (nothing to learn).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, H, W) or (n, C, H, W)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : object
        """
        _refuse_params(self, "fit", params)
        return super().fit(X, y)

    def fit_resample(self, X, y, **params):
        """Return ``X, y`` with shifted (and mirrored) copies added.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, H, W) or (n, C, H, W)
        y : array-like of shape (n_samples,)

        Returns
        -------
        X_resampled : array-like, the type and layout of ``X``
        y_resampled : array-like of shape (n_samples_new,)
        """
        _refuse_params(self, "fit_resample", params)
        return super().fit_resample(X, y)

    def _fit_resample(self, X, y):
        if self.image_shape_ is None:
            raise ValueError(
                "AugmentedOverSampler shifts images, and this X is tabular: give "
                "image_shape=(C, H, W), or (n, H, W) / (n, C, H, W) arrays."
            )
        rng = check_random_state(self.random_state)
        picks = [np.arange(X.shape[0])]
        for label, n_new in self.sampling_strategy_.items():
            members = np.flatnonzero(y == label)
            picks.append(rng.choice(members, size=n_new, replace=True))
        self.sample_indices_ = np.concatenate(picks)
        new = self.sample_indices_[X.shape[0]:]
        s = (auto_shift(self.image_shape_) if self.max_shift == "auto"
             else int(self.max_shift))
        shifts = rng.randint(-s, s + 1, size=(new.size, 2))
        flips = rng.rand(new.size) < 0.5 if self.flip else np.zeros(new.size, bool)
        images = X[new].reshape((new.size, *self.image_shape_))
        moved = shift_and_flip(images, shifts, flips, self.padding)
        X_all = np.concatenate([X, moved.reshape(new.size, -1)])
        return self._to_output(X_all), y[self.sample_indices_]
