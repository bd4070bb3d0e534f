"""DeepSMOTESampler: SMOTE between the latent codes of a trained autoencoder.

DeepSMOTE (Dablain, Krawczyk and Chawla, 2022) trains an encoder/decoder
pair with a reconstruction loss and a permutation penalty, encodes the
training samples, interpolates SMOTE-style between latent codes of the same
class and decodes the interpolations. This module is written from the
paper's description.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDeepOverSampler
from ..nn import History, auto_epochs, build_networks, shuffled_batches, train_epochs
from ..utils._docstring import shared_docs

#: Rows of latent codes whose neighbours are searched at once (bounds the
#: size of the distance matrix to ``_NEIGHBOUR_CHUNK x class size``).
_NEIGHBOUR_CHUNK = 1024


def _class_index(y, n_classes):
    """Sample indices sorted by class, with each class's start and count."""
    order = torch.argsort(y, stable=True)
    counts = torch.bincount(y, minlength=n_classes)
    starts = torch.cumsum(counts, 0) - counts
    return order, starts, counts


def nearest_neighbours(Z, k):
    """Indices ``(m, k)`` of the ``k`` nearest other rows of ``Z`` for each row.

    A row is never its own neighbour (duplicates of it may be). Distances
    are Euclidean; the search runs in chunks of rows so memory stays
    ``O(chunk * m)``.
    """
    m = Z.shape[0]
    out = []
    for start in range(0, m, _NEIGHBOUR_CHUNK):
        rows = torch.arange(start, min(start + _NEIGHBOUR_CHUNK, m), device=Z.device)
        d = torch.cdist(Z[rows], Z)
        d[torch.arange(rows.numel(), device=Z.device), rows] = float("inf")
        out.append(torch.topk(d, k, dim=1, largest=False, sorted=True).indices)
    return torch.cat(out)


