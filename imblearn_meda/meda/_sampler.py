"""MEDALUDESampler: the whole MEDA_LUDE method as an imbalanced-learn over-sampler."""

from __future__ import annotations

import numpy as np
import torch

from ..base import BaseDeepOverSampler
from ..nn import StageClock, auto_epochs, build_networks
from ..utils._docstring import shared_docs
from . import _config
from ._evolution import fitness_per_class, run_phase4
from ._lgm import GaussianMixture
from ._phases import MEDAModel, refit_mixture, run_phase1, run_phase2, run_phase3
from ._similarity import AverageHasher
from ._synthesis import (
    AnchoredDrafts,
    DecodedDrafts,
    accept,
    chunk_size,
    pick_anchors,
    synthesize,
)


#: Names of the four phases, as ``history_`` and ``phase_seconds_`` key them.
PHASES = ("phase1", "phase2", "phase3", "phase4")


@shared_docs
class MEDALUDESampler(BaseDeepOverSampler):
    """Over-sample image classes with MEDA_LUDE.

    An autoencoder whose latent features are shaped into one Gaussian per
    class by the large-margin Gaussian mixture (L-GM) loss is trained in
    three phases; an estimation-of-distribution algorithm (Phase 4) then
    evolves each class's Gaussian for quality (both classifiers accept the
    decoded image) and diversity (low average-hash similarity to real
    images) (Zhao et al., 2022). ``fit_resample`` runs the paper's
    Algorithm 1: Phase 1, then ``n_iterations`` times Phases 2, 3 and 4,
    then synthesis. By default a new sample is a real sample of its class
    plus the change the decoder makes when the real sample's latent code
    moves by a draw from the evolved Gaussian (``synthesis='residual'``);
    ``synthesis='decode'`` decodes the draw itself, as the paper does.

    Every choice the paper leaves open is a parameter below. Where a default
    departs from the paper's literal reading, the user guide's page on the
    paper and the defaults says why, with what was measured.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Number of new samples per class, with imbalanced-learn's
        over-sampling semantics. The paper's minority group is the classes
        that at least double (as many new samples as real ones or more; see
        ``minority_classes_``), the majority group the others.

    {random_state}

    {image_shape}

    latent_dim : int, default=32
        Size ``h`` of the latent space (not given by the paper).

    lgm_alpha : float, default=0.1
        L-GM margin ``alpha`` (the L-GM authors' demo value).

    lgm_lambda : float, default=0.001
        L-GM likelihood weight ``lambda``. Larger values (the L-GM authors
        use 0.01-0.1) pull every feature onto its class mean, and the
        autoencoder then reconstructs one blurred prototype per class.

    log_var_bounds : tuple of float, default=(-6.0, 3.0)
        Bounds of ``log sigma2`` of the mixture, enforced on every use, after
        every update and in Phase 4, so variances neither collapse nor
        explode.

    mixture : {'refit', 'lgm', 'empirical'}, default='refit'
        Where the Gaussians that Phases 2-4 start from (``M_init``,
        ``S_init``) come from. ``'lgm'``: as the L-GM loss learned them in
        Phase 1, the paper's literal reading. ``'refit'``: Phase 1 as for
        ``'lgm'``, then each Gaussian set to the mean and variance of its
        class's encoded training samples (the learned variances of small
        classes lag behind their features). ``'empirical'``: the ablation
        without L-GM (its terms switched off, Gaussians set as for
        ``'refit'``).

    pretrain_epochs : int or 'auto', default='auto'
        Epochs of Phase 1 ("until converged" in the paper). ``'auto'``: about
        1500 updates, between 10 and 100 epochs.

    n_iterations : int, default=2
        Outer iterations ``T`` of Phases 2, 3 and 4 (not given by the paper).
        ``0`` samples the Phase-1 mixture: the ablation without Phases 2-4.

    phase2_epochs, phase3_epochs : int or 'auto', default='auto'
        Epochs of Phase 2 / 3 per outer iteration. ``'auto'``: about 200
        updates, between 2 and 30 epochs. A Phase-3 epoch has as many
        updates as a Phase-1 epoch.

    n_generations : int, default=5
        Generations of the evolution per class and outer iteration. ``0``
        switches Phase 4 off.

    population_size : int, default=1000
        Size ``N`` of each generation's population ``FEAT4``.

    eta : float, default=0.5
        Fraction of ``X_quali`` with the lowest similarity kept as
        ``X_diver`` (at least 2 individuals).

    gamma : float, default=0.95
        Weight of the quality set ``GM_2`` against the diversity set
        ``Spop`` in the update of mean and variance; ``1`` ignores ``Spop``.

    fitness_aggregate : {'max', 'mean'}, default='max'
        How one synthetic image's similarities to many real images become
        one fitness: ``'max'``, the similarity to the nearest real image,
        punishes near-copies; ``'mean'`` is the average similarity.

    n_fitness_real : int, default=500
        Number of real samples of a class drawn for the fitness (all of
        them when the class has fewer), and the number kept per class as
        anchors of residual synthesis (``anchors_``).

    similarity : {'auto', 'ahash', 'euclidean'}, default='auto'
        ``'ahash'``: average-hash similarity (images); ``'euclidean'``:
        ``1 / (1 + distance)`` in standardised feature space, for tabular
        data, where an image hash means nothing. ``'auto'`` picks by the data.

    continue_evolution : bool, default=True
        Outer iteration ``t`` continues from the Gaussians iteration ``t-1``
        evolved. ``False`` restarts every iteration from the Phase-1 mixture,
        the literal reading of Algorithm 1, line 29.

    xi : 'auto' or float, default='auto'
        Weight ``xi`` of the majority terms in Phases 1 and 2 (all the
        ``xi_*`` of the paper). ``'auto'``: the mean size of the minority
        classes over the mean size of the others, so that both groups weigh
        the same.

    loss_weights : dict or None, default=None
        Overrides of the beta weights, keys ``rec1, gm1, ltt1, img1, rec2,
        img2, gm3, ltt3``. Defaults: 10 for Phase 1's reconstruction (a
        per-pixel mean squared error is small next to a cross-entropy), 0 for
        Phase 2's (its optimum, the class mean, turns the decoder into a
        prototype generator), 1 for the rest. ``{"rec2": 10}`` restores
        the paper's Phase 2.

    synthesis : {'residual', 'decode'}, default='residual'
        How a new sample is made from the evolved Gaussian ``N(M, S)`` of
        its class. ``'decode'``: decode a draw ``f ~ N(M, S)``, the paper's
        literal synthesis. ``'residual'`` (not in the paper): pick a real
        sample ``x`` of the class (an anchor) with code ``e = E(x)``, draw
        ``f = e + (M - M_init) + sqrt(S) * eps`` and return ``D(f) + (x -
        D(e))``: the decoder supplies the change, the real image the detail
        the decoder cannot reproduce. Every anchor gives the same number of
        new samples, give or take one.

    filter_synthetic : bool, default=True
        Keep only the synthetic samples that both classifiers assign to
        their class. When ``max_draw_factor * n`` draws do not give enough, a
        warning is raised and the remainder is filled with the other draws
        the image classifier rates most likely of the class.

    max_draw_factor : int, default=20
        Bound on the draws for ``n`` accepted samples: ``max_draw_factor *
        n`` (with ``synthesis='residual'``, per anchor, and as many again
        around anchors picked at random for what the anchors could not fill).

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate of the networks and the means.

    variance_learning_rate : float, default=1e-2
        Adam learning rate of the log-variances (at 1e-4 they stay near
        their initial value while the features' variances shrink).

    finetune_learning_rate : float or None, default=1e-4
        Adam learning rate of Phases 2 and 3, which fine-tune networks Phase
        1 has trained; ``None`` uses ``learning_rate``.

    {device}

    {n_jobs}

    {verbose}

    Attributes
    ----------
    {fitted_input}
    means_ : ndarray of shape (n_classes, latent_dim)
        Evolved means ``M_opti`` of the per-class Gaussians.
    variances_ : ndarray of shape (n_classes, latent_dim)
        Evolved diagonal variances ``S_opti``.
    init_means_, init_variances_ : ndarray
        The mixture after Phase 1 (``M_init``, ``S_init``).
    anchors_ : dict of {class label: ndarray}
        Per class, the real samples residual synthesis starts from, on the networks' scale (images in [0, 1]),
        as float32: at most ``n_fitness_real`` per class. They are pickled
        with the sampler.
    minority_classes_ : ndarray
        The paper's minority group: the classes ``sampling_strategy_`` at
        least doubles. A class a fold tops up by a few samples is not in it.
    xi_ : float
        Weight of the majority terms used.
    encoder_, decoder_, latent_classifier_, image_classifier_ : torch.nn.Module
        The four trained networks.
    history_ : History
        One row per epoch of Phases 1-3 (``phase`` ``'phase1'`` to
        ``'phase3'``, ``iteration``, ``epoch`` and the mean losses) and per
        class and generation of Phase 4 (``phase`` ``'phase4'``,
        ``iteration``, ``class``, ``generation``, the sizes of ``GM_1`` and
        ``GM_2`` and the fitness).
    phase_seconds_ : dict
        Wall-clock seconds spent in each phase during fit (keys ``'phase1'``
        to ``'phase4'``).
    pretrain_epochs_, phase2_epochs_, phase3_epochs_ : int
        The epoch counts used (``'auto'`` resolved).
    acceptance_ : dict
        Per class, the fraction of draws both classifiers accepted in
        ``fit_resample``'s synthesis (empty after ``fit``; ``sample`` leaves
        it alone).
    {fitted_device}

    See Also
    --------
    CVAESampler : conditional-VAE over-sampler, the paper's strongest baseline.
    imblearn.over_sampling.SMOTE : interpolation between neighbours.

    References
    ----------
    .. [1] Y. Zhao, K. Hao, L. Gu, B. Wei, "Distribution Learning Based on
       Evolutionary Algorithm Assisted Deep Neural Networks for Imbalanced
       Image Classification", arXiv:2207.12744, 2022.
    .. [2] W. Wan, Y. Zhong, T. Li, J. Chen, "Rethinking Feature Distribution
       for Loss Functions in Image Classification", CVPR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from imblearn_meda import MEDALUDESampler
    >>> X, y = load_digits(return_X_y=True)
    >>> keep = (y != 3) | (np.cumsum(y == 3) <= 20)
    >>> X, y = X[keep], y[keep]
    >>> sampler = MEDALUDESampler(pretrain_epochs=8, n_iterations=1,
    ...                           phase2_epochs=1, phase3_epochs=1,
    ...                           n_generations=1, population_size=200,
    ...                           random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> int((y_res == 3).sum()) == int((y_res == 0).sum())
    True
    """

    _parameter_constraints: dict = _config.PARAMETER_CONSTRAINTS

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        image_shape="auto",
        latent_dim=32,
        lgm_alpha=0.1,
        lgm_lambda=0.001,
        log_var_bounds=(-6.0, 3.0),
        mixture="refit",
        pretrain_epochs="auto",
        n_iterations=2,
        phase2_epochs="auto",
        phase3_epochs="auto",
        n_generations=5,
        population_size=1000,
        eta=0.5,
        gamma=0.95,
        fitness_aggregate="max",
        n_fitness_real=500,
        similarity="auto",
        continue_evolution=True,
        xi="auto",
        loss_weights=None,
        synthesis="residual",
        filter_synthetic=True,
        max_draw_factor=20,
        batch_size=128,
        learning_rate=1e-3,
        variance_learning_rate=1e-2,
        finetune_learning_rate=1e-4,
        device="auto",
        n_jobs=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.image_shape = image_shape
        self.latent_dim = latent_dim
        self.lgm_alpha = lgm_alpha
        self.lgm_lambda = lgm_lambda
        self.log_var_bounds = log_var_bounds
        self.mixture = mixture
        self.pretrain_epochs = pretrain_epochs
        self.n_iterations = n_iterations
        self.phase2_epochs = phase2_epochs
        self.phase3_epochs = phase3_epochs
        self.n_generations = n_generations
        self.population_size = population_size
        self.eta = eta
        self.gamma = gamma
        self.fitness_aggregate = fitness_aggregate
        self.n_fitness_real = n_fitness_real
        self.similarity = similarity
        self.continue_evolution = continue_evolution
        self.xi = xi
        self.loss_weights = loss_weights
        self.synthesis = synthesis
        self.filter_synthetic = filter_synthetic
        self.max_draw_factor = max_draw_factor
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.variance_learning_rate = variance_learning_rate
        self.finetune_learning_rate = finetune_learning_rate
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose

    # ---------------------------------------------------------------- Algorithm 1
    def _train(self, Xn, y_idx, batch_size):
        model, X, y, w = self._build(Xn, y_idx)
        n = X.shape[0]
        epochs1 = auto_epochs(self.pretrain_epochs, n, batch_size, 1500, 10, 100)
        epochs2 = auto_epochs(self.phase2_epochs, n, batch_size, 200, 2, 30)
        epochs3 = auto_epochs(self.phase3_epochs, n, batch_size, 200, 2, 30)
        steps3 = max(1, -(-n // batch_size))
        self.pretrain_epochs_, self.phase2_epochs_, self.phase3_epochs_ = (
            epochs1, epochs2, epochs3)
        lr_ft = self.finetune_learning_rate or self.learning_rate
        device, verbose, clock = self.device_, self.verbose, StageClock(self.device_, PHASES)

        with clock("phase1"):  # Phase 1: pre-training on all real samples
            run_phase1(model, X, y, w, epochs1, batch_size, self.learning_rate,
                       self.variance_learning_rate, device, verbose)
            if self.mixture in ("refit", "empirical"):
                refit_mixture(model, X, y, batch_size, device)
        init_means = model.mixture.means.detach().clone()
        init_vars = model.mixture.variances().detach().clone()
        with clock("phase4"):
            fitness = self._fitness(X, y)
        for t in range(self.n_iterations):
            if t > 0 and not self.continue_evolution:  # Algorithm 1, line 29
                model.mixture.set_(init_means, init_vars)
            with clock("phase2"):
                run_phase2(model, X, y, w, epochs2, batch_size, lr_ft, device, t, verbose)
            with clock("phase3"):
                run_phase3(model, steps3, epochs3, batch_size, lr_ft, device, t, verbose)
            if fitness is not None:
                with clock("phase4"):
                    run_phase4(model, fitness, self.n_generations, self.population_size,
                               float(self.eta), float(self.gamma), self._var_bounds, t,
                               [c.item() for c in self.classes_], verbose)
        self.phase_seconds_ = clock.seconds
        self._keep(model, init_means, init_vars, Xn, y_idx)

    def _build(self, Xn, y_idx):
        """The networks, the mixture and the data tensors of a fit."""
        bounds = _config.check_log_var_bounds(self.log_var_bounds)
        weights = _config.resolve_loss_weights(self.loss_weights, self.mixture)
        self._similarity = _config.resolve_similarity(
            self.similarity, self.image_shape_ is not None)
        self._var_bounds = (float(np.exp(bounds[0])), float(np.exp(bounds[1])))
        self.acceptance_ = {}
        device, n_classes = self.device_, len(self.classes_)
        counts = np.bincount(y_idx, minlength=n_classes)
        minority = _config.minority_mask(self.sampling_strategy_, self.classes_, counts)
        self.minority_classes_ = self.classes_[minority]
        self.xi_ = _config.majority_weight(self.xi, minority, counts)

        enc, dec, ltt, img = build_networks(
            self.image_shape_, int(np.prod(Xn.shape[1:])), n_classes, self.latent_dim
        )
        model = MEDAModel(
            encoder=enc.to(device),
            decoder=dec.to(device),
            latent_classifier=ltt.to(device),
            image_classifier=img.to(device),
            mixture=GaussianMixture(n_classes, self.latent_dim, bounds).to(device),
            alpha=float(self.lgm_alpha),
            lam=float(self.lgm_lambda),
            weights=weights,
            is_image=self.image_shape_ is not None,
        )
        X = self._data_tensor(Xn)
        y = torch.as_tensor(y_idx, dtype=torch.long, device=device)
        w = torch.as_tensor(np.where(minority, 1.0, self.xi_), dtype=torch.float32,
                            device=device)[y]
        return model, X, y, w

    def _fitness(self, X, y):
        """Phase 4's fitness per class, or None when Phase 4 does not run."""
        if self.n_generations == 0 or self.n_iterations == 0:
            return None
        hasher = (AverageHasher(self.image_shape_, self.device_)
                  if self._similarity == "ahash" else None)
        return fitness_per_class(X, y, len(self.classes_), self.n_fitness_real,
                                 hasher, self.fitness_aggregate)

    def _keep(self, model, init_means, init_vars, Xn, y_idx):
        """Store the fitted networks, mixture and anchors."""
        as64 = lambda t: t.detach().cpu().numpy().astype(np.float64)  # noqa: E731
        self.encoder_ = model.encoder.eval()
        self.decoder_ = model.decoder.eval()
        self.latent_classifier_ = model.latent_classifier.eval()
        self.image_classifier_ = model.image_classifier.eval()
        self.means_ = as64(model.mixture.means)
        self.variances_ = as64(model.mixture.variances())
        self.init_means_ = as64(init_means)
        self.init_variances_ = as64(init_vars)
        self.history_ = model.history
        anchors = pick_anchors(Xn, y_idx, len(self.classes_), self.n_fitness_real,
                               self._seed)
        self.anchors_ = {c.item(): a for c, a in zip(self.classes_, anchors)}

    # ---------------------------------------------------------------- synthesis
    def _accept(self, k, f, x):
        return accept(self.latent_classifier_, self.image_classifier_, k, f, x)

    @torch.no_grad()
    def _generate(self, k, n):
        device = self.device_
        as32 = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
        mu, std = as32(self.means_[k]), as32(np.sqrt(self.variances_[k]))
        if self.synthesis == "residual":
            drafts = AnchoredDrafts(
                self.encoder_, self.decoder_, as32(self.anchors_[self.classes_[k].item()]),
                mu - as32(self.init_means_[k]), std, n, self.max_draw_factor,
                self.image_shape_ is not None)
        else:
            drafts = DecodedDrafts(self.decoder_, n, mu, std, self.max_draw_factor)
        judge = (lambda f, x: self._accept(k, f, x)) if self.filter_synthetic else None
        chunk = chunk_size(n, int(np.prod(self.image_shape_ or (self.n_features_in_,))))
        out, n_drawn, n_passed, n_rejected = synthesize(drafts, n, chunk, judge)
        if self.synthesis == "residual":
            # Kept samples come grouped by anchor; shuffle them so that any
            # slice of the output is a fair draw.
            out = out[torch.randperm(out.shape[0])]
        info = {"drawn": n_drawn, "passed": n_passed, "kept": n - n_rejected,
                "rejected": n_rejected}
        return out.numpy(), info

    def _keep_synthesis_stats(self, stats):
        self.acceptance_ = {c: i["passed"] / max(i["drawn"], 1) for c, i in stats.items()}
