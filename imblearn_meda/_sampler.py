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
        unchanged. Decoded images are blurred versions of the class;
        residual images keep the real images' edges and texture. Measured
        on Fashion-MNIST with the benchmark CNN (``benchmarks/RESULTS.md``):
        on a reduced set (10 images per minority class) decoded images
        scored 2.6 points of macro F1 below random over-sampling and
        residual ones 0.9 above it; on the paper's protocol (50 images per
        minority class, seed 0) decoded 68.9, residual 80.3, random
        over-sampling 82.0. This is not in the paper.

    filter_synthetic : bool, default=True
        Keep only the synthetic samples that both classifiers assign to
        their class. When ``max_draw_factor * n`` draws do not give enough,
        a ``UserWarning`` is raised and the remainder is filled with the
        rejected draws the image classifier rates most likely of the class.

    max_draw_factor : int, default=20
        Bound on the draws for ``n`` accepted samples: ``max_draw_factor * n``.

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
    @torch.no_grad()
    def _drawer(self, k, mu, std):
        """A function ``m -> (latent codes, samples)`` drawing ``m`` new samples
        of class index ``k`` on the networks' scale."""
        device = self.device_
        if self.synthesis == "decode":
            def draw(m):
                f = mu + std * torch.randn(m, mu.shape[0], device=device)
                return f, self.decoder_(f)
            return draw

        anchors = torch.as_tensor(self.anchors_[k], device=device)
        codes = torch.cat([self.encoder_(anchors[i:i + 256])
                           for i in range(0, anchors.shape[0], 256)])
        details = anchors - torch.cat([self.decoder_(codes[i:i + 256])
                                       for i in range(0, codes.shape[0], 256)])
        # Phase 4 moves the class Gaussian; every anchor moves with it.
        shift = mu - torch.as_tensor(self.init_means_[k], dtype=torch.float32,
                                     device=device)
        is_image = self.image_shape_ is not None

        def draw(m):
            idx = torch.randint(0, codes.shape[0], (m,), device=device)
            f = codes[idx] + shift + std * torch.randn(m, mu.shape[0], device=device)
            x = self.decoder_(f) + details[idx]
            return f, x.clamp(0.0, 1.0) if is_image else x
        return draw

    @torch.no_grad()
    def _generate(self, k, n):
        device = self.device_
        mu = torch.as_tensor(self.means_[k], dtype=torch.float32, device=device)
        std = torch.as_tensor(np.sqrt(self.variances_[k]), dtype=torch.float32,
                              device=device)
        draw = self._drawer(k, mu, std)
        # Decode in chunks of at most ~256 MB of images; accepted images go to
        # host memory as they come, and only the ``n`` best rejects are kept.
        per_image = 4 * int(np.prod(self.image_shape_ or (self.n_features_in_,)))
        chunk = max(64, min(max(2 * n, 256), (256 * 1024**2) // per_image))
        accepted, n_acc, n_drawn = [], 0, 0
        best_rejects = best_scores = None
        max_draws = self.max_draw_factor * n
        while n_acc < n and n_drawn < max_draws:
            f, x = draw(chunk)
            n_drawn += chunk
            if not self.filter_synthetic:
                accepted.append(x.cpu())
                n_acc += chunk
                continue
            p_img = F.softmax(self.image_classifier_(x), dim=1)
            ok = (self.latent_classifier_(f).argmax(1) == k) & (p_img.argmax(1) == k)
            accepted.append(x[ok].cpu())
            n_acc += int(ok.sum())
            if best_rejects is None:
                best_rejects, best_scores = x[~ok].cpu(), p_img[~ok, k].cpu()
            else:
                best_rejects = torch.cat([best_rejects, x[~ok].cpu()])
                best_scores = torch.cat([best_scores, p_img[~ok, k].cpu()])
            keep = torch.argsort(best_scores, descending=True, stable=True)[:n]
            best_rejects, best_scores = best_rejects[keep], best_scores[keep]
        self.acceptance_[self.classes_[k]] = min(n_acc, n_drawn) / max(n_drawn, 1)
        out = torch.cat(accepted)[:n]
        if out.shape[0] < n:
            missing = n - out.shape[0]
            warnings.warn(
                f"Only {out.shape[0]} of {n} samples of class "
                f"{self.classes_[k].item()!r} "
                f"passed both classifiers in {n_drawn} draws; the other {missing} "
                "are the rejected draws the image classifier rated most likely of "
                "the class. Train longer or set filter_synthetic=False.",
                UserWarning,
                stacklevel=4,
            )
            out = torch.cat([out, best_rejects[:missing]])
        return out.numpy()
