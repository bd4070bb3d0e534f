"""A MEDA_LUDE fit: Algorithm 1 and what it sets up around it (the training
subsample, the model, Phase 4's starting Gaussians and the majority guides)."""

from __future__ import annotations

import numpy as np
import torch

from ..base import minority_mask
from ..nn import StageClock, auto_epochs, build_networks
from . import _config
from ._evolution import EvolutionSettings, fitness_per_class, run_phase4
from ._lgm import GaussianMixture
from ._phases import MEDAModel, encode, refit_mixture, run_phase1, run_phase2, run_phase3
from ._proposals import (
    GUIDANCE_SPREAD,
    LatentGaussian,
    correlation_factors,
    standardised_deviations,
)
from ._similarity import AverageHasher
from ._synthesis import pick_anchors

#: Standardised majority deviations kept for guidance (per fit).
N_GUIDES = 2000

#: Names of the four phases, as ``history_`` and ``phase_seconds_`` key them.
PHASES = ("phase1", "phase2", "phase3", "phase4")


def class_balanced_subsample(y_idx, max_per_class, seed):
    """Indices of at most ``max_per_class`` samples of every class, drawn
    with ``seed`` (all of a smaller class; everything for ``None``)."""
    if max_per_class is None:
        return np.arange(len(y_idx))
    rng = np.random.RandomState(seed)
    keep = []
    for k in np.unique(y_idx):
        idx = np.flatnonzero(y_idx == k)
        if idx.size > max_per_class:
            idx = rng.choice(idx, max_per_class, replace=False)
        keep.append(idx)
    return np.sort(np.concatenate(keep))


def build_model(image_shape, n_features, n_classes, log_var_bounds, weights, p):
    """The four networks and the mixture, from the sampler's parameters ``p``."""
    enc, dec, ltt, img = build_networks(
        image_shape, n_features, n_classes, p.latent_dim,
        base_channels=p.base_channels, batch_norm=p.batch_norm,
    )
    return MEDAModel(
        encoder=enc, decoder=dec, latent_classifier=ltt, image_classifier=img,
        mixture=GaussianMixture(n_classes, p.latent_dim, log_var_bounds),
        alpha=float(p.lgm_alpha), lam=float(p.lgm_lambda), weights=weights,
        is_image=image_shape is not None, phase2_target=p.phase2_target,
        img1_to_decoder=p.phase1_image_loss == "decoder",
    )


def initial_states(model, targets, residual, guidance, scale=1.0):
    """Phase 4's starting Gaussian of each target class: the class's Gaussian
    (decoding), or displacements of zero mean with the class's variance
    times ``scale ** 2`` (residual synthesis)."""
    means = model.mixture.means.detach()
    variances = model.mixture.variances().detach()
    factor = float(scale) ** 2 if residual else 1.0
    return {
        k: LatentGaussian(torch.zeros_like(means[k]) if residual else means[k].clone(),
                          variances[k] * factor, float(guidance))
        for k in targets
    }


def majority_guides(encoder, X, y, majority, batch_size, device):
    """Standardised deviations of majority samples from their class means
    (at most :data:`N_GUIDES`), for majority guidance."""
    mask = torch.zeros_like(y, dtype=torch.bool)
    for k in majority:
        mask |= y == k
    idx = torch.nonzero(mask).flatten()
    codes = encode(encoder, X[idx.to(X.device)], batch_size, device)
    return standardised_deviations(codes, y[idx], majority, N_GUIDES)


def gaussian_arrays(states, base_means, base_vars, residual, guidance, scale=1.0):
    """``(means, variances, guidance)`` arrays over all classes: the evolved
    states where there are some, the starting values elsewhere."""
    means = np.zeros_like(base_means) if residual else base_means.copy()
    variances = base_vars * (float(scale) ** 2 if residual else 1.0)
    shares = np.full(len(base_means), float(guidance))
    for k, g in states.items():
        means[k] = g.center.detach().cpu().numpy()
        variances[k] = g.var.detach().cpu().numpy()
        shares[k] = g.guidance
    return means, variances, shares


