"""The majority-guided VAE's model and its arithmetic: the mixture prior,
the sampled KL term, the guides and the Fisher information for EWC."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.func import functional_call, grad, vmap

from ._cvae import ConditionalDecoder, ConditionalEncoder

_LOG_2PI = math.log(2.0 * math.pi)

#: Samples whose per-sample gradients are taken at once for the Fisher
#: information (bounds the memory to this many copies of the gradients).
_FISHER_CHUNK = 16


def log_mixture_density(z, means, log_var, mask=None):
    """Log-density of ``z`` under an equal-weight mixture of isotropic Gaussians.

    ``r(z) = 1/M sum_j N(z; means_j, exp(log_var) I)``, evaluated with a
    log-sum-exp over the ``M`` components.

    Parameters
    ----------
    z : Tensor of shape (..., B, d)
        Points (e.g. ``T`` Monte Carlo draws for each of ``B`` samples).
    means : Tensor of shape (M, d)
        Component means.
    log_var : Tensor or float
        Log of the components' common variance ``s^2``.
    mask : bool Tensor of shape (B, M), optional
        Components left out of the mixture of each sample (``True``); a
        sample keeps at least one component.

    Returns
    -------
    Tensor of shape (..., B)
    """
    log_var = torch.as_tensor(log_var, dtype=z.dtype, device=z.device)
    d = z.shape[-1]
    # Squared distances as |z|^2 + |m|^2 - 2 z.m: one matrix product, no
    # (..., B, M, d) intermediate.
    sq = ((z**2).sum(-1, keepdim=True) + (means**2).sum(-1)
          - 2.0 * z @ means.T).clamp(min=0.0)
    log_n = -0.5 * (sq * torch.exp(-log_var) + d * (_LOG_2PI + log_var))
    m = means.shape[0]
    if mask is None:
        return torch.logsumexp(log_n, dim=-1) - math.log(m)
    log_n = log_n.masked_fill(mask, float("-inf"))
    kept = (~mask).sum(-1).clamp(min=1).to(z.dtype)
    return torch.logsumexp(log_n, dim=-1) - torch.log(kept)


def majority_guided_kl(mu, log_var, z, means, prior_log_var, mask=None):
    """Monte Carlo estimate of ``KL(q(z|x) || r(z))`` for each sample.

    ``q = N(mu, diag(exp(log_var)))`` is the encoder's posterior and ``r`` the
    majority-guided mixture of :func:`log_mixture_density`. The KL has no
    closed form: it is ``-H(q) - E_q[log r(z)]``, with the entropy ``H(q)``
    exact and the expectation averaged over the draws ``z`` of ``q``.

    Parameters
    ----------
    mu, log_var : Tensor of shape (B, d)
    z : Tensor of shape (T, B, d)
        ``T`` draws of ``q`` (reparameterised, for gradients).
    means : Tensor of shape (M, d)
    prior_log_var : Tensor or float
    mask : bool Tensor of shape (B, M), optional

    Returns
    -------
    Tensor of shape (B,)
    """
    neg_entropy = -0.5 * (log_var + 1.0 + _LOG_2PI).sum(-1)
    return neg_entropy - log_mixture_density(z, means, prior_log_var, mask).mean(0)


def balanced_subsample(y, limit):
    """At most ``limit`` indices of ``y``'s samples, as equal per class as the
    class sizes allow (a random subset of each class; drawn with torch's
    current random state)."""
    y = torch.as_tensor(y)
    n = y.numel()
    if limit is None or limit >= n:
        return torch.arange(n)
    order = torch.randperm(n)
    ys = y[order]
    # Rank of each sample within its class, in the random order.
    by_class = torch.argsort(ys, stable=True)
    counts = torch.bincount(ys)
    starts = torch.cumsum(counts, 0) - counts
    rank = torch.empty(n, dtype=torch.long)
    rank[by_class] = torch.arange(n) - starts[ys[by_class]]
    keep = torch.argsort(rank * n + torch.randperm(n))[:limit]
    return torch.sort(order[keep]).values


class MajorityGuidedVAE(nn.Module):
    """A VAE with the majority-guided prior's log-variance ``log s^2``.

    The encoder ``q(z|x)`` and the decoder ``p(x|z)`` are the networks of
    :class:`CVAESampler` without a label.
    """

    def __init__(self, image_shape, n_features, latent_dim, log_var, learn_var):
        super().__init__()
        self.encoder = ConditionalEncoder(image_shape, n_features, 0, latent_dim)
        self.decoder = ConditionalDecoder(image_shape, n_features, 0, latent_dim)
        self.log_var = nn.Parameter(torch.tensor(float(log_var)), requires_grad=learn_var)

    def encode(self, x):
        return self.encoder(x, x.new_zeros(x.shape[0], 0))

    def decode(self, z):
        return self.decoder(z, z.new_zeros(z.shape[0], 0))

    def forward(self, x, means=None, mask=None, n_draws=1):
        """The decoded first draw of the posterior and the per-sample KL term:
        against the majority-guided prior with component ``means``, or
        ``N(0, I)`` when ``means`` is None."""
        mu, log_var = self.encode(x)
        std = torch.exp(0.5 * log_var)
        if means is None:
            z = mu + std * torch.randn_like(mu)
            kl = 0.5 * (mu**2 + log_var.exp() - 1.0 - log_var).sum(-1)
        else:
            draws = mu + std * torch.randn((n_draws, *mu.shape), device=mu.device,
                                           dtype=mu.dtype)
            kl = majority_guided_kl(mu, log_var, draws, means, self.log_var, mask)
            z = draws[0]
        return self.decode(z), kl


@torch.no_grad()
def draw_components(model, pool, n_pool, n_components, device, batch_size):
    """Means of ``n_components`` guides drawn at random (no gradient), and
    their positions in the pool."""
    comp = torch.randperm(n_pool)[: int(n_components)]
    means = torch.cat([
        model.encode(pool[c.to(pool.device)].to(device))[0]
        for c in comp.split(max(batch_size, 256))
    ])
    return means, comp


def leave_out(rows, comp):
    """Mask of the components that are the sample itself."""
    mask = rows[:, None] == comp[None, :]
    return mask & ~mask.all(-1, keepdim=True)


def diagonal_fisher(model, guides, guide_ids, rows, means, comp, loss, kl_draws,
                    guided, device):
    """Diagonal Fisher information: the mean of the squared per-sample
    gradients of ``loss(x_hat, kl, x)`` over the guides ``rows``."""
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    params = {n: p.detach() for n, p in model.named_parameters() if n in names}
    fixed = {n: p.detach() for n, p in model.named_parameters() if n not in names}

    def loss_one(p, x, mask_row):
        args = (x[None], means, mask_row[None], kl_draws)
        x_hat, kl = functional_call(model, {**p, **fixed}, args if guided else args[:1])
        return loss(x_hat, kl, x[None])

    per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0), randomness="different")
    fisher = {n: torch.zeros_like(p) for n, p in params.items()}
    for chunk in rows.split(_FISHER_CHUNK):
        xb = guides[chunk.to(guides.device)].to(device)
        mask = leave_out(guide_ids[chunk], guide_ids[comp]).to(device)
        grads = per_sample(params, xb, mask)
        for name, g in grads.items():
            fisher[name] += (g**2).sum(0)
    return {name: f / rows.numel() for name, f in fisher.items()}
