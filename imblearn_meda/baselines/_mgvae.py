"""MGVAESampler: the Majority-Guided VAE of Ai et al. (AISTATS 2023).

A VAE whose prior for a minority sample is a mixture of Gaussians centred on
the encoded majority samples: new minority samples are decoded from codes
drawn around the code of a majority sample, so they take over the variety of
the plentiful majority. The VAE is pre-trained on the majority and then
fine-tuned on each minority class with Elastic Weight Consolidation, so that a
few dozen minority samples do not wreck it. This module is written from the
paper's description (arXiv:2302.10910); the user guide's page on the other samplers says which
details the paper gives and which are choices of this implementation.
"""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from torch import nn

from ..base import BaseDeepOverSampler, _plain
from ..nn import History, auto_epochs, shuffled_batches, train_epochs
from ..utils._docstring import shared_docs
from ._cvae import CVAESampler
from ._mgvae_model import (
    MajorityGuidedVAE,
    balanced_subsample,
    diagonal_fisher,
    draw_components,
    leave_out,
)

#: Updates that ``epochs='auto'`` (pre-training) and ``finetune_epochs='auto'``
#: (per minority class) aim at, and the epoch bounds of each.
_AUTO_PRETRAIN = (600, 10, 100)
_AUTO_FINETUNE = (200, 10, 300)