class FitSteps:
    """MEDALUDESampler's fit: Algorithm 1 (``_train``) and its steps."""

    def _build(self, Xn, y_idx):
        """The model and the training tensors of a fit (a class-balanced
        subsample when ``max_samples_per_class`` resolves to a number)."""
        bounds = _config.check_log_var_bounds(self.log_var_bounds)
        weights = _config.resolve_loss_weights(self.loss_weights, self.mixture)
        self._similarity = _config.resolve_similarity(
            self.similarity, self.image_shape_ is not None)
        n_classes = len(self.classes_)
        self._labels = [c.item() for c in self.classes_]
        self._residual = self.synthesis == "residual"
        if self.neighbour_interpolation and not self._residual:
            raise ValueError(
                "neighbour_interpolation moves codes toward other anchors, which "
                "only synthesis='residual' has; set neighbour_interpolation=0 with "
                f"synthesis={self.synthesis!r}.")
        self._targets = [k for k, c in enumerate(self.classes_)
                         if self.sampling_strategy_.get(c, 0) > 0]
        # A displacement's variance is a class variance times scale ** 2, and
        # so are its bounds.
        factor = float(self.displacement_scale) ** 2 if self._residual else 1.0
        self._evolution = EvolutionSettings(
            int(self.n_generations), int(self.population_size), float(self.eta),
            float(self.gamma),
            (factor * float(np.exp(bounds[0])), factor * float(np.exp(bounds[1]))),
            self.selection, GUIDANCE_SPREAD, float(self.neighbour_interpolation))
        self.acceptance_ = {}
        counts = np.bincount(y_idx, minlength=n_classes)
        minority = minority_mask(self.sampling_strategy_, self.classes_, counts)
        self.minority_classes_ = self.classes_[minority]
        self.pretrain_updates_, self.max_samples_per_class_ = _config.resolve_budget(
            self.pretrain_updates, self.max_samples_per_class, self.device_)
        keep = class_balanced_subsample(y_idx, self.max_samples_per_class_, self._seed + 1)
        self._anchor_arrays = pick_anchors(Xn, y_idx, n_classes, self.n_fitness_real,
                                           self._seed)
        self.n_train_ = len(keep)
        self.xi_ = _config.majority_weight(
            self.xi, minority, np.bincount(y_idx[keep], minlength=n_classes))
        model = build_model(self.image_shape_, int(np.prod(Xn.shape[1:])), n_classes,
                            bounds, weights, self)
        model.to(self.device_)
        X = self._data_tensor(np.ascontiguousarray(Xn[keep]))
        y = torch.as_tensor(y_idx[keep], dtype=torch.long, device=self.device_)
        w = torch.as_tensor(np.where(minority, 1.0, self.xi_), dtype=torch.float32,
                            device=self.device_)[y]
        return model, X, y, w

    def _epochs(self, model, n, batch_size):
        """The epochs of Phases 1-3 (``'auto'`` resolved and stored), and
        whether Phase 1 trains C_img."""
        epochs = (
            auto_epochs(self.pretrain_epochs, n, batch_size, self.pretrain_updates_, 1, 1000),
            auto_epochs(self.phase2_epochs, n, batch_size, 200, 2, 30),
            auto_epochs(self.phase3_epochs, n, batch_size, 200, 2, 30),
        )
        self.pretrain_epochs_, self.phase2_epochs_, self.phase3_epochs_ = epochs
        model.train_image_classifier = self._reads_image_classifier(epochs[1])
        return epochs

    def _reads_image_classifier(self, phase2_epochs):
        """Whether any part of this fit reads C_img: the synthesis filter,
        Phase 2 (its loss trains the decoder through C_img), Phase 4 (it
        accepts draws with C_img) or Phase 1's ``'decoder'`` routing. Where
        none does, Phase 1 skips training it, which changes no other
        network."""
        later = self.n_iterations > 0 and (
            phase2_epochs > 0 or (self.n_generations > 0 and bool(self._targets)))
        return bool(self.filter_synthetic or self.phase1_image_loss == "decoder" or later)

    def _phase4_inputs(self, X, y):
        """Fitness and (residual synthesis) anchors of the target classes, or
        ``(None, None)`` when Phase 4 does not run."""
        if self.n_generations == 0 or self.n_iterations == 0 or not self._targets:
            return None, None
        hasher = (AverageHasher(self.image_shape_, self.device_)
                  if self._similarity == "ahash" else None)
        fitness = fitness_per_class(X, y, self._targets, self.n_fitness_real, hasher,
                                    self.fitness_aggregate)
        anchors = {k: torch.as_tensor(self._anchor_arrays[k], device=self.device_)
                   for k in self._targets} if self._residual else {}
        return fitness, anchors

    def _initial_states(self, model):
        return initial_states(model, self._targets, self._residual,
                              self.majority_guidance, self.displacement_scale)

    def _correlations(self, model, X, y):
        """The classes' correlation factors of the current encoder's codes
        (``covariance='full'``), or None."""
        if self.covariance == "diag":
            return None
        codes = encode(model.encoder, X, 256, self.device_)
        return correlation_factors(codes, y, len(self.classes_))

    def _correlated(self, model, X, y, states):
        """``states`` with correlation factors of the current encoder, set
        before each Phase 4 run (Phases 2-3 change the encoder)."""
        trils = self._correlations(model, X, y)
        if trils is None:
            return states
        return {k: LatentGaussian(g.center, g.var, g.guidance, trils[k])
                for k, g in states.items()}

    def _guides(self, model, X, y, batch_size):
        if not self.majority_guidance:
            return None
        majority = [k for k in range(len(self.classes_)) if k not in self._targets]
        return majority_guides(model.encoder, X, y, majority or range(len(self.classes_)),
                               batch_size, self.device_)

    @staticmethod
    def _write_back(model, states):
        means = model.mixture.means.detach().clone()
        variances = model.mixture.variances().detach().clone()
        for k, g in states.items():
            means[k], variances[k] = g.center, g.var
        model.mixture.set_(means, variances)

    def _keep(self, model, init_means, init_vars, states, X, y, batch_size):
        """Store the fitted networks, Gaussians, anchors and guides."""
        as64 = lambda t: t.detach().cpu().numpy().astype(np.float64)  # noqa: E731
        model.train_only()
        self.encoder_, self.decoder_ = model.encoder, model.decoder
        self.latent_classifier_ = model.latent_classifier
        self.image_classifier_ = (model.image_classifier if model.train_image_classifier
                                  else None)
        self.means_ = as64(model.mixture.means)
        self.variances_ = as64(model.mixture.variances())
        self.init_means_ = as64(init_means)
        self.init_variances_ = as64(init_vars)
        self.sampling_means_, self.sampling_variances_, self.guidance_ = gaussian_arrays(
            states, self.means_, self.variances_, self._residual, self.majority_guidance,
            self.displacement_scale)
        trils = self._correlations(model, X, y)
        self.correlation_factors_ = None if trils is None else as64(trils)
        self.history_ = model.history
        self.anchors_ = {c: a for c, a in zip(self._labels, self._anchor_arrays)}
        guides = self._guides(model, X, y, batch_size)
        self.guides_ = None if guides is None else guides.cpu().numpy()

    # ---------------------------------------------------------------- Algorithm 1
    def _train(self, Xn, y_idx, batch_size):
        model, X, y, w = self._build(Xn, y_idx)
        n, device, verbose = X.shape[0], self.device_, self.verbose
        epochs1, epochs2, epochs3 = self._epochs(model, n, batch_size)
        lr_ft = self.finetune_learning_rate or self.learning_rate
        clock = StageClock(device, PHASES)

        with clock("phase1"):  # pre-training on the real samples
            run_phase1(model, X, y, w, epochs1, batch_size, self.learning_rate,
                       self.variance_learning_rate, device, verbose, self.pretrain_schedule)
            if self.mixture in ("refit", "empirical"):
                refit_mixture(model, X, y, batch_size, device)
        init_means = model.mixture.means.detach().clone()
        init_vars = model.mixture.variances().detach().clone()
        states = self._initial_states(model)
        origins = {k: g.center for k, g in states.items()}
        with clock("phase4"):
            fitness, anchors = self._phase4_inputs(X, y)
        for t in range(self.n_iterations):
            if t > 0 and not self.continue_evolution:  # Algorithm 1, line 29
                model.mixture.set_(init_means, init_vars)
                states = self._initial_states(model)
            with clock("phase2"):
                run_phase2(model, X, y, w, epochs2, batch_size, lr_ft, device, t, verbose)
            with clock("phase3"):
                run_phase3(model, -(-n // batch_size), epochs3, batch_size, lr_ft, device,
                           t, verbose)
            if fitness is not None:
                with clock("phase4"):
                    states = run_phase4(model, self._correlated(model, X, y, states),
                                        fitness, anchors, self._guides(model, X, y, batch_size),
                                        self._evolution, t, self._labels, batch_size,
                                        verbose, origins)
                if not self._residual:  # the paper's Phase 4 sets M_opti, S_opti
                    self._write_back(model, states)
        self.phase_seconds_ = clock.seconds
        self._keep(model, init_means, init_vars, states, X, y, batch_size)