@shared_docs
class DeepSMOTESampler(BaseDeepOverSampler):
    """Over-sample with DeepSMOTE: SMOTE in the latent space of an autoencoder.

    An encoder/decoder pair is trained on all classes with two losses per
    update:

    * the reconstruction error (mean squared error) of a random mini-batch;
    * the permutation penalty of DeepSMOTE: a batch of samples of one class,
      drawn at random with every class equally likely, is encoded, the order
      of its latent codes is permuted, the permuted codes are decoded and the
      result is compared (mean squared error) with the inputs in their
      original order. Each decoded image is thus pulled toward another
      member of its class, which teaches the decoder to turn codes of one
      class into variations of that class (what SMOTE's interpolation
      between codes relies on); drawing the class uniformly gives each class
      the same weight whatever its size.

    After training, every training sample is encoded (``latents_``). A new
    sample of class ``k`` is made as SMOTE makes one, but between latent
    codes: a random code of class ``k``, one of its ``k_neighbors`` nearest
    codes of the same class picked at random, and a point drawn uniformly on
    the segment between them, which is then decoded. With
    ``synthesis='residual'`` the decoder supplies only the change: the new
    sample is ``D(z) + (x - D(e))``, where ``x`` is the real sample the
    interpolation starts from and ``e`` its code.

    Images (pixels scaled to ``[0, 1]``) use convolutional networks whose
    decoder ends in a sigmoid; tabular data (standardised per feature) uses
    MLPs.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {image_shape}

    latent_dim : int, default=32
        Size of the latent code.

    epochs : int or 'auto', default='auto'
        Training epochs. ``'auto'``: about 1500 updates, between 10 and 100
        epochs.

    k_neighbors : int, default=5
        Number of nearest same-class latent codes among which the partner of
        an interpolation is drawn. A class of ``m`` samples uses at most
        ``m - 1`` (so a class of two samples interpolates between them).

    penalty_weight : float, default=1.0
        Weight of the permutation penalty against the reconstruction loss
        (its single-class batches hold at most ``batch_size`` samples).
        ``0`` trains a plain autoencoder.

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate.

    synthesis : {'decode', 'residual'}, default='decode'
        ``'decode'``: decode the interpolated code ``z``, as DeepSMOTE does.
        ``'residual'``: return ``D(z) + (x - D(e))``, where ``x`` is the real
        sample the interpolation starts from and ``e = E(x)`` its code: the
        real image keeps the detail the decoder cannot reproduce and the
        decoder adds the change from ``e`` to ``z`` (images are clipped to the
        input range). This is the synthesis :class:`MEDALUDESampler` uses by
        default; it is not in the DeepSMOTE paper. It keeps the training
        samples of every class (``anchors_``), so the fitted sampler holds a
        copy of the training data.

    {device}

    {n_jobs}

    {verbose}

    Attributes
    ----------
    {fitted_input}
    encoder_ : torch.nn.Module
        Trained encoder.
    decoder_ : torch.nn.Module
        Trained decoder.
    latents_ : dict of {class label: ndarray of shape (n_class_samples, latent_dim)}
        Latent codes of the training samples of each class, in the order of
        the samples in ``X``; the new samples interpolate between them.
    anchors_ : dict of {class label: ndarray} or None
        With ``synthesis='residual'``: the training samples of each class on
        the networks' scale, in the order of ``latents_``. ``None`` with
        ``synthesis='decode'``.
    epochs_ : int
        Number of epochs trained.
    history_ : list of dict
        One row per epoch: ``phase`` (``'train'``), ``epoch``, and the mean
        ``loss`` with its parts ``rec`` and ``penalty``.
    {fitted_device}

    See Also
    --------
    MEDALUDESampler : the MEDA_LUDE over-sampler.
    CVAESampler : conditional-VAE over-sampler.
    imblearn.over_sampling.SMOTE : the same interpolation in input space.

    References
    ----------
    .. [1] D. Dablain, B. Krawczyk, N. V. Chawla, "DeepSMOTE: Fusing Deep
       Learning and SMOTE for Imbalanced Data", IEEE Transactions on Neural
       Networks and Learning Systems, 2022.
    .. [2] N. V. Chawla, K. W. Bowyer, L. O. Hall, W. P. Kegelmeyer, "SMOTE:
       Synthetic Minority Over-sampling Technique", JAIR 16, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import DeepSMOTESampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y < 2) | ((y == 2) & (np.cumsum(y == 2) <= 20))
    >>> X, y = X[keep], y[keep]
    >>> np.bincount(y).tolist()
    [178, 182, 20]
    >>> sampler = DeepSMOTESampler(epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [182, 182, 182]
    """

    _parameter_constraints: dict = {
        **BaseDeepOverSampler._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"),
                   StrOptions({"auto"})],
        "k_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "penalty_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "synthesis": [StrOptions({"decode", "residual"})],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        image_shape="auto",
        latent_dim=32,
        epochs="auto",
        k_neighbors=5,
        penalty_weight=1.0,
        batch_size=128,
        learning_rate=1e-3,
        synthesis="decode",
        device="auto",
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.k_neighbors = k_neighbors
        self.penalty_weight = penalty_weight
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.synthesis = synthesis
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ---------------------------------------------------------------- training
    @staticmethod
    def _mse(x_hat, x):
        return ((x_hat - x) ** 2).mean()

    def _penalty(self, encoder, decoder, X, class_index, batch_size):
        """Permutation penalty on a batch of one class drawn uniformly."""
        order, starts, counts = class_index
        k = int(torch.randint(counts.numel(), (1,)))
        m = int(counts[k])
        take = torch.randperm(m)[:batch_size]
        xb = X[(order[starts[k] + take]).to(X.device)].to(self.device_)
        z = encoder(xb)
        perm = torch.randperm(take.numel()).to(self.device_)
        return self._mse(decoder(z[perm]), xb)

    def _train(self, Xn, y_idx, batch_size):
        device = self.device_
        n_classes = len(self.classes_)
        n, n_features = Xn.shape[0], int(np.prod(Xn.shape[1:]))
        encoder, decoder, _, _ = build_networks(
            self.image_shape_, n_features, n_classes, self.latent_dim
        )
        encoder, decoder = encoder.to(device), decoder.to(device)
        params = list(encoder.parameters()) + list(decoder.parameters())
        opt = torch.optim.Adam(params, lr=self.learning_rate)

        X = self._data_tensor(Xn)
        y = torch.as_tensor(y_idx, dtype=torch.long)
        class_index = _class_index(y, n_classes)
        weight = float(self.penalty_weight)
        epochs = auto_epochs(self.epochs, n, batch_size, 1500, 10, 100)
        history = History()
        encoder.train()
        decoder.train()
        zero = torch.zeros((), device=device)

        def step(idx):
            xb = X[idx.to(X.device)].to(device)
            rec = self._mse(decoder(encoder(xb)), xb)
            pen = (self._penalty(encoder, decoder, X, class_index, batch_size)
                   if weight > 0 else zero)
            return rec + weight * pen, {"rec": rec, "penalty": pen}, idx.numel()

        train_epochs(step, lambda: shuffled_batches(n, batch_size, "cpu"), epochs, opt,
                     history, desc="DeepSMOTE autoencoder", verbose=self.verbose,
                     meta={"phase": "train"})

        self.encoder_ = encoder.eval()
        self.decoder_ = decoder.eval()
        self.epochs_ = epochs
        self.history_ = history
        self.latents_ = self._encode_by_class(X, y, batch_size)
        self.anchors_ = None
        if self.synthesis == "residual":
            self.anchors_ = {
                _label_key(c): np.ascontiguousarray(Xn[y_idx == k], dtype=np.float32)
                for k, c in enumerate(self.classes_)
            }

    @torch.no_grad()
    def _encode_by_class(self, X, y, batch_size):
        chunk = max(batch_size, 256)
        Z = torch.cat([
            self.encoder_(xb.to(self.device_)).cpu() for xb in X.split(chunk)
        ]).numpy()
        return {
            _label_key(c): Z[(y == k).numpy()] for k, c in enumerate(self.classes_)
        }

    # ---------------------------------------------------------------- synthesis
    @torch.no_grad()
    def _generate(self, k, n):
        device = self.device_
        label = self.classes_[k]
        if self.synthesis == "residual" and getattr(self, "anchors_", None) is None:
            raise ValueError(
                "synthesis='residual' needs the training samples kept at fit "
                "time, and this sampler was fitted with synthesis='decode'. "
                "Fit it again with synthesis='residual'."
            )
        Z = torch.as_tensor(self.latents_[_label_key(label)], device=device)
        m = Z.shape[0]
        if m < 2:
            raise ValueError(
                f"DeepSMOTESampler interpolates between two samples of a class; "
                f"class {label!r} has {m} training sample(s)."
            )
        n_neighbors = min(int(self.k_neighbors), m - 1)
        neighbours = nearest_neighbours(Z, n_neighbors)
        base = torch.randint(m, (n,), device=device)
        partner = neighbours[base, torch.randint(n_neighbors, (n,), device=device)]
        gap = torch.rand(n, 1, device=device)
        z = Z[base] + gap * (Z[partner] - Z[base])
        chunk = max(int(getattr(self, "batch_size_", self.batch_size)), 256)
        if self.synthesis == "decode":
            out = torch.cat([self.decoder_(zb).cpu() for zb in z.split(chunk)])
            return out.numpy(), {}
        # What the decoder cannot reproduce of each real sample, x - D(e):
        # one decode per sample of the class, not one per draw.
        X = torch.as_tensor(self.anchors_[_label_key(label)], device=device)
        details = X - torch.cat([self.decoder_(zb) for zb in Z.split(chunk)])
        parts = []
        for zb, bb in zip(z.split(chunk), base.split(chunk)):
            x = self.decoder_(zb) + details[bb]
            parts.append((x.clamp(0.0, 1.0) if self.image_shape_ is not None else x).cpu())
        return torch.cat(parts).numpy(), {}


def _label_key(label):
    """A class label as a plain Python value (numpy scalars unwrapped)."""
    return label.item() if hasattr(label, "item") else label
