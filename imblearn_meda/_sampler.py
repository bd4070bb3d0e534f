"""MEDALUDESampler: the whole MEDA_LUDE method as an imbalanced-learn over-sampler."""

from __future__ import annotations

import contextlib
import numbers
import time
import warnings
from collections.abc import Mapping

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseDeepOverSampler
from ._evolution import Fitness, evolve_class
from ._hashing import AverageHasher
from ._lgm import GaussianMixture
from ._networks import build_networks
from ._phases import (
    DEFAULT_LOSS_WEIGHTS,
    MEDAModel,
    _progress,
    auto_epochs,
    run_phase1,
    run_phase2,
    run_phase3,
)


class _PhaseClock:
    """Wall-clock seconds per phase (CUDA work is waited for at each end)."""

    def __init__(self, device):
        self.device = device
        self.seconds = {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}

    @contextlib.contextmanager
    def __call__(self, phase):
        start = time.perf_counter()
        yield
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.seconds[phase] += time.perf_counter() - start


class MEDALUDESampler(BaseDeepOverSampler):
    """Over-sample image classes with MEDA_LUDE.

    An autoencoder whose latent features are shaped into one Gaussian per
    class by the large-margin Gaussian mixture (L-GM) loss is trained in
    three phases; an estimation-of-distribution algorithm (Phase 4) then
    evolves each class's Gaussian for quality (both classifiers accept the
    decoded image) and diversity (low average-hash similarity to real
    images) (Zhao et al., 2022). A new sample is a real sample of its class
    plus the change the decoder makes when the real sample's latent code
    moves by a draw from the evolved Gaussian (``synthesis='residual'``);
    ``synthesis='decode'`` decodes the draw itself, as the paper does.
    ``fit_resample`` runs Algorithm 1: Phase 1, then ``n_iterations`` times
    Phases 2, 3 and 4, then synthesis.

    Read more in ``docs/method.md``; the equations are restated in SPEC.md.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default='auto'
        Sampling information, with imbalanced-learn's over-sampling
        semantics. The classes being over-sampled form the paper's minority
        group; the others the majority group.

    random_state : int, RandomState instance or None, default=None
        Seeds network initialisation, batching, Gaussian draws and the
        evolution. Fitting never changes the global torch, numpy or Python
        random state.

    image_shape : 'auto', None or tuple of int, default='auto'
        Shape ``(C, H, W)`` (or ``(H, W)``) of one image in the rows of a
        2-D ``X``. ``'auto'`` reads a 3-D / 4-D ``X`` as images and a 2-D
        ``X`` whose number of features is a square of at least 8x8 as grey
        square images; anything else is tabular (MLP networks). ``None``
        makes a 2-D ``X`` tabular whatever its number of features (a 3-D /
        4-D ``X`` is always images).

    latent_dim : int, default=32
        Size ``h`` of the latent space (not given by the paper).

    lgm_alpha : float, default=0.1
        L-GM margin ``alpha``: the L-GM authors' demo value.

    lgm_lambda : float, default=0.001
        L-GM likelihood weight ``lambda`` (the L-GM authors use 0.01 in their
        demo and 0.1 on CIFAR-100). With learned variances the likelihood
        term rewards shrinking features and variances together; at 0.1 the
        variances sat at their lower bound and the term then pulled every
        feature onto its class mean, so Phase 1's autoencoder could no longer
        reconstruct single images (on reduced Fashion-MNIST: a per-pixel
        reconstruction MSE of 0.029 at the end of Phase 1, against 0.0125 at
        0.001 and 0.0088 for a plain autoencoder; the samples were one
        blurred prototype per class). 0.01 reconstructed slightly worse and
        gave 1.9 points lower macro F1 on the one seed tried
        (``benchmarks/RESULTS.md``).

    log_var_bounds : tuple of float, default=(-6.0, 3.0)
        Bounds of ``log sigma2`` of the mixture, enforced on every use, after
        every update and in Phase 4, so variances neither collapse nor
        explode.

    mixture : {'refit', 'lgm', 'empirical'}, default='refit'
        Where the Gaussians that Phases 2-4 start from (``M_init``,
        ``S_init``) come from. ``'lgm'``: the means and variances the L-GM
        loss learned in Phase 1, the paper's literal reading. ``'refit'``:
        Phase 1 trains with the L-GM loss exactly as ``'lgm'`` does, then each
        Gaussian is set to the mean and variance of its class's encoded
        training samples, the fit the likelihood term aims at. Measured on
        reduced Fashion-MNIST the learned variances of the small classes lag
        behind their features (they stay near their initial 1 while the
        features' variances are about 0.4, since those classes appear in few
        batches), so draws from ``'lgm'`` decode to images a reference
        classifier recognised 76 % of the time, against 97 % for
        ``'refit'`` (``benchmarks/RESULTS.md``). ``'empirical'`` is the
        ablation without L-GM: the L-GM terms are switched off and the
        Gaussians are set as for ``'refit'``.

    pretrain_epochs : int or 'auto', default='auto'
        Epochs of Phase 1 ("until converged" in the paper). ``'auto'``: about
        1500 updates, between 10 and 100 epochs.

    n_iterations : int, default=2
        Outer iterations ``T`` of Phases 2, 3 and 4 (the paper gives no
        value). ``0`` samples the Phase-1 mixture (with ``mixture='refit'``:
        Gaussians fitted to the encoded classes), the ablation that shows
        what Phases 2-4 add (``benchmarks/RESULTS.md``).

    phase2_epochs, phase3_epochs : int or 'auto', default='auto'
        Epochs of Phase 2 / 3 per outer iteration. ``'auto'``: about 200
        updates, between 2 and 30 epochs. A Phase-3 epoch has as many
        updates as a Phase-1 epoch.

    n_generations : int, default=5
        Generations of the evolution per class and outer iteration. ``0``
        switches Phase 4 off (the "no Phase 4" ablation).

    population_size : int, default=1000
        Size ``N`` of each generation's population ``FEAT4``.

    eta : float, default=0.5
        Fraction of ``X_quali`` with the lowest similarity kept as
        ``X_diver`` (at least 2 individuals).

    gamma : float, default=0.95
        Weight of the quality set ``GM_2`` against the diversity set ``Spop``
        in the update of mean and variance. ``gamma=1`` ignores ``Spop``.
        The paper gives neither value. Measured on the quickstart's digits:
        ``gamma=0.8, eta=0.2`` moved the Gaussians toward images the
        classifiers accept but a reference classifier does not recognise
        (oracle accuracy of the synthetic images 0.78-0.93), ``gamma=0.95,
        eta=0.5`` kept it at 0.98 with the diversity term still active.

    fitness_aggregate : {'max', 'mean'}, default='max'
        How one synthetic image's similarities to many real images become
        one fitness: ``'max'``, the similarity to the nearest real image,
        punishes near-copies; ``'mean'`` is the average similarity.

    n_fitness_real : int, default=500
        Number of real images of the class drawn for the fitness (all of
        them when the class has fewer), and the number of real samples per
        class kept as anchors for ``synthesis='residual'`` (``anchors_``).

    similarity : {'auto', 'ahash', 'euclidean'}, default='auto'
        ``'ahash'``: average-hash similarity (images); ``'euclidean'``:
        ``1 / (1 + distance)`` in standardised feature space, the fitness
        used for tabular data, where an image hash has no meaning.
        ``'auto'`` picks by the kind of data.

    continue_evolution : bool, default=True
        Outer iteration ``t`` continues from the Gaussians iteration ``t-1``
        evolved. ``False`` restarts every iteration from the Phase-1 mixture,
        the literal reading of Algorithm 1, line 29.

    xi : 'auto' or float, default='auto'
        Weight ``xi`` of the majority terms in Phases 1 and 2 (all the
        ``xi_*`` of the paper). ``'auto'``: the ratio of the mean size of the
        over-sampled classes to the mean size of the others, so that an
        average over-sampled class weighs as much as an average other class.

    loss_weights : dict or None, default=None
        Overrides of the beta weights, keys ``rec1, gm1, ltt1, img1, rec2,
        img2, gm3, ltt3``. Defaults: 10 for Phase 1's reconstruction (a
        per-pixel mean squared error is small next to a cross-entropy), 0 for
        Phase 2's, 1 for the rest. Phase 2 reconstructs each decoded draw
        against a random real image of its class; that loss is minimised by
        the class mean. Measured on reduced Fashion-MNIST, the paper's Phase
        2 (``rec2=10`` at rate 1e-3) pulled the synthetic images toward one
        prototype per class: their mean pairwise distance was 3.0 against 5.7
        with these defaults, and macro F1 4 points lower
        (``benchmarks/RESULTS.md``). ``{"rec2": 10}`` restores it.

    synthesis : {'residual', 'decode'}, default='residual'
        How a new sample is made from the evolved Gaussian ``N(M, S)`` of its
        class. ``'decode'``: decode a draw ``f ~ N(M, S)``, the paper's
        literal synthesis. ``'residual'``: pick a real sample ``x`` of the
        class (an anchor) with code ``e = E(x)``, draw ``f = e + (M - M_init)
        + sqrt(S) * eps`` (the anchor's code moved as Phase 4 moved the
        class's mean, plus the class's spread) and return ``D(f) + (x -
        D(e))``: the decoder supplies the change, the real image the detail
        the decoder cannot reproduce. Over the anchors the codes ``f`` have
        the evolved mean ``M`` (with ``mixture='refit'``) and twice the
        variance ``S``; without noise ``f = e`` and the anchor comes back
        unchanged. Every anchor gives the same number of new samples (give
        or take one), as random over-sampling copies every real sample
        equally often; with ``filter_synthetic`` the draws around an anchor
        are repeated until enough of them pass, so the filter cannot favour
        the anchors the classifiers find easy. Decoded images are blurred
        versions of the class;
        residual images keep the real images' edges and texture. Measured
        on Fashion-MNIST with the benchmark CNN (``benchmarks/RESULTS.md``):
        on a reduced set (10 images per minority class) decoded images
        scored 2.6 points of macro F1 below random over-sampling and
        residual ones 0.9 above it; on the paper's protocol (50 images per
        minority class, seed 0) decoded 68.9, residual 80.3, random
        over-sampling 82.0. This is not in the paper.

    filter_synthetic : bool, default=True
        Keep only the synthetic samples that both classifiers assign to
        their class (with ``synthesis='residual'``, still an equal share per
        anchor). When ``max_draw_factor * n`` draws do not give enough, a
        ``UserWarning`` is raised and the remainder is filled with the other
        draws the image classifier rates most likely of the class (accepted
        draws beyond an anchor's share first, then rejected ones).

    max_draw_factor : int, default=20
        Bound on the draws for ``n`` accepted samples: ``max_draw_factor * n``.
        With ``synthesis='residual'`` the bound holds per anchor
        (``max_draw_factor`` times its share); what the anchors cannot fill
        within it gets ``max_draw_factor`` times as many draws around anchors
        picked at random, so at most twice the bound in all.

    batch_size : int, default=128
        Mini-batch size of Phases 1-3. On CUDA out-of-memory the fit is
        retried at half the size (the size used is ``batch_size_``).

    learning_rate : float, default=1e-3
        Adam learning rate of the networks and the means.

    variance_learning_rate : float, default=1e-2
        Adam learning rate of the log-variances. The L-GM authors advise a
        "relatively low" rate for learned variances; measured here, 1e-4 left
        the variances near their initial value 1 after Phase 1 while the
        class features had variances of 0.1-0.2, so draws from the mixture
        decoded to noise. With 1e-2 the variances follow the features (at
        ``lgm_lambda=0.1``; at the default 0.001 those of small classes still
        lag, which ``mixture='refit'`` corrects).

    finetune_learning_rate : float or None, default=1e-4
        Adam learning rate of Phases 2 and 3; ``None`` uses
        ``learning_rate``. Phases 2 and 3 fine-tune networks Phase 1 has
        already trained, so they get a tenth of its rate. On digits the rate
        made no measurable difference (``benchmarks/RESULTS.md``).

    device : {'auto', 'cpu', 'cuda'} or torch.device, default='auto'
        ``'auto'``: CUDA when available, else CPU.

    verbose : int, default=0
        ``> 0`` shows a progress bar per phase with the current losses.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of new samples per class.
    classes_ : ndarray
        Class labels seen in fit.
    image_shape_ : tuple or None
        ``(C, H, W)`` used, or ``None`` for tabular data.
    means_ : ndarray of shape (n_classes, latent_dim)
        Evolved means ``M_opti`` of the per-class Gaussians.
    variances_ : ndarray of shape (n_classes, latent_dim)
        Evolved diagonal variances ``S_opti``.
    init_means_, init_variances_ : ndarray
        The mixture after Phase 1 (``M_init``, ``S_init``).
    anchors_ : list of ndarray
        Per class (in ``classes_`` order), the real samples that
        ``synthesis='residual'`` starts from, on the networks' scale (images
        mapped to [0, 1]), as float32: all of the class's samples, or
        ``n_fitness_real`` of them drawn with ``random_state``. They are
        part of the fitted (and pickled) sampler; for large images lower
        ``n_fitness_real`` to keep it small.
    encoder_, decoder_, latent_classifier_, image_classifier_ : torch.nn.Module
        The four trained networks.
    history_ : list of dict
        One row per epoch of Phases 1-3 (``phase``, ``iteration``, ``epoch``
        and the mean losses) and per class and generation of Phase 4.
    phase_seconds_ : dict
        Wall-clock seconds spent in each phase (keys 1-4) during fit.
    acceptance_ : dict
        Per class, the fraction of draws both classifiers accepted in the
        last synthesis.
    device_ : torch.device
        Device the networks live on.
    batch_size_ : int
        Batch size actually used.
    n_features_in_ : int
        Number of features (``C * H * W`` for images).

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

    _parameter_constraints: dict = {
        **BaseDeepOverSampler._parameter_constraints,
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "lgm_alpha": [Interval(numbers.Real, 0, None, closed="left")],
        "lgm_lambda": [Interval(numbers.Real, 0, None, closed="left")],
        "log_var_bounds": [tuple, list],
        "mixture": [StrOptions({"refit", "lgm", "empirical"})],
        "pretrain_epochs": [Interval(numbers.Integral, 0, None, closed="left"),
                            StrOptions({"auto"})],
        "n_iterations": [Interval(numbers.Integral, 0, None, closed="left")],
        "phase2_epochs": [Interval(numbers.Integral, 0, None, closed="left"),
                          StrOptions({"auto"})],
        "phase3_epochs": [Interval(numbers.Integral, 0, None, closed="left"),
                          StrOptions({"auto"})],
        "n_generations": [Interval(numbers.Integral, 0, None, closed="left")],
        "population_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "eta": [Interval(numbers.Real, 0, 1, closed="right")],
        "gamma": [Interval(numbers.Real, 0, 1, closed="both")],
        "fitness_aggregate": [StrOptions({"max", "mean"})],
        "n_fitness_real": [Interval(numbers.Integral, 1, None, closed="left")],
        "similarity": [StrOptions({"auto", "ahash", "euclidean"})],
        "continue_evolution": ["boolean"],
        "xi": [StrOptions({"auto"}), Interval(numbers.Real, 0, None, closed="neither")],
        "loss_weights": [None, Mapping],
        "synthesis": [StrOptions({"residual", "decode"})],
        "filter_synthetic": ["boolean"],
        "max_draw_factor": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "variance_learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "finetune_learning_rate": [None, Interval(numbers.Real, 0, None,
                                                  closed="neither")],
    }

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
        self.verbose = verbose

    # ---------------------------------------------------------------- checks
    def _check_params(self):
        bounds = tuple(self.log_var_bounds)
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ValueError(
                f"log_var_bounds must be (low, high) with low < high, got "
                f"{self.log_var_bounds!r}."
            )
        weights = dict(DEFAULT_LOSS_WEIGHTS)
        if self.loss_weights is not None:
            unknown = set(self.loss_weights) - set(weights)
            if unknown:
                raise ValueError(
                    f"loss_weights has unknown keys {sorted(unknown)}; the keys are "
                    f"{sorted(weights)}."
                )
            for key, value in self.loss_weights.items():
                if not isinstance(value, numbers.Real) or value < 0:
                    raise ValueError(
                        f"loss_weights[{key!r}] must be a non-negative number, "
                        f"got {value!r}."
                    )
            weights.update(self.loss_weights)
        if self.mixture == "empirical":
            weights["gm1"] = weights["gm3"] = 0.0
        similarity = self.similarity
        if similarity == "auto":
            similarity = "ahash" if self.image_shape_ is not None else "euclidean"
        if similarity == "ahash" and self.image_shape_ is None:
            raise ValueError(
                "similarity='ahash' needs images; this X is tabular "
                "(give image_shape, or use similarity='euclidean')."
            )
        return bounds, weights, similarity

    def _majority_weight(self, counts_by_index):
        """``xi`` for the majority terms and the minority mask by class index."""
        minority = np.array(
            [self.sampling_strategy_.get(c, 0) > 0 for c in self.classes_]
        )
        if self.xi != "auto":
            return float(self.xi), minority
        if minority.all() or not minority.any():
            return 1.0, minority
        xi = counts_by_index[minority].mean() / counts_by_index[~minority].mean()
        return float(xi), minority

    # ---------------------------------------------------------------- Algorithm 1
    def _train(self, Xn, y_idx, batch_size):
        bounds, weights, similarity = self._check_params()
        self.acceptance_ = {}
        device = self.device_
        n_classes = len(self.classes_)
        n, n_features = Xn.shape[0], int(np.prod(Xn.shape[1:]))

        counts = np.bincount(y_idx, minlength=n_classes)
        xi, minority = self._majority_weight(counts)
        self.xi_ = xi

        enc, dec, ltt, img = build_networks(
            self.image_shape_, n_features, n_classes, self.latent_dim
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
        w = torch.as_tensor(np.where(minority, 1.0, xi), dtype=torch.float32,
                            device=device)[y]

        epochs1 = auto_epochs(self.pretrain_epochs, n, batch_size, 1500, 10, 100)
        epochs2 = auto_epochs(self.phase2_epochs, n, batch_size, 200, 2, 30)
        epochs3 = auto_epochs(self.phase3_epochs, n, batch_size, 200, 2, 30)
        steps3 = max(1, -(-n // batch_size))

        clock = _PhaseClock(device)
        # Phase 1: pre-training on all real images.
        with clock(1):
            run_phase1(model, X, y, w, epochs1, batch_size, self.learning_rate,
                       self.variance_learning_rate, device, self.verbose)
            if self.mixture in ("refit", "empirical"):
                self._set_empirical_mixture(model, X, y, batch_size)
        init_means = model.mixture.means.detach().clone()
        init_vars = model.mixture.variances().detach().clone()

        with clock(4):
            fitness = self._fitness_per_class(X, y, n_classes, similarity)
        lr_ft = self.finetune_learning_rate or self.learning_rate
        var_bounds = (float(np.exp(bounds[0])), float(np.exp(bounds[1])))
        for t in range(self.n_iterations):
            if t > 0 and not self.continue_evolution:
                model.mixture.set_(init_means, init_vars)
            with clock(2):
                run_phase2(model, X, y, w, epochs2, batch_size, lr_ft, device, t,
                           self.verbose)
            with clock(3):
                run_phase3(model, steps3, epochs3, batch_size, lr_ft,
                           device, t, self.verbose)
            with clock(4):
                self._phase4(model, fitness, t, var_bounds)
        self.phase_seconds_ = clock.seconds

        self.encoder_ = model.encoder.eval()
        self.decoder_ = model.decoder.eval()
        self.latent_classifier_ = model.latent_classifier.eval()
        self.image_classifier_ = model.image_classifier.eval()
        self.means_ = model.mixture.means.detach().cpu().numpy().astype(np.float64)
        self.variances_ = model.mixture.variances().detach().cpu().numpy().astype(
            np.float64
        )
        self.init_means_ = init_means.cpu().numpy().astype(np.float64)
        self.init_variances_ = init_vars.cpu().numpy().astype(np.float64)
        self.history_ = model.history
        self.anchors_ = self._pick_anchors(Xn, y_idx, n_classes)

    def _pick_anchors(self, Xn, y_idx, n_classes):
        """Real samples per class (at most ``n_fitness_real``, chosen with the
        sampler's seed) that ``synthesis='residual'`` starts from."""
        rng = np.random.RandomState(self._seed)
        anchors = []
        for k in range(n_classes):
            idx = np.flatnonzero(y_idx == k)
            if idx.size > self.n_fitness_real:
                idx = np.sort(rng.choice(idx, self.n_fitness_real, replace=False))
            anchors.append(np.array(Xn[idx], dtype=np.float32))
        return anchors

    @torch.no_grad()
    def _set_empirical_mixture(self, model, X, y, batch_size):
        feats = torch.cat([
            model.encoder(X[i:i + batch_size].to(self.device_))
            for i in range(0, X.shape[0], batch_size)
        ])
        n_classes = model.mixture.means.shape[0]
        means = torch.stack([feats[y == k].mean(0) for k in range(n_classes)])
        variances = torch.stack([
            feats[y == k].var(0, unbiased=False) for k in range(n_classes)
        ])
        model.mixture.set_(means, variances.clamp_min(1e-12))

    def _fitness_per_class(self, X, y, n_classes, similarity):
        if self.n_generations == 0 or self.n_iterations == 0:
            return None
        hasher = AverageHasher(self.image_shape_, self.device_) \
            if similarity == "ahash" else None
        fitness = []
        for k in range(n_classes):
            idx = torch.nonzero(y == k).flatten()
            if idx.numel() > self.n_fitness_real:
                idx = idx[torch.randperm(idx.numel(), device=idx.device)
                          [: self.n_fitness_real]]
            fitness.append(Fitness(X[idx.to(X.device)].to(self.device_), hasher,
                                   self.fitness_aggregate))
        return fitness

    def _phase4(self, model, fitness, iteration, var_bounds):
        if fitness is None:
            return
        means = model.mixture.means.detach().clone()
        variances = model.mixture.variances().detach().clone()
        with _progress(len(fitness), f"Phase 4 (iteration {iteration + 1})",
                       self.verbose) as bar:
            for k, fit in enumerate(fitness):
                mu, var, rows = evolve_class(
                    model, k, means[k], variances[k], fit, self.n_generations,
                    self.population_size, float(self.eta), float(self.gamma),
                    var_bounds,
                )
                means[k], variances[k] = mu, var
                for row in rows:
                    row["iteration"] = iteration
                    row["class"] = self.classes_[k].item()
                model.history.extend(rows)
                last = rows[-1]
                bar.set_postfix(cls=last["class"], accepted=last.get("gm2", 0),
                                fitness=f"{last.get('fitness_mean', float('nan')):.3f}")
                bar.update(1)
        model.mixture.set_(means, variances)

    # ---------------------------------------------------------------- synthesis
    def _accept(self, k, f, x):
        """Which draws both classifiers assign to class index ``k``, and the
        image classifier's probability of the class for each draw."""
        p_img = F.softmax(self.image_classifier_(x), dim=1)
        ok = (self.latent_classifier_(f).argmax(1) == k) & (p_img.argmax(1) == k)
        return ok, p_img[:, k]

    @torch.no_grad()
    def _generate(self, k, n):
        device = self.device_
        mu = torch.as_tensor(self.means_[k], dtype=torch.float32, device=device)
        std = torch.as_tensor(np.sqrt(self.variances_[k]), dtype=torch.float32,
                              device=device)
        if self.synthesis == "residual":
            drafts = _AnchoredDrafts(self, k, n, mu, std, self.max_draw_factor)
        else:
            drafts = _DecodedDrafts(self.decoder_, n, mu, std, self.max_draw_factor)
        # Decode in chunks of at most ~256 MB of images; accepted images go to
        # host memory as they come, and only the ``n`` best others are kept.
        per_image = 4 * int(np.prod(self.image_shape_ or (self.n_features_in_,)))
        chunk = max(64, min(max(2 * n, 256), (256 * 1024**2) // per_image))
        kept, fallback = [], _Fallback(n)
        n_drawn = n_passed = 0
        while drafts.missing() > 0:
            draft = drafts.draw(chunk)
            if draft is None:  # the draw budget is spent
                break
            f, x, owner = draft
            n_drawn += f.shape[0]
            if self.filter_synthetic:
                ok, score = self._accept(k, f, x)
            else:
                ok, score = torch.ones(f.shape[0], dtype=torch.bool, device=device), None
            n_passed += int(ok.sum())
            keep = drafts.take(owner, ok)
            kept.append(x[keep].cpu())
            if score is not None:
                fallback.add(x, ok, score, keep)
        self.acceptance_[self.classes_[k]] = n_passed / max(n_drawn, 1)
        out = torch.cat(kept)
        missing = n - out.shape[0]
        if missing:
            fill, n_rejected = fallback.best(missing)
            out = torch.cat([out, fill])
            if n_rejected:
                warnings.warn(
                    f"Only {n - n_rejected} of {n} samples of class "
                    f"{self.classes_[k].item()!r} passed both classifiers in "
                    f"{n_drawn} draws; the other {n_rejected} are the rejected "
                    "draws the image classifier rated most likely of the class. "
                    "Train longer or set filter_synthetic=False.",
                    UserWarning,
                    stacklevel=4,
                )
        if self.synthesis == "residual":
            # Kept samples come grouped by anchor; shuffle them so that any
            # slice of the output is a fair draw.
            out = out[torch.randperm(out.shape[0])]
        return out.numpy()


class _DecodedDrafts:
    """``synthesis='decode'``: decoded draws of ``N(mu, std**2)``, at most
    ``max_draw_factor * n``; the first ``n`` accepted ones are kept."""

    def __init__(self, decoder, n, mu, std, max_draw_factor):
        self.decoder, self.n, self.mu, self.std = decoder, n, mu, std
        self.n_kept = 0
        self.left = max_draw_factor * n

    def missing(self):
        return self.n - self.n_kept

    def draw(self, chunk):
        m = min(chunk, self.left)
        if m == 0:
            return None
        self.left -= m
        f = self.mu + self.std * torch.randn(m, self.mu.shape[0],
                                             device=self.mu.device)
        return f, self.decoder(f), None

    def take(self, owner, ok):
        keep = torch.nonzero(ok).flatten()[: self.missing()]
        self.n_kept += keep.numel()
        return keep


class _AnchoredDrafts:
    """``synthesis='residual'`` with a quota per anchor.

    Every anchor of the class is to give ``n // A`` accepted samples (a
    random ``n % A`` of them one more), as random over-sampling copies every
    real sample equally often. Without quotas the filter would favour the
    anchors whose neighbourhood the classifiers find easy: on Fashion-MNIST's
    pullover and coat classes (50 images each, the paper's protocol) the
    share of accepted draws per anchor ran from 0.1 to 1.0, so the real
    images nearest another class were up to ten times under-represented among
    the new samples. Each round asks every anchor for its missing count
    divided by its acceptance rate so far. An anchor gets at most
    ``max_draw_factor * quota`` draws; what the anchors could not fill
    within them, up to ``max_draw_factor`` times as many draws around
    anchors picked at random fill, as without quotas.
    """

    def __init__(self, sampler, k, n, mu, std, max_draw_factor):
        device = mu.device
        anchors = torch.as_tensor(sampler.anchors_[k], device=device)
        self.n_anchors = n_anchors = anchors.shape[0]
        encoder, self.decoder = sampler.encoder_, sampler.decoder_
        self.codes = torch.cat([encoder(anchors[i:i + 256])
                                for i in range(0, n_anchors, 256)])
        self.details = anchors - torch.cat([
            self.decoder(self.codes[i:i + 256]) for i in range(0, n_anchors, 256)
        ])
        # Phase 4 moves the class Gaussian; every anchor moves with it.
        self.shift = mu - torch.as_tensor(sampler.init_means_[k],
                                          dtype=torch.float32, device=device)
        self.std = std
        self.is_image = sampler.image_shape_ is not None
        self.need = torch.full((n_anchors,), n // n_anchors, dtype=torch.long,
                               device=device)
        self.need[torch.randperm(n_anchors, device=device)[: n % n_anchors]] += 1
        self.factor = max_draw_factor
        self.cap = self.need * max_draw_factor
        self.drawn = torch.zeros(n_anchors, dtype=torch.long, device=device)
        self.passed = torch.zeros_like(self.drawn)
        self.free = 0  # quota the anchors could not fill within their cap
        self.free_left = None  # draws left for it

    def missing(self):
        return int(self.need.sum()) + self.free

    def draw(self, chunk):
        device = self.need.device
        room = (self.cap - self.drawn).clamp_min(0) * (self.need > 0)
        if self.free_left is None and int(room.sum()) == 0:
            # Every anchor with a quota left has used its draws.
            self.free, self.need = int(self.need.sum()), torch.zeros_like(self.need)
            self.free_left = self.factor * self.free
        if self.free_left is not None:
            m = min(chunk, self.free_left)
            if m == 0:
                return None
            self.free_left -= m
            owner = torch.randint(0, self.n_anchors, (m,), device=device)
        else:
            # Acceptance so far, starting from 1 (without the filter every
            # draw passes, and the first round asks for exactly the quotas).
            rate = (self.passed + 1).double() / (self.drawn + 1).double()
            ask = torch.minimum(torch.ceil(self.need.double() / rate).long(), room)
            owner = torch.repeat_interleave(
                torch.arange(self.n_anchors, device=device), ask)
            if owner.numel() > chunk:
                owner = owner[torch.randperm(owner.numel(), device=device)[:chunk]]
        f = (self.codes[owner] + self.shift
             + self.std * torch.randn(owner.numel(), self.std.shape[0], device=device))
        x = self.decoder(f) + self.details[owner]
        return f, x.clamp(0.0, 1.0) if self.is_image else x, owner

    def take(self, owner, ok):
        """Of the accepted draws, keep at most the missing count per anchor
        (or, once quotas are given up, the first accepted ones)."""
        n_anchors = self.n_anchors
        self.drawn += torch.bincount(owner, minlength=n_anchors)
        self.passed += torch.bincount(owner[ok], minlength=n_anchors)
        cand = torch.nonzero(ok).flatten()
        if self.free_left is not None:
            keep = cand[: self.free]
            self.free -= keep.numel()
            return keep
        order = torch.argsort(owner[cand], stable=True)
        cand = cand[order]
        by = owner[cand]
        count = torch.bincount(by, minlength=n_anchors)
        first = torch.cumsum(count, 0) - count
        rank = torch.arange(by.numel(), device=by.device) - first[by]
        keep = cand[rank < self.need[by]]
        self.need -= torch.bincount(owner[keep], minlength=n_anchors)
        return keep


class _Fallback:
    """The ``n`` draws not kept that the image classifier rates most likely
    of the class (accepted draws beyond an anchor's quota first), on the
    host, in case too few draws pass."""

    def __init__(self, n):
        self.n = n
        self.x = self.ok = self.score = None

    def add(self, x, ok, score, keep):
        other = torch.ones_like(ok)
        other[keep] = False
        # Cut to this round's best n on the device; only those go to the host.
        idx = torch.nonzero(other).flatten()
        idx = idx[self._top(ok[idx], score[idx])]
        xs, oks, scores = x[idx].cpu(), ok[idx].cpu(), score[idx].cpu()
        if self.x is not None:
            xs = torch.cat([self.x, xs])
            oks, scores = torch.cat([self.ok, oks]), torch.cat([self.score, scores])
        best = self._top(oks, scores)
        self.x, self.ok, self.score = xs[best], oks[best], scores[best]

    def _top(self, ok, score):
        """Indices of the best ``n``: accepted draws first, then by the image
        classifier's probability (a probability is at most 1)."""
        rank = score + 2 * ok.to(score.dtype)
        return torch.argsort(rank, descending=True, stable=True)[: self.n]

    def best(self, m):
        """The ``m`` best, and how many of them both classifiers rejected."""
        return self.x[:m], int((~self.ok[:m]).sum())
