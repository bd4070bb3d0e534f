"""Phases 1-3 of MEDA_LUDE (Eq. 17-24, Algorithm 1).

One function per phase computes that phase's losses for one batch; one
function per phase runs its epochs. Which loss moves which parameters is set
by Algorithm 1 and enforced here twice: each phase's optimiser holds only
the parameters the algorithm names, and where a loss flows through a
network it must not update (``L_img1`` through the encoder), the input to
that branch is detached.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from ..nn import History, shuffled_batches, train_epochs

#: Default beta weights of the phase losses (Eq. 17, 21, 24). The paper
#: gives no values. Reconstruction is a mean squared error per pixel of
#: [0, 1] images, two orders of magnitude smaller than the cross-entropies
#: once training settles, so it gets a larger weight; the rest start at 1.
#: Phase 2 reconstructs the real batch by default (``phase2_target="input"``)
#: with the weight of Phase 1's reconstruction; the paper's target, a random
#: real image of the class for each decoded draw, has the class mean as its
#: optimum and turns the decoder into a prototype generator.
DEFAULT_LOSS_WEIGHTS = {
    "rec1": 10.0, "gm1": 1.0, "ltt1": 1.0, "img1": 1.0,
    "rec2": 10.0, "img2": 1.0,
    "gm3": 1.0, "ltt3": 1.0,
}


@dataclass
class MEDAModel:
    """The networks and the mixture, plus what the phases need to share."""

    encoder: nn.Module
    decoder: nn.Module
    latent_classifier: nn.Module
    image_classifier: nn.Module
    mixture: nn.Module  # GaussianMixture: M and log S
    alpha: float
    lam: float
    weights: dict
    is_image: bool
    history: History = field(default_factory=History)
    #: Phase 2's reconstruction target: "partner" (the paper's, a random real
    #: image of the class for each decoded draw) or "input" (the decoder
    #: reconstructs the real batch from its frozen encoding).
    phase2_target: str = "partner"
    #: Whether Phase 1's image-classification loss on reconstructions also
    #: trains the decoder (the paper's routing) or only C_img.
    img1_to_decoder: bool = True
    #: Whether Phase 1 trains C_img at all. A fit in which nothing reads
    #: C_img (no filter, no Phase 2 or 4, ``img1_to_decoder`` off) skips it:
    #: its loss then reaches no other network, so the encoder, decoder and
    #: latent classifier train exactly as they would with it.
    train_image_classifier: bool = True

    def reconstruction(self, x_hat, x):
        """Per-sample mean squared error."""
        return ((x_hat - x) ** 2).flatten(1).mean(dim=1)

    def networks(self):
        return (self.encoder, self.decoder, self.latent_classifier, self.image_classifier)

    def to(self, device):
        for module in (*self.networks(), self.mixture):
            module.to(device)
        return self

    def train_only(self, *trained):
        """Put the networks a phase trains in training mode and the others in
        evaluation mode (batch-norm statistics move only where training does)."""
        for net in self.networks():
            net.train(any(net is t for t in trained))


def weighted_mean(loss, w):
    """``L_min + xi * L_maj`` as a weighted mean over the batch.

    ``w`` is 1 for minority samples and ``xi`` for majority ones; dividing by
    ``w.sum()`` keeps the loss on one scale whatever a batch's mix.
    """
    return (loss * w).sum() / w.sum()


# ---------------------------------------------------------------- Phase 1
def phase1_losses(model, x, y, w):
    """Losses of Phase 1 (Eq. 17-20) for one batch of real images."""
    feat = model.encoder(x)
    x_rec = model.decoder(feat)
    rec = model.reconstruction(x_rec, x)
    gm, _ = model.mixture.loss(feat, y, model.alpha, model.lam)
    ltt = F.cross_entropy(model.latent_classifier(feat), y, reduction="none")
    b = model.weights
    parts = {
        "rec": weighted_mean(rec, w),
        "gm": weighted_mean(gm, w),
        "ltt": weighted_mean(ltt, w),
    }
    total = b["rec1"] * parts["rec"] + b["gm1"] * parts["gm"] + b["ltt1"] * parts["ltt"]
    if not model.train_image_classifier:
        return total, parts
    if model.img1_to_decoder:
        # Algorithm 1: L_img1 updates the decoder and C_img, never the encoder.
        x_rec_img = model.decoder(feat.detach())
    else:
        # C_img learns the reconstructions too; the decoder learns only to
        # reconstruct (no second decoder pass).
        x_rec_img = x_rec.detach()
    img = F.cross_entropy(model.image_classifier(x), y, reduction="none") + \
        F.cross_entropy(model.image_classifier(x_rec_img), y, reduction="none")
    parts["img"] = weighted_mean(img, w)
    return total + b["img1"] * parts["img"], parts


def phase1_parameters(model, lr, variance_lr):
    """Encoder, decoder, both classifiers (C_img only where Phase 1 trains
    it), M (and S at its own, lower rate)."""
    nets = [model.encoder, model.decoder, model.latent_classifier]
    if model.train_image_classifier:
        nets.append(model.image_classifier)
    return [
        {"params": [p for net in nets for p in net.parameters()], "lr": lr},
        {"params": [model.mixture.means], "lr": lr},
        {"params": [model.mixture.log_vars], "lr": variance_lr},
    ]


def run_phase1(model, X, y, w, epochs, batch_size, lr, variance_lr, device, verbose,
               schedule="constant"):
    """Phase 1 (pre-training) on all real samples ``X, y`` with weights ``w``.

    ``schedule="cosine"`` lowers every learning rate along half a cosine
    period, from its value at the first update to zero after the last;
    ``"constant"`` keeps them.
    """
    opt = torch.optim.Adam(phase1_parameters(model, lr, variance_lr))
    model.train_only(*model.networks())
    after_step = model.mixture.project_
    if schedule == "cosine":
        steps = epochs * -(-X.shape[0] // batch_size)
        annealing = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(steps, 1))

        def after_step():
            model.mixture.project_()
            annealing.step()

    def step(idx):
        xb = X[idx.to(X.device)].to(device)
        total, parts = phase1_losses(model, xb, y[idx], w[idx])
        return total, parts, idx.numel()

    train_epochs(step, lambda: shuffled_batches(X.shape[0], batch_size, y.device),
                 epochs, opt, model.history, desc="Phase 1 (pre-training)",
                 verbose=verbose, meta={"phase": "phase1", "iteration": 0},
                 after_step=after_step)


# ---------------------------------------------------------------- Phase 2
class ClassPartners:
    """Draws, for each label, a random real sample of the same class."""

    def __init__(self, y, n_classes):
        order = torch.argsort(y, stable=True)
        counts = torch.bincount(y, minlength=n_classes)
        self.order = order
        self.counts = counts
        self.starts = torch.cumsum(counts, 0) - counts

    def __call__(self, labels):
        offs = torch.floor(
            torch.rand(labels.shape, device=labels.device) * self.counts[labels]
        ).long()
        return self.order[self.starts[labels] + offs]


def phase2_losses(model, x, y, w, x_partner):
    """Losses of Phase 2 (Eq. 21-23): decode latents drawn from N(M_y, S_y).

    The reconstruction term compares each decoded draw with ``x_partner``, a
    random real image of its class (the paper's), or, with
    ``model.phase2_target == "input"``, the decoding of the batch's own
    frozen codes with the batch.
    """
    f = model.mixture.sample(y)
    x_syn = model.decoder(f)
    if model.phase2_target == "input":
        with torch.no_grad():
            codes = model.encoder(x)
        rec = model.reconstruction(model.decoder(codes), x)
    else:
        rec = model.reconstruction(x_syn, x_partner)
    img = F.cross_entropy(model.image_classifier(x), y, reduction="none") + \
        F.cross_entropy(model.image_classifier(x_syn), y, reduction="none")
    b = model.weights
    parts = {"rec": weighted_mean(rec, w), "img": weighted_mean(img, w)}
    total = b["rec2"] * parts["rec"] + b["img2"] * parts["img"]
    return total, parts


def phase2_parameters(model):
    """Decoder and C_img only."""
    return list(model.decoder.parameters()) + list(model.image_classifier.parameters())


def run_phase2(model, X, y, w, epochs, batch_size, lr, device, iteration, verbose):
    """Phase 2: the decoder and C_img on decoded draws of the mixture."""
    opt = torch.optim.Adam(phase2_parameters(model), lr=lr)
    model.train_only(model.decoder, model.image_classifier)
    partners = ClassPartners(y, model.mixture.means.shape[0])

    def step(idx):
        yb = y[idx]
        xb = X[idx.to(X.device)].to(device)
        xp = X[partners(yb).to(X.device)].to(device)
        total, parts = phase2_losses(model, xb, yb, w[idx], xp)
        return total, parts, idx.numel()

    train_epochs(step, lambda: shuffled_batches(X.shape[0], batch_size, y.device),
                 epochs, opt, model.history, desc=f"Phase 2 (iteration {iteration + 1})",
                 verbose=verbose, meta={"phase": "phase2", "iteration": iteration})


# ---------------------------------------------------------------- Phase 3
def phase3_losses(model, y):
    """Losses of Phase 3 (Eq. 24): re-encode decoded Gaussian samples.

    The decoder is frozen (its output is computed without a graph) and the
    mixture is a fixed target here, so only E and C_ltt receive gradients.
    """
    with torch.no_grad():
        x = model.decoder(model.mixture.sample(y))
    f_prime = model.encoder(x)
    gm, _ = model.mixture.loss(f_prime, y, model.alpha, model.lam, detach=True)
    ltt = F.cross_entropy(model.latent_classifier(f_prime), y)
    b = model.weights
    parts = {"gm": gm.mean(), "ltt": ltt}
    return b["gm3"] * parts["gm"] + b["ltt3"] * parts["ltt"], parts


def phase3_parameters(model):
    """Encoder and C_ltt only."""
    return list(model.encoder.parameters()) + list(model.latent_classifier.parameters())


def run_phase3(model, n_steps, epochs, batch_size, lr, device, iteration, verbose):
    """Phase 3: the encoder and C_ltt on re-encoded decoded draws."""
    opt = torch.optim.Adam(phase3_parameters(model), lr=lr)
    model.train_only(model.encoder, model.latent_classifier)
    n_classes = model.mixture.means.shape[0]

    def labels():
        # No imbalance weights in Phase 3: labels are drawn uniformly.
        for _ in range(n_steps):
            yield torch.randint(n_classes, (batch_size,), device=device)

    def step(yb):
        total, parts = phase3_losses(model, yb)
        return total, parts, yb.numel()

    train_epochs(step, labels, epochs, opt, model.history,
                 desc=f"Phase 3 (iteration {iteration + 1})", verbose=verbose,
                 meta={"phase": "phase3", "iteration": iteration})


@torch.no_grad()
def encode(encoder, X, batch_size, device):
    """Codes of ``X`` in evaluation mode, batch by batch."""
    was_training = encoder.training
    encoder.eval()
    feats = torch.cat([
        encoder(X[i:i + batch_size].to(device))
        for i in range(0, X.shape[0], batch_size)
    ])
    encoder.train(was_training)
    return feats


@torch.no_grad()
def refit_mixture(model, X, y, batch_size, device):
    """Set each class's Gaussian to the mean and variance of its encoded
    training samples (``mixture='refit'`` / ``'empirical'``)."""
    feats = encode(model.encoder, X, batch_size, device)
    n_classes = model.mixture.means.shape[0]
    means = torch.stack([feats[y == k].mean(0) for k in range(n_classes)])
    variances = torch.stack([
        feats[y == k].var(0, unbiased=False) for k in range(n_classes)
    ])
    model.mixture.set_(means, variances.clamp_min(1e-12))