@shared_docs
class MGVAESampler(BaseDeepOverSampler):
    """Over-sample with the Majority-Guided VAE (MGVAE).

    A variational autoencoder whose prior, for a minority sample, is a
    mixture of isotropic Gaussians centred on the codes of majority samples
    (the *guides*), so that new minority samples inherit the majority's
    variation. It is pre-trained on a class-balanced subset of the majority
    (the classes ``sampling_strategy`` does not over-sample, or the largest
    class when it over-samples them all), then a copy is fine-tuned on each
    class to over-sample with Elastic Weight Consolidation against the
    pre-trained parameters. A new sample of class ``k`` is decoded from a
    draw around the code of a random guide under class ``k``'s fine-tuned
    encoder. Images use convolutional networks and a binary cross-entropy
    reconstruction, tabular data MLPs and a squared error (the networks of
    :class:`CVAESampler` without the label). The KL term against the mixture
    is a Monte Carlo estimate; the user guide's page on the other samplers
    gives the losses and every choice the paper leaves open.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    {image_shape}

    latent_dim : int, default=16
        Size of the latent code (:class:`CVAESampler`'s default).

    epochs : int or 'auto', default='auto'
        Pre-training epochs over the guides. ``'auto'``: about 600 updates,
        between 10 and 100 epochs (fewer updates than
        :class:`CVAESampler`'s 1500, as the fine-tuning adds its own per
        minority class).

    finetune_epochs : int or 'auto', default='auto'
        Fine-tuning epochs of each minority class. ``'auto'``: about 200
        updates for the largest class to over-sample, between 10 and 300
        epochs (a class of at most ``batch_size`` samples makes one update
        an epoch). A choice of this implementation.

    ewc_weight : float, default=1.0
        Weight ``lambda`` of the EWC penalty ``lambda / 2 * sum_i F_i
        (theta_i - theta_i*)^2`` (``F``: diagonal Fisher information of the
        pre-training loss); ``0`` fine-tunes freely. At ``1`` the penalty is
        the second-order estimate of the rise of the guides' mean loss. The
        paper's value could not be consulted.

    fisher_samples : int, default=256
        Number of guides whose per-sample gradients give the Fisher
        information (a choice of this implementation).

    n_components : int, default=128
        Majority samples in the mixture prior at each update (all guides
        when there are fewer). A choice of this implementation.

    kl_draws : int, default=16
        Monte Carlo draws of the posterior per sample in the KL estimate
        (the reconstruction uses the first). A choice of this
        implementation.

    component_var : 'learn' or float, default='learn'
        Variance ``s^2`` of the mixture's components. ``'learn'``: one
        scalar, trained with the networks from ``1.0`` (learned, as in the
        method's description; the starting value is a choice of this
        implementation); a float fixes it.

    max_majority_samples : int or None, default=5000
        Most guides: the class-balanced subset of the majority used for
        pre-training, as the prior's components and for generation.
        ``None`` uses every majority sample. The default keeps a fit of the
        MEDA_LUDE Fashion-MNIST protocol (5 x 5000 majority images) within
        a few minutes on two CPU cores.

    pretrain_prior : {'majority', 'normal'}, default='majority'
        Prior of the pre-training: the mixture over the other guides (the
        model pre-trained is the model fine-tuned) or ``N(0, I)`` (a plain
        VAE).

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate of both stages.

    {device}

    {n_jobs}

    {verbose}

    Attributes
    ----------
    {fitted_input}
    minority_classes_ : ndarray
        The classes over-sampled, each with its fine-tuned model.
    majority_classes_ : ndarray
        The classes whose samples guide (the largest class when every class
        is over-sampled).
    guide_indices_ : ndarray of int
        Indices, in the ``X`` of the fit, of the guides.
    encoder_ : torch.nn.Module
        Pre-trained encoder ``q(z | x)``; ``encoder_(x, x.new_zeros(len(x),
        0))`` returns ``(mu, log_var)``.
    decoder_ : torch.nn.Module
        Pre-trained decoder ``p(x | z)``; called as ``decoder_(z,
        z.new_zeros(len(z), 0))``.
    finetuned_ : torch.nn.ModuleList of MajorityGuidedVAE
        The fine-tuned model of each class of ``minority_classes_``, in that
        order (``.encoder``, ``.decoder``, ``.log_var``).
    guide_codes_ : torch.Tensor of shape (n_minority_classes, n_guides, latent_dim)
        Encoder means of the guides under each fine-tuned encoder: the
        centres new samples are drawn around.
    component_var_ : ndarray of shape (n_minority_classes,)
        Variance ``s^2`` of each fine-tuned model's prior components.
    fisher_ : dict of {str: torch.Tensor}
        Diagonal Fisher information of the pre-trained parameters, by name
        (CPU tensors).
    epochs_ : int
        Pre-training epochs.
    finetune_epochs_ : int
        Fine-tuning epochs of each minority class.
    history_ : list of dict
        One row per epoch: ``phase`` (``'pretrain'`` or ``'finetune'``),
        ``epoch``, the mean per-sample ``loss`` with its parts ``rec`` and
        ``kl``; fine-tuning rows add ``class`` (the label) and ``ewc`` (the
        weighted penalty).
    {fitted_device}

    See Also
    --------
    CVAESampler : conditional VAE with the ``N(0, I)`` prior.
    DeepSMOTESampler : SMOTE in the latent space of an autoencoder.
    MEDALUDESampler : the MEDA_LUDE over-sampler these baselines are compared with.

    References
    ----------
    .. [1] Q. Ai, P. Wang, L. He, L. Wen, L. Pan, Z. Xu, "Generative
       Oversampling for Imbalanced Data via Majority-Guided VAE", AISTATS
       2023, arXiv:2302.10910.
    .. [2] J. Kirkpatrick et al., "Overcoming catastrophic forgetting in
       neural networks", PNAS 114(13), 2017.
    .. [3] D. P. Kingma, M. Welling, "Auto-Encoding Variational Bayes",
       ICLR 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import MGVAESampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y < 2) | ((y == 2) & (np.cumsum(y == 2) <= 20))
    >>> X, y = X[keep], y[keep]
    >>> np.bincount(y).tolist()
    [178, 182, 20]
    >>> sampler = MGVAESampler(epochs=2, finetune_epochs=5, n_jobs=1, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> np.bincount(y_res).tolist()
    [182, 182, 182]
    >>> sampler.minority_classes_.tolist(), sampler.majority_classes_.tolist()
    ([0, 2], [1])
    """

    _parameter_constraints: dict = {
        **BaseDeepOverSampler._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"),
                   StrOptions({"auto"})],
        "finetune_epochs": [Interval(numbers.Integral, 1, None, closed="left"),
                            StrOptions({"auto"})],
        "ewc_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "fisher_samples": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "kl_draws": [Interval(numbers.Integral, 1, None, closed="left")],
        "component_var": [StrOptions({"learn"}),
                          Interval(numbers.Real, 0, None, closed="neither")],
        "max_majority_samples": [None, Interval(numbers.Integral, 1, None, closed="left")],
        "pretrain_prior": [StrOptions({"majority", "normal"})],
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
        finetune_epochs="auto",
        ewc_weight=1.0,
        fisher_samples=256,
        n_components=128,
        kl_draws=16,
        component_var="learn",
        max_majority_samples=5000,
        pretrain_prior="majority",
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
        self.finetune_epochs = finetune_epochs
        self.ewc_weight = ewc_weight
        self.fisher_samples = fisher_samples
        self.n_components = n_components
        self.kl_draws = kl_draws
        self.component_var = component_var
        self.max_majority_samples = max_majority_samples
        self.pretrain_prior = pretrain_prior
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    #: Per-sample reconstruction term (pixels: BCE; tabular: Gaussian).
    _reconstruction = CVAESampler._reconstruction

    def _losses(self, model, xb, means=None, mask=None):
        """Per-sample reconstruction and KL terms of the negative ELBO."""
        x_hat, kl = model(xb, means, mask, int(self.kl_draws))
        return self._reconstruction(x_hat, xb), kl

    # ---------------------------------------------------------------- groups
    def _split_classes(self, y_idx):
        """Class indices to fine-tune (over-sampled) and to guide."""
        counts = np.bincount(y_idx, minlength=len(self.classes_))
        wanted = np.array([self.sampling_strategy_.get(c, 0) > 0 for c in self.classes_])
        minority = np.flatnonzero(wanted)
        majority = np.flatnonzero(~wanted)
        if majority.size == 0:
            majority = np.array([int(np.argmax(counts))])
        return minority, majority

    # ---------------------------------------------------------------- training
    def _train(self, Xn, y_idx, batch_size):
        device = self.device_
        self.batch_size_ = batch_size
        n_features = int(np.prod(Xn.shape[1:]))
        minority, majority = self._split_classes(y_idx)
        self.minority_classes_ = self.classes_[minority]
        self.majority_classes_ = self.classes_[majority]

        in_majority = np.isin(y_idx, majority)
        maj_rows = np.flatnonzero(in_majority)
        pick = balanced_subsample(y_idx[maj_rows], self.max_majority_samples).numpy()
        guide_rows = maj_rows[pick]
        self.guide_indices_ = guide_rows

        X = self._data_tensor(Xn)
        if self.image_shape_ is not None:
            # Guard BCE against values a hair outside [0, 1] from float error.
            X = X.clamp(0.0, 1.0)
        guides = X[torch.as_tensor(guide_rows, device=X.device)]
        n_guides = guides.shape[0]
        guide_ids = torch.as_tensor(guide_rows)

        learn_var = self.component_var == "learn"
        log_var0 = 0.0 if learn_var else math.log(float(self.component_var))
        model = MajorityGuidedVAE(
            self.image_shape_, n_features, self.latent_dim, log_var0, learn_var
        ).to(device)
        history = History()
        epochs = auto_epochs(self.epochs, n_guides, batch_size, *_AUTO_PRETRAIN)
        self._pretrain(model, guides, guide_ids, epochs, batch_size, history)

        model.eval()
        anchor = {n: p.detach().clone() for n, p in model.named_parameters()
                  if p.requires_grad}
        fisher = self._fisher(model, guides, guide_ids) if minority.size else {}

        sizes = [int((y_idx == k).sum()) for k in minority]
        ft_epochs = auto_epochs(self.finetune_epochs, max(sizes, default=1),
                                batch_size, *_AUTO_FINETUNE)
        finetuned = nn.ModuleList()
        for k in minority:
            rows = np.flatnonzero(y_idx == k)
            tuned = copy.deepcopy(model)
            self._finetune(tuned, X, rows, guides, guide_ids, anchor, fisher,
                           ft_epochs, batch_size, history, self.classes_[k])
            finetuned.append(tuned.eval())

        self.encoder_ = model.encoder
        self.decoder_ = model.decoder
        self.finetuned_ = finetuned
        # On the CPU: a dict of tensors is not moved by the pickling of the base.
        self.fisher_ = {name: f.cpu() for name, f in fisher.items()}
        self.epochs_ = epochs
        self.finetune_epochs_ = ft_epochs
        self.history_ = history
        self.component_var_ = np.array(
            [float(m.log_var.detach().exp()) for m in finetuned], dtype=float
        )
        self.guide_codes_ = self._encode_guides(guides)

    def _pretrain(self, model, guides, guide_ids, epochs, batch_size, history):
        opt = torch.optim.Adam(
            [p for p in model.parameters() if p.requires_grad], lr=self.learning_rate
        )
        n = guides.shape[0]
        guided = self.pretrain_prior == "majority"
        model.train()

        def step(idx):
            xb = guides[idx.to(guides.device)].to(self.device_)
            if guided:
                means, comp = draw_components(model, guides, n, self.n_components, self.device_, self.batch_size_)
                mask = leave_out(guide_ids[idx], guide_ids[comp]).to(self.device_)
                rec, kl = self._losses(model, xb, means, mask)
            else:
                rec, kl = self._losses(model, xb)
            rec, kl = rec.mean(), kl.mean()
            return rec + kl, {"rec": rec, "kl": kl}, idx.numel()

        train_epochs(step, lambda: shuffled_batches(n, batch_size, "cpu"), epochs, opt,
                     history, desc="MGVAE pre-training", verbose=self.verbose,
                     meta={"phase": "pretrain"})

    def _fisher(self, model, guides, guide_ids):
        """Diagonal Fisher information of the pre-training loss over
        ``fisher_samples`` guides."""
        n = guides.shape[0]
        rows = torch.randperm(n)[: int(self.fisher_samples)]
        means, comp = draw_components(model, guides, n, self.n_components, self.device_,
                                      self.batch_size_)
        guided = self.pretrain_prior == "majority"

        def loss(x_hat, kl, x):
            return (self._reconstruction(x_hat, x) + kl).sum()

        return diagonal_fisher(model, guides, guide_ids, rows, means, comp, loss,
                               int(self.kl_draws), guided, self.device_)

    def _finetune(self, model, X, rows, guides, guide_ids, anchor, fisher, epochs,
                  batch_size, history, label):
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        opt = torch.optim.Adam([p for _, p in named], lr=self.learning_rate)
        data = X[torch.as_tensor(rows, device=X.device)]
        ids = torch.as_tensor(rows)
        n_guides = guides.shape[0]
        weight = float(self.ewc_weight)
        model.train()

        def step(idx):
            xb = data[idx.to(data.device)].to(self.device_)
            means, comp = draw_components(model, guides, n_guides, self.n_components, self.device_,
                                          self.batch_size_)
            mask = leave_out(ids[idx], guide_ids[comp]).to(self.device_)
            rec, kl = self._losses(model, xb, means, mask)
            rec, kl = rec.mean(), kl.mean()
            ewc = 0.5 * weight * sum(
                (fisher[n] * (p - anchor[n]) ** 2).sum() for n, p in named
            )
            return rec + kl + ewc, {"rec": rec, "kl": kl, "ewc": ewc}, idx.numel()

        train_epochs(step, lambda: shuffled_batches(len(rows), batch_size, "cpu"),
                     epochs, opt, history, desc=f"MGVAE fine-tuning class {_plain(label)!r}",
                     verbose=self.verbose,
                     meta={"phase": "finetune", "class": _plain(label)})

    @torch.no_grad()
    def _encode_guides(self, guides):
        chunk = max(self.batch_size_, 256)
        return torch.stack([
            torch.cat([m.encode(g.to(self.device_))[0] for g in guides.split(chunk)])
            for m in self.finetuned_
        ]) if len(self.finetuned_) else torch.empty(
            0, guides.shape[0], self.latent_dim, device=self.device_)

    # ---------------------------------------------------------------- synthesis
    def _model_index(self, k):
        label = self.classes_[k]
        where = np.flatnonzero(self.minority_classes_ == label)
        if where.size == 0:
            raise ValueError(
                f"MGVAESampler draws only the classes it fine-tuned, "
                f"{[_plain(c) for c in self.minority_classes_]}; class "
                f"{_plain(label)!r} guided the fit. Fit again with a "
                "sampling_strategy that over-samples it."
            )
        return int(where[0])

    @torch.no_grad()
    def _guided(self, k, n):
        """``n`` new samples of class index ``k`` and the positions (in
        ``guide_indices_``) of the guides they were drawn around."""
        j = self._model_index(k)
        model = self.finetuned_[j]
        codes = self.guide_codes_[j]
        guide = torch.randint(codes.shape[0], (n,), device=codes.device)
        std = torch.exp(0.5 * model.log_var)
        z = codes[guide] + std * torch.randn(n, codes.shape[1], device=codes.device)
        chunk = max(int(self.batch_size_), 256)
        out = torch.cat([model.decode(zb).cpu() for zb in z.split(chunk)])
        return out.numpy(), guide.cpu().numpy()

    def _generate(self, k, n):
        return self._guided(k, n)[0], {}

