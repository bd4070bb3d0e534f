"""The large-margin Gaussian mixture (L-GM) loss, Eq. 5-16.

Each class ``k`` owns a mean ``mu_k`` and a diagonal covariance ``sigma2_k``
in the latent space; the variances are kept as ``log sigma2`` so that they
stay positive, and clamped to ``log_var_bounds`` so that they can neither
collapse nor explode.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def mahalanobis_half(feat, means, log_vars):
    """Half squared Mahalanobis distances ``d_ik`` in batch form (Eq. 9).

    ``d = 1/2 [(F*F) P^T - 2 F (M*P)^T + 1 g^T]`` with precisions ``P = 1/S``
    and ``g_k = sum_j M_kj^2 P_kj``: three matrix products instead of an
    (n, K, h) difference tensor.
    """
    prec = torch.exp(-log_vars)  # (K, h)
    g = (means * means * prec).sum(dim=1)  # (K,)
    d = (feat * feat) @ prec.T - 2.0 * feat @ (means * prec).T + g
    # Rounding can leave tiny negatives where a feature sits on a mean.
    return 0.5 * d.clamp_min(0.0)


def lgm_terms(feat, y, means, log_vars, alpha, lam):
    """Per-sample L-GM terms.

    Parameters
    ----------
    feat : Tensor (n, h)
    y : LongTensor (n,)
    means, log_vars : Tensor (K, h)
    alpha : float
        Margin, applied to the true class only (Eq. 12).
    lam : float
        Weight of the likelihood term.

    Returns
    -------
    loss : Tensor (n,)
        ``L_cls + lam * L_lkd`` per sample.
    logits : Tensor (n, K)
        ``-D (1 + alpha L) + log q``; the margin-free logits used for
        prediction are ``-D + log q``.
    """
    d = mahalanobis_half(feat, means, log_vars)
    log_q = -0.5 * log_vars.sum(dim=1)  # log |Lambda_k|^(-1/2)
    onehot = F.one_hot(y, num_classes=means.shape[0]).to(d.dtype)
    logits = -d * (1.0 + alpha * onehot) + log_q
    cls = F.cross_entropy(logits, y, reduction="none")
    lkd = (onehot * (d - log_q)).sum(dim=1)
    return cls + lam * lkd, logits


class GaussianMixture(nn.Module):
    """Learnable per-class means and diagonal log-variances.

    Parameters
    ----------
    n_classes, latent_dim : int
    log_var_bounds : (float, float)
        ``log sigma2`` is clamped to this interval on every use and after
        every optimiser step.
    """

    def __init__(self, n_classes, latent_dim, log_var_bounds=(-6.0, 3.0)):
        super().__init__()
        self.log_var_bounds = tuple(float(b) for b in log_var_bounds)
        self.means = nn.Parameter(torch.empty(n_classes, latent_dim))
        # Xavier-initialised means and identity covariance, as in the L-GM
        # authors' demo; log-variances start at 0 (variance 1).
        nn.init.xavier_uniform_(self.means)
        self.log_vars = nn.Parameter(torch.zeros(n_classes, latent_dim))

    def clamped_log_vars(self):
        lo, hi = self.log_var_bounds
        return self.log_vars.clamp(lo, hi)

    @torch.no_grad()
    def project_(self):
        """Keep the stored log-variances inside their bounds."""
        lo, hi = self.log_var_bounds
        self.log_vars.clamp_(lo, hi)

    @torch.no_grad()
    def set_(self, means, variances):
        """Set the mixture from means and variances (not log-variances)."""
        lo, hi = self.log_var_bounds
        self.means.copy_(means)
        self.log_vars.copy_(torch.log(variances).clamp(lo, hi))

    def variances(self):
        return torch.exp(self.clamped_log_vars())

    def loss(self, feat, y, alpha, lam, detach=False):
        """Per-sample L-GM loss and logits of ``feat`` against this mixture."""
        means, log_vars = self.means, self.clamped_log_vars()
        if detach:
            means, log_vars = means.detach(), log_vars.detach()
        return lgm_terms(feat, y, means, log_vars, alpha, lam)

    def sample(self, y, generator=None):
        """Draw one latent vector per label in ``y`` from its class Gaussian."""
        means = self.means.detach()[y]
        std = torch.exp(0.5 * self.clamped_log_vars().detach())[y]
        noise = torch.randn(means.shape, device=means.device, generator=generator)
        return means + std * noise
