"""CVAESampler: a conditional variational autoencoder used as an over-sampler.

The baseline that the MEDA_LUDE paper found strongest among the simple
generative over-samplers: a conditional VAE (Sohn et al., 2015) is trained on
all classes, and new samples of class ``k`` are decoded from latent codes
drawn from the prior ``N(0, I)`` together with the label ``k``.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ..base import BaseDeepOverSampler
from ..nn import (
    ConvDecoder,
    ConvEncoder,
    History,
    auto_epochs,
    mlp,
    shuffled_batches,
    train_epochs,
)
from ..utils._docstring import shared_docs

#: Width of the encoder's feature vector before the label is joined to it
#: (and of the hidden layers of the tabular networks).
_HIDDEN = 128

#: Bounds of the encoder's ``log sigma2``; they keep ``exp`` finite early in
#: training without limiting any sensible posterior.
_LOG_VAR_BOUNDS = (-10.0, 10.0)


class ConditionalEncoder(nn.Module):
    """``q(z | x, y)``: encoded ``x`` and one-hot ``y`` to ``(mu, log sigma2)``.

    The label enters after the convolutional (or MLP) body, right before the
    two Gaussian heads, so the same body serves images and tabular data.
    """

    def __init__(self, image_shape, n_features, n_classes, latent_dim, hidden=_HIDDEN):
        super().__init__()
        if image_shape is not None:
            self.body = nn.Sequential(
                ConvEncoder(image_shape, hidden), nn.LeakyReLU(0.2)
            )
        else:
            self.body = mlp([n_features, hidden, hidden], last=nn.LeakyReLU(0.2))
        self.head = nn.Linear(hidden + n_classes, 2 * latent_dim)
        self.latent_dim = latent_dim

    def forward(self, x, onehot):
        out = self.head(torch.cat([self.body(x), onehot], dim=1))
        mu, log_var = out.split(self.latent_dim, dim=1)
        return mu, log_var.clamp(*_LOG_VAR_BOUNDS)


class ConditionalDecoder(nn.Module):
    """``p(x | z, y)``: the package's decoder fed ``[z, one-hot y]``.

    Images end in a sigmoid (pixels in ``[0, 1]``); tabular outputs are
    unbounded standardised features.
    """

    def __init__(self, image_shape, n_features, n_classes, latent_dim, hidden=_HIDDEN):
        super().__init__()
        if image_shape is not None:
            self.net = ConvDecoder(image_shape, latent_dim + n_classes)
        else:
            self.net = mlp([latent_dim + n_classes, hidden, hidden, n_features])

    def forward(self, z, onehot):
        return self.net(torch.cat([z, onehot], dim=1))


@shared_docs
class CVAESampler(BaseDeepOverSampler):
    """Over-sample with a conditional variational autoencoder (CVAE).

    One CVAE is trained on all classes: the encoder maps an image (or a row
    of tabular data) and its one-hot label to a diagonal Gaussian posterior
    over a latent code, and the decoder maps a latent code and a one-hot
    label back to a sample. The loss is the negative evidence lower bound,
    a reconstruction term plus ``beta_kl`` times the Kullback-Leibler
    divergence of the posterior from ``N(0, I)``. New samples of class ``k``
    are decoded from codes drawn from ``N(0, I)`` with the label ``k``.

    Images (pixels scaled to ``[0, 1]``) use convolutional networks and a
    binary cross-entropy reconstruction summed over pixels; tabular data
    (standardised per feature) uses MLPs and a Gaussian reconstruction term,
    half the squared error summed over features.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {image_shape}

    latent_dim : int, default=16
        Size of the latent code.

    epochs : int or 'auto', default='auto'
        Training epochs. ``'auto'``: about 1500 updates, between 10 and 100
        epochs.

    beta_kl : float, default=1.0
        Weight of the Kullback-Leibler term (``1`` is the plain CVAE).

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate.

    {device}

    {n_jobs}

    {verbose}

    Attributes
    ----------
    {fitted_input}
    encoder_ : torch.nn.Module
        Trained encoder ``q(z | x, y)``; called as ``encoder_(x, onehot)`` it
        returns ``(mu, log_var)``.
    decoder_ : torch.nn.Module
        Trained decoder ``p(x | z, y)``; called as ``decoder_(z, onehot)``.
    epochs_ : int
        Number of epochs trained.
    history_ : list of dict
        One row per epoch: ``phase`` (``'train'``), ``epoch``, and the mean
        per-sample ``loss`` with its parts ``rec`` and ``kl``.
    {fitted_device}

    See Also
    --------
    MEDALUDESampler : the MEDA_LUDE over-sampler this baseline is compared with.
    DeepSMOTESampler : SMOTE in the latent space of an autoencoder.
    imblearn.over_sampling.SMOTE : interpolation between neighbours.

    References
    ----------
    .. [1] K. Sohn, H. Lee, X. Yan, "Learning Structured Output Representation
       using Deep Conditional Generative Models", NeurIPS 2015.
    .. [2] D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes",
       ICLR 2014.
    .. [3] Y. Zhao, K. Hao, L. Gu, B. Wei, "Distribution Learning Based on
       Evolutionary Algorithm Assisted Deep Neural Networks for Imbalanced
       Image Classification", arXiv:2207.12744, 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import CVAESampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y < 2) | ((y == 2) & (np.cumsum(y == 2) <= 20))
    >>> X, y = X[keep], y[keep]
    >>> np.bincount(y).tolist()
    [178, 182, 20]
    >>> sampler = CVAESampler(epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [182, 182, 182]
    """

    _parameter_constraints: dict = {
        **BaseDeepOverSampler._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"),
                   StrOptions({"auto"})],
        "beta_kl": [Interval(numbers.Real, 0, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        image_shape="auto",
        latent_dim=16,
        epochs="auto",
        beta_kl=1.0,
        batch_size=128,
        learning_rate=1e-3,
        device="auto",
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.epochs = epochs
        self.beta_kl = beta_kl
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ---------------------------------------------------------------- training
    def _reconstruction(self, x_hat, x):
        """Per-sample negative log-likelihood of ``x`` under the decoder."""
        if self.image_shape_ is not None:
            nll = F.binary_cross_entropy(x_hat, x, reduction="none")
        else:
            nll = 0.5 * (x_hat - x) ** 2
        return nll.flatten(1).sum(dim=1)

    def _train(self, Xn, y_idx, batch_size):
        device = self.device_
        n_classes = len(self.classes_)
        n, n_features = Xn.shape[0], int(np.prod(Xn.shape[1:]))
        encoder = ConditionalEncoder(
            self.image_shape_, n_features, n_classes, self.latent_dim
        ).to(device)
        decoder = ConditionalDecoder(
            self.image_shape_, n_features, n_classes, self.latent_dim
        ).to(device)
        params = list(encoder.parameters()) + list(decoder.parameters())
        opt = torch.optim.Adam(params, lr=self.learning_rate)

        X = self._data_tensor(Xn)
        if self.image_shape_ is not None:
            # Guard BCE against values a hair outside [0, 1] from float error.
            X = X.clamp(0.0, 1.0)
        onehot = F.one_hot(torch.as_tensor(y_idx, dtype=torch.long), n_classes)
        onehot = onehot.float().to(X.device)
        beta = float(self.beta_kl)
        epochs = auto_epochs(self.epochs, n, batch_size, 1500, 10, 100)
        history = History()
        encoder.train()
        decoder.train()

        def step(idx):
            idx = idx.to(X.device)
            xb, cb = X[idx].to(device), onehot[idx].to(device)
            mu, log_var = encoder(xb, cb)
            z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
            rec = self._reconstruction(decoder(z, cb), xb).mean()
            kl = 0.5 * (mu**2 + log_var.exp() - 1.0 - log_var).sum(1).mean()
            return rec + beta * kl, {"rec": rec, "kl": kl}, idx.numel()

        train_epochs(step, lambda: shuffled_batches(n, batch_size, "cpu"), epochs, opt,
                     history, desc="CVAE", verbose=self.verbose,
                     meta={"phase": "train"})

        self.encoder_ = encoder.eval()
        self.decoder_ = decoder.eval()
        self.epochs_ = epochs
        self.history_ = history

    # ---------------------------------------------------------------- synthesis
    @torch.no_grad()
    def _generate(self, k, n):
        device = self.device_
        n_classes = len(self.classes_)
        chunk = max(int(getattr(self, "batch_size_", self.batch_size)), 256)
        z = torch.randn(n, self.latent_dim, device=device)
        label = torch.zeros(1, n_classes, device=device)
        label[0, k] = 1.0
        parts = [
            self.decoder_(zb, label.expand(zb.shape[0], -1)).cpu()
            for zb in z.split(chunk)
        ]
        return torch.cat(parts).numpy(), {}
