"""CVAESeTredSampler: a conditional VAE that transfers from majority to minority.

CVAE_SeTred (Zhao, Hao, Tang, Chen and Wei, 2021), the method the MEDA_LUDE
authors published before MEDA_LUDE, treats the majority classes as the
source domain and the minority classes as the target domain of a transfer
problem inside one data set ("self-transferred"). Its model has two
encoders (one per domain), one decoder shared by both domains and a domain
classifier on the latent codes; the latent codes are pulled towards a
Gaussian (as in a VAE) and made domain-invariant, so that the decoder,
trained mostly on the plentiful majority samples, also serves the rare
minority classes. The paper's full text was not available when this module
was written: it implements what the abstract states, and every detail the
abstract leaves open is a parameter whose default is explained in the class
docstring (domain-adversarial training with a gradient-reversal layer is
Ganin and Lempitsky's, 2015).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import minority_mask
from ..nn import History, auto_epochs, mlp, shuffled_batches, train_epochs
from ..utils._docstring import shared_docs
from ._cvae import _HIDDEN, ConditionalDecoder, ConditionalEncoder, CVAESampler

#: Domain indices of the two encoders and of the domain classifier's target.
SOURCE, TARGET = 0, 1

#: Growth rate ``gamma`` of the DANN schedule ``2 / (1 + exp(-gamma p)) - 1``
#: of the reversed gradient's weight over the training progress ``p``
#: (Ganin and Lempitsky, 2015).
_DANN_GAMMA = 10.0


class _ReverseGradient(torch.autograd.Function):
    """Identity on the way forward; the gradient times ``-weight`` backward."""

    @staticmethod
    def forward(ctx, x, weight):
        ctx.weight = weight
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.weight * grad, None


def reverse_gradient(x, weight):
    """The gradient-reversal layer of domain-adversarial training (DANN):
    ``x`` unchanged, and ``-weight`` times the gradient flowing back."""
    return _ReverseGradient.apply(x, float(weight))


def domain_split(sampling_strategy_, classes, counts):
    """Boolean mask of the target-domain (minority) classes, by class index.

    The target domain is the classes the sampler at least doubles (the same
    rule as ``MEDALUDESampler.minority_classes_``). When no class doubles,
    every class that gets new samples is a target class; the others form the
    source (majority) domain.
    """
    target = minority_mask(sampling_strategy_, classes, counts)
    if not target.any():
        target = np.array([sampling_strategy_.get(c, 0) > 0 for c in classes])
    return target


def dann_weight(progress, schedule):
    """Weight of the reversed gradient at ``progress`` in ``[0, 1]``."""
    if schedule == "constant":
        return 1.0
    return 2.0 / (1.0 + math.exp(-_DANN_GAMMA * progress)) - 1.0


@shared_docs
class CVAESeTredSampler(CVAESampler):
    """Over-sample with CVAE_SeTred: a self-transferred conditional VAE.

    The classes are split into two domains: the target (minority) domain is
    the classes ``sampling_strategy_`` at least doubles, the source
    (majority) domain the others (``target_classes_``, ``source_classes_``).
    The model has

    * two conditional encoders ``q(z | x, y)``, one per domain
      (``source_encoder_`` and ``target_encoder_``): a sample is encoded by
      the encoder of its class's domain;
    * one conditional decoder ``p(x | z, y)`` shared by both domains
      (``decoder_``), so what it learns from the plentiful source samples
      serves the target classes too;
    * a domain classifier on the latent codes (``domain_classifier_``) that
      tells source from target codes. It is trained against the encoders
      through a gradient-reversal layer (DANN, Ganin and Lempitsky): the
      classifier learns to tell the domains apart while both encoders learn
      to make their codes indistinguishable, so the latent codes become
      domain-invariant.

    All parts are trained jointly, in one loop, on the sum of the negative
    evidence lower bound of the CVAE (reconstruction plus ``beta_kl`` times
    the Kullback-Leibler divergence of each posterior from ``N(0, I)``) and
    the domain classifier's cross-entropy, whose gradient reaches the
    encoders reversed and scaled by ``lambda_domain`` times the schedule
    ``domain_schedule``. New samples of class ``k`` are decoded from codes
    drawn from ``N(0, I)`` (``generation='prior'``) or from the Gaussian of
    the class's encoded training samples (``generation='class'``), with the
    label ``k``.

    When one domain is empty (nothing is over-sampled, as with balanced
    classes, or every class at least doubles), there is nothing to align:
    every class uses the one encoder of the non-empty domain, the other
    encoder and the domain classifier are ``None``, and the model is a
    plain CVAE.

    The reconstruction terms are :class:`CVAESampler`'s: a binary
    cross-entropy summed over pixels for images (convolutional networks,
    pixels scaled to ``[0, 1]``), half the squared error summed over
    features for tabular data (MLPs, standardised features).

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {image_shape}

    latent_dim : int, default=16
        Size of the latent code (not given by the paper's abstract;
        :class:`CVAESampler`'s default, for a like-for-like comparison).

    epochs : int or 'auto', default='auto'
        Training epochs. ``'auto'``: about 1500 updates, between 10 and 100
        epochs (the package's rule for :class:`CVAESampler`).

    beta_kl : float, default=1.0
        Weight of the Kullback-Leibler term (``1`` is the plain CVAE
        objective, the evidence lower bound).

    lambda_domain : float, default=1.0
        Largest weight of the reversed gradient that the domain classifier's
        loss sends to the encoders. ``0`` switches the domain classifier
        off (no domain alignment: two encoders and a shared decoder only).
        ``1`` is the weight of DANN (Ganin and Lempitsky), where the
        schedule below reaches it at the end of training.

    domain_schedule : {'dann', 'constant'}, default='dann'
        How the weight of the reversed gradient grows over the training
        progress ``p`` (from 0 to 1 over all updates): ``'dann'``,
        ``lambda_domain * (2 / (1 + exp(-10 p)) - 1)``, DANN's schedule,
        which lets the encoders learn to reconstruct before they are asked
        to fool the classifier; ``'constant'``, ``lambda_domain`` from the
        first update. The domain classifier itself always learns at full
        weight.

    balance_domains : bool, default=True
        Weight the domain classifier's cross-entropy so that each domain
        counts for half, whatever its size (weights ``n / (2 n_domain)``),
        the same in expectation as DANN's batches of equal source and
        target parts. ``False`` weighs every sample alike, so the rare
        target codes hardly count.

    generation : {'prior', 'class'}, default='prior'
        Where new latent codes come from. ``'prior'``: ``N(0, I)``, the
        prior every posterior was pulled towards (the paper's
        "multivariate Gaussian distributed latent variables"), as
        :class:`CVAESampler` does. ``'class'``: the diagonal Gaussian of the
        class's encoded training samples (``class_means_``,
        ``class_variances_``), which stays closer to the real samples of the
        class.

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate (one optimiser for all the networks).

    {device}

    {n_jobs}

    {verbose}

    Attributes
    ----------
    {fitted_input}
    source_classes_ : ndarray
        Classes of the source (majority) domain.
    target_classes_ : ndarray
        Classes of the target (minority) domain: those ``sampling_strategy_``
        at least doubles, or, when none does, those it over-samples at all.
    source_encoder_ : torch.nn.Module or None
        Trained encoder of the source classes; called as
        ``source_encoder_(x, onehot)`` it returns ``(mu, log_var)``. ``None``
        when the source domain is empty.
    target_encoder_ : torch.nn.Module or None
        Trained encoder of the target classes, called the same way. ``None``
        when the target domain is empty.
    decoder_ : torch.nn.Module
        Trained decoder ``p(x | z, y)``, shared by both domains; called as
        ``decoder_(z, onehot)``.
    domain_classifier_ : torch.nn.Module or None
        Trained domain classifier: latent codes to one logit (positive:
        target). ``None`` when the domains were not aligned
        (``lambda_domain=0`` or a domain is empty).
    class_means_ : ndarray of shape (n_classes, latent_dim)
        Mean of the encoded training samples of each class (the posterior
        means averaged).
    class_variances_ : ndarray of shape (n_classes, latent_dim)
        Their variance per dimension: the mean posterior variance plus the
        variance of the posterior means.
    epochs_ : int
        Number of epochs trained.
    history_ : History
        One row per epoch: ``phase`` (``'train'``), ``epoch``, the mean
        per-sample ``loss`` (``rec + beta_kl * kl + domain``) and its parts
        ``rec`` and ``kl``; with domain alignment also ``domain`` (the
        classifier's weighted cross-entropy, about ``log 2 = 0.693`` when
        the codes of the two domains cannot be told apart), ``domain_acc``
        (its weighted accuracy, about 0.5 then) and ``domain_weight`` (the
        mean weight of the reversed gradient).
    {fitted_device}

    See Also
    --------
    CVAESampler : the same conditional VAE with one encoder and no domains.
    MEDALUDESampler : the authors' later method, MEDA_LUDE.
    DeepSMOTESampler : SMOTE in the latent space of an autoencoder.

    References
    ----------
    .. [1] Y. Zhao, K. Hao, X. Tang, L. Chen, B. Wei, "A conditional
       variational autoencoder based self-transferred algorithm for
       imbalanced classification", Knowledge-Based Systems 218, 106756,
       2021.
    .. [2] Y. Ganin, V. Lempitsky, "Unsupervised Domain Adaptation by
       Backpropagation", ICML 2015.
    .. [3] K. Sohn, H. Lee, X. Yan, "Learning Structured Output Representation
       using Deep Conditional Generative Models", NeurIPS 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import CVAESeTredSampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y < 2) | ((y == 2) & (np.cumsum(y == 2) <= 20))
    >>> X, y = X[keep], y[keep]
    >>> np.bincount(y).tolist()
    [178, 182, 20]
    >>> sampler = CVAESeTredSampler(epochs=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [182, 182, 182]
    >>> sampler.target_classes_.tolist(), sampler.source_classes_.tolist()
    ([2], [0, 1])
    """

    _parameter_constraints: dict = {
        **CVAESampler._parameter_constraints,
        "lambda_domain": [Interval(numbers.Real, 0, None, closed="left")],
        "domain_schedule": [StrOptions({"dann", "constant"})],
        "balance_domains": ["boolean"],
        "generation": [StrOptions({"prior", "class"})],
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
        lambda_domain=1.0,
        domain_schedule="dann",
        balance_domains=True,
        generation="prior",
        batch_size=128,
        learning_rate=1e-3,
        device="auto",
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(
            sampling_strategy=sampling_strategy,
            random_state=random_state,
            image_shape=image_shape,
            latent_dim=latent_dim,
            epochs=epochs,
            beta_kl=beta_kl,
            batch_size=batch_size,
            learning_rate=learning_rate,
            device=device,
            n_jobs=n_jobs,
            verbose=verbose,
        )
        self.lambda_domain = lambda_domain
        self.domain_schedule = domain_schedule
        self.balance_domains = balance_domains
        self.generation = generation

    # ---------------------------------------------------------------- training
    def _encode(self, encoders, x, onehot, domain):
        """``(mu, log_var)`` of a batch, each row by its domain's encoder."""
        mu = x.new_empty((x.shape[0], self.latent_dim))
        log_var = torch.empty_like(mu)
        for d, encoder in enumerate(encoders):
            if encoder is None:
                continue
            rows = torch.nonzero(domain == d).squeeze(1)
            if rows.numel():
                mu[rows], log_var[rows] = encoder(x[rows], onehot[rows])
        return mu, log_var

    def _domain_weights(self, counts, device):
        """Per-domain weights of the classifier's cross-entropy."""
        if not self.balance_domains:
            return torch.ones(2, device=device)
        n = counts.sum()
        return torch.as_tensor(n / (2.0 * np.maximum(counts, 1)), dtype=torch.float32,
                               device=device)

    def _train(self, Xn, y_idx, batch_size):
        device = self.device_
        n_classes = len(self.classes_)
        n, n_features = Xn.shape[0], int(np.prod(Xn.shape[1:]))
        counts = np.bincount(y_idx, minlength=n_classes)
        target = domain_split(self.sampling_strategy_, self.classes_, counts)
        self.target_classes_ = self.classes_[target]
        self.source_classes_ = self.classes_[~target]
        domain_np = target[y_idx].astype(np.int64)
        domain_counts = np.bincount(domain_np, minlength=2)

        def new_encoder():
            return ConditionalEncoder(
                self.image_shape_, n_features, n_classes, self.latent_dim
            ).to(device)

        encoders = [new_encoder() if m else None for m in domain_counts]
        decoder = ConditionalDecoder(
            self.image_shape_, n_features, n_classes, self.latent_dim
        ).to(device)
        align = float(self.lambda_domain) > 0 and domain_counts.all()
        classifier = (
            mlp([self.latent_dim, _HIDDEN, _HIDDEN, 1]).to(device) if align else None
        )
        modules = [m for m in (*encoders, decoder, classifier) if m is not None]
        params = [p for m in modules for p in m.parameters()]
        opt = torch.optim.Adam(params, lr=self.learning_rate)

        X = self._data_tensor(Xn)
        if self.image_shape_ is not None:
            # Guard BCE against values a hair outside [0, 1] from float error.
            X = X.clamp(0.0, 1.0)
        onehot = F.one_hot(torch.as_tensor(y_idx, dtype=torch.long), n_classes)
        onehot = onehot.float().to(X.device)
        domain = torch.as_tensor(domain_np, device=X.device)
        weights = self._domain_weights(domain_counts, device)
        beta = float(self.beta_kl)
        epochs = auto_epochs(self.epochs, n, batch_size, 1500, 10, 100)
        total_steps = epochs * math.ceil(n / batch_size)
        steps_done = 0
        history = History()
        for m in modules:
            m.train()

        def step(idx):
            nonlocal steps_done
            idx = idx.to(X.device)
            xb, cb, db = X[idx].to(device), onehot[idx].to(device), domain[idx].to(device)
            mu, log_var = self._encode(encoders, xb, cb, db)
            z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
            rec = self._reconstruction(decoder(z, cb), xb).mean()
            kl = 0.5 * (mu**2 + log_var.exp() - 1.0 - log_var).sum(1).mean()
            loss, parts = rec + beta * kl, {"rec": rec, "kl": kl}
            if classifier is not None:
                lam = float(self.lambda_domain) * dann_weight(
                    steps_done / max(total_steps - 1, 1), self.domain_schedule
                )
                logit = classifier(reverse_gradient(z, lam)).squeeze(1)
                w = weights[db]
                dom = (w * F.binary_cross_entropy_with_logits(
                    logit, db.float(), reduction="none")).mean()
                acc = (w * ((logit > 0).long() == db).float()).mean()
                loss = loss + dom
                parts.update(domain=dom, domain_acc=acc,
                             domain_weight=torch.tensor(lam, device=device))
            steps_done += 1
            return loss, parts, idx.numel()

        train_epochs(step, lambda: shuffled_batches(n, batch_size, "cpu"), epochs, opt,
                     history, desc="CVAE_SeTred", verbose=self.verbose,
                     meta={"phase": "train"})

        for m in modules:
            m.eval()
        self.source_encoder_, self.target_encoder_ = encoders
        self.decoder_ = decoder
        self.domain_classifier_ = classifier
        self.epochs_ = epochs
        self.history_ = history
        self._class_gaussians(encoders, X, onehot, domain, y_idx, batch_size)

    @torch.no_grad()
    def _class_gaussians(self, encoders, X, onehot, domain, y_idx, batch_size):
        """Mean and variance per class of the encoded training samples."""
        device, n_classes = self.device_, len(self.classes_)
        y = torch.as_tensor(y_idx, dtype=torch.long, device=device)
        sums = torch.zeros(3, n_classes, self.latent_dim, device=device)
        chunk = max(batch_size, 256)
        for rows in torch.arange(X.shape[0]).split(chunk):
            r = rows.to(X.device)
            mu, log_var = self._encode(
                encoders, X[r].to(device), onehot[r].to(device), domain[r].to(device)
            )
            k = y[rows.to(device)]
            for i, part in enumerate((mu, mu**2, log_var.exp())):
                sums[i].index_add_(0, k, part)
        counts = torch.bincount(y, minlength=n_classes).clamp_min(1)[:, None]
        mean, mean_sq, post_var = sums / counts
        self.class_means_ = mean.cpu().numpy()
        self.class_variances_ = (post_var + (mean_sq - mean**2).clamp_min(0)).cpu().numpy()

    # ---------------------------------------------------------------- synthesis
    @torch.no_grad()
    def _generate(self, k, n):
        if self.generation == "prior":
            return super()._generate(k, n)
        device = self.device_
        mean = torch.as_tensor(self.class_means_[k], device=device)
        std = torch.as_tensor(self.class_variances_[k], device=device).sqrt()
        z = mean + std * torch.randn(n, self.latent_dim, device=device)
        label = F.one_hot(torch.tensor(k, device=device), len(self.classes_)).float()
        chunk = max(int(getattr(self, "batch_size_", self.batch_size)), 256)
        out = [self.decoder_(zb, label.expand(zb.shape[0], -1)).cpu() for zb in z.split(chunk)]
        return torch.cat(out).numpy(), {}
