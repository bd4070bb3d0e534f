"""MEDALUDESampler: the whole MEDA_LUDE method as an imbalanced-learn over-sampler."""

from __future__ import annotations

from ..base import BaseDeepOverSampler
from ..utils._docstring import shared_docs
from . import _config
from ._fit import FitSteps
from ._synthesis import Synthesis


@shared_docs
class MEDALUDESampler(FitSteps, Synthesis, BaseDeepOverSampler):
    """Over-sample image classes with MEDA_LUDE.

    An autoencoder whose latent features are shaped into one Gaussian per
    class by the large-margin Gaussian mixture (L-GM) loss is trained in
    three phases; an estimation-of-distribution algorithm (Phase 4) then
    evolves each class's Gaussian for quality (both classifiers accept the
    decoded image) and diversity (low average-hash similarity to real
    images) (Zhao et al., 2022). ``fit_resample`` runs the paper's
    Algorithm 1: Phase 1, ``n_iterations`` times Phases 2, 3 and 4 (each
    off by default: ``phase2_epochs``, ``phase3_epochs``, ``n_generations``
    0), synthesis. By default a new sample is a real sample of its class
    plus the change the decoder makes when its latent code moves by a draw
    of the class's Gaussian (``'residual'``); ``synthesis='decode'`` decodes
    the draw itself, as the paper does.

    Every choice the paper leaves open is a parameter below; where a default
    departs from the paper, the user guide says why, with what was measured.

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

    base_channels : int, default=32
        Channels of the encoder's first convolution (doubling per halving of
        the side, at most 256; not given by the paper); the decoder mirrors it.

    batch_norm : bool, default=False
        Batch normalisation after each convolution of encoder and decoder.

    lgm_alpha : float, default=0.1
        L-GM margin ``alpha`` (the L-GM authors' demo value).

    lgm_lambda : float, default=0.001
        L-GM likelihood weight ``lambda`` (the L-GM authors: 0.01-0.1, which
        pulls every feature onto its class mean).

    log_var_bounds : tuple of float, default=(-6.0, 3.0)
        Bounds of ``log sigma2`` of the mixture, enforced on every use, after
        every update and in Phase 4 (displacements: ``+ 2 log displacement_scale``).

    mixture : {'empirical', 'refit', 'lgm'}, default='empirical'
        Where the Gaussians that Phases 2-4 start from (``M_init``,
        ``S_init``) come from. ``'lgm'``: as the L-GM loss learned them in
        Phase 1, the paper's literal reading. ``'refit'``: Phase 1 as for
        ``'lgm'``, then each Gaussian set to the mean and variance of its
        class's encoded training samples (the learned variances of small
        classes lag behind their features). ``'empirical'``, the default:
        no L-GM loss (it did not pay), Gaussians set as for ``'refit'``.

    max_samples_per_class : int, None or 'auto', default='auto'
        Train on a class-balanced subsample: at most this many samples of
        each class (all of a smaller class), drawn with ``random_state``.
        It saves time where the majority classes are large; the paper trains
        on all samples (``None``). The anchors and the fitness still use the
        full data. ``'auto'``: 1000 on the CPU, ``None`` on a GPU.

    pretrain_epochs : int or 'auto', default='auto'
        Epochs of Phase 1 ("until converged" in the paper). ``'auto'``: about
        ``pretrain_updates`` updates, at least one epoch.

    pretrain_updates : int or 'auto', default='auto'
        The training budget: Phase 1's updates when ``pretrain_epochs`` is
        ``'auto'``. ``'auto'``: 2400 on the CPU (it fits a 2-core CPU's time),
        20000 on a GPU (a better autoencoder at little cost; see the user guide).

    phase1_image_loss : {'classifier', 'decoder'}, default='classifier'
        What Phase 1's image-classification loss on the reconstructions
        (``L_img1``) trains. ``'decoder'``, the paper's Algorithm 1: the
        decoder and ``C_img`` (the decoder then draws blurred prototypes).
        ``'classifier'``: ``C_img`` only.

    n_iterations : int, default=2
        Outer iterations ``T`` of Phases 2-4 (not given by the paper); 0 skips them.

    phase2_epochs, phase3_epochs : int or 'auto', default=0
        Epochs of Phase 2 / 3 per outer iteration. ``0``, the default,
        switches the phase off (they did not pay). ``'auto'`` (the paper's
        phases, ``PAPER_SETTINGS``): about 200 updates, between 2 and 30
        epochs; a Phase-3 epoch has as many updates as a Phase-1 epoch.

    phase2_target : {'input', 'partner'}, default='input'
        What Phase 2's reconstruction term (weight ``loss_weights['rec2']``)
        compares. ``'partner'``, the paper's: each decoded draw of the
        mixture against a random real image of its class (its optimum is a
        blurred prototype). ``'input'``: the decoding of the real batch's
        (frozen) codes against the batch.

    n_generations : int, default=0
        Generations of Phase 4's evolution per class and outer iteration.
        ``0``, the default, switches it off (it did not pay); the paper: 5.

    population_size : int, default=1000
        Size ``N`` of each generation's population ``FEAT4``.

    eta : float, default=0.5
        Fraction of ``X_quali`` of lowest similarity kept as ``X_diver`` (>= 2).

    gamma : float, default=0.5
        Weight of the quality set ``GM_2`` against the diversity set ``Spop``
        in the update of mean and variance; ``1`` ignores ``Spop``.

    selection : {'fitness', 'random'}, default='fitness'
        How Phase 4 ranks ``X_quali`` for ``X_diver``: by the fitness (the
        paper), or at random (the control for what the fitness adds).

    fitness_aggregate : {'max', 'mean'}, default='max'
        One synthetic image's fitness from its similarities to the real
        images: ``'max'`` (to the nearest; punishes near-copies) or ``'mean'``.

    n_fitness_real : int, default=500
        Real samples of a class drawn for the fitness (all when it has fewer),
        and kept per class as anchors of residual synthesis (``anchors_``).

    similarity : {'auto', 'ahash', 'euclidean'}, default='auto'
        ``'ahash'``: average-hash similarity (images); ``'euclidean'``: ``1 /
        (1 + distance)`` in standardised feature space. ``'auto'``: by the data.

    continue_evolution : bool, default=True
        Outer iteration ``t`` continues from the Gaussians ``t-1`` evolved.
        ``False``: each restarts from the Phase-1 mixture (Algorithm 1, l. 29).

    majority_guidance : float, default=0.0
        Majority-guided variation (not in the paper): the share ``w`` of
        each draw's variation that comes from a real majority sample's
        deviation from its class mean (standardised per dimension) instead
        of isotropic noise; Phase 4, when on, evolves it per class
        (``guidance_``). ``0``, the paper's and the default, is off.

    neighbour_interpolation : float, default=0.0
        ``synthesis='residual'`` only (not in the paper): each new sample's
        code also moves a random share, uniform up to this value, of the way
        from its anchor's code toward one of the 5 anchors of the class
        nearest in the latent space, so the decoder's change follows the
        class's own variation (SMOTE's step, taken in the latent space and
        rendered on the real anchor). ``0``, the paper's and the default, is
        off; with ``synthesis='decode'`` anything else is an error.

    xi : 'auto' or float, default='auto'
        Weight ``xi`` of the majority terms in Phases 1 and 2 (all the paper's
        ``xi_*``). ``'auto'``: mean minority over mean majority class size.

    loss_weights : dict or None, default=None
        Overrides of the beta weights (keys ``rec1, gm1, ltt1, img1, rec2,
        img2, gm3, ltt3``; the paper gives none). Defaults: 10 for the
        reconstructions of Phases 1 and 2 (a per-pixel squared error is small
        next to a cross-entropy), 1 for the rest.

    synthesis : {'residual', 'decode'}, default='residual'
        How a new sample is made. ``'decode'``, the paper's: decode a draw
        ``f`` of the class's evolved Gaussian ``N(M, S)``. ``'residual'``
        (not in the paper): pick a real sample ``x`` of the class (an anchor)
        with code ``e = E(x)``, draw a displacement ``d`` from the class's
        evolved displacement Gaussian and return ``D(e + d) + (x - D(e))``:
        the decoder supplies the change, the real image the detail the
        decoder cannot reproduce. Phase 4 evolves the displacement Gaussian on
        these very samples. Every anchor gives as many, give or take one.

    displacement_scale : float, default=0.5
        ``synthesis='residual'`` only (not in the paper): displacements have
        zero mean and the class's variance times ``displacement_scale ** 2``
        (Phase 4's start). The smaller, the closer new samples stay to anchors.

    covariance : {'diag', 'full'}, default='diag'
        Shape of every Gaussian drawn from. ``'diag'``, the paper's: independent
        dimensions. ``'full'``: the dimensions correlated as the class's codes
        are (Ledoit-Wolf shrinkage), so draws follow the class's own variation.

    filter_synthetic : bool, default=False
        Keep only the synthetic samples both classifiers assign to their
        class (the paper's; off by default: it did not pay). If
        ``max_draw_factor * n`` draws do not give enough, a warning is
        raised and the draws the image classifier rates most likely fill up.

    max_draw_factor : int, default=20
        Bound on the draws for ``n`` accepted samples: ``max_draw_factor *
        n`` (with ``synthesis='residual'``, per anchor, and as many again
        around anchors picked at random for what the anchors could not fill).

    max_shift : int or 'auto', default='auto'
        Shift each new image by a random whole number of pixels up to this
        along each axis, after the filter (a standard label-preserving
        augmentation, not in the paper). ``'auto'``: one pixel per 14 of the
        shorter side (28x28: 2).

    flip : bool, default=False
        Mirror half of the new images left-right after the filter. Only
        where a mirrored image keeps its label (clothes, most photos; not
        digits or text).

    {batch_size}

    learning_rate : float, default=1e-3
        Adam learning rate of the networks and the means.

    pretrain_schedule : {'constant', 'cosine'}, default='constant'
        Phase 1's learning rates kept, or lowered along half a cosine period
        to zero at its last update (``'cosine'``, not in the paper).

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
        Means of the per-class Gaussians: ``M_opti`` as Phase 4 evolved them
        with ``synthesis='decode'``; the mixture after Phases 2-3 with
        ``'residual'``, where Phase 4 evolves displacements instead.
    variances_ : ndarray of shape (n_classes, latent_dim)
        Their diagonal variances.
    init_means_, init_variances_ : ndarray
        The mixture after Phase 1 (``M_init``, ``S_init``).
    sampling_means_, sampling_variances_ : ndarray of shape (n_classes, latent_dim)
        The Gaussians synthesis draws from, as Phase 4 evolved them for the
        over-sampled classes: of the codes (``'decode'``, equal to
        ``means_`` and ``variances_``) or of the displacement from a real
        sample's code (``'residual'``).
    guidance_ : ndarray of shape (n_classes,)
        The evolved share of majority-guided variation per class.
    correlation_factors_ : ndarray of shape (n_classes, latent_dim, latent_dim) or None
        Cholesky factors of the classes' correlations (``covariance='full'``).
    guides_ : ndarray or None
        The standardised majority deviations that guidance draws from.
    n_train_ : int
        Samples the networks trained on (after ``max_samples_per_class``).
    anchors_ : dict of {class label: ndarray}
        Per class, at most ``n_fitness_real`` real samples that residual
        synthesis starts from (float32, images in [0, 1]; pickled too).
    minority_classes_ : ndarray
        The paper's minority group: the classes ``sampling_strategy_`` at
        least doubles. A class a fold tops up by a few samples is not in it.
    xi_ : float
        Weight of the majority terms used.
    encoder_, decoder_, latent_classifier_ : torch.nn.Module
        The trained networks.
    image_classifier_ : torch.nn.Module or None
        None where no part of the fit reads it (the defaults: no filter, no
        Phase 2 or 4): Phase 1 then skips it, which changes no other network.
    history_ : History
        One row per epoch of Phases 1-3 (``phase`` ``'phase1'`` to
        ``'phase3'``, ``iteration``, ``epoch`` and the mean losses) and per
        class and generation of Phase 4 (``phase`` ``'phase4'``,
        ``iteration``, ``class``, ``generation``, the sizes of ``GM_1`` and
        ``GM_2`` and the fitness).
    phase_seconds_ : dict
        Wall-clock seconds of each phase in fit (``'phase1'`` to ``'phase4'``).
    pretrain_epochs_, phase2_epochs_, phase3_epochs_ : int
        The epoch counts used (``'auto'`` resolved).
    pretrain_updates_, max_samples_per_class_ : int, int or None
        The training budget used (``'auto'`` resolved for the device).
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
    >>> sampler = MEDALUDESampler(pretrain_epochs=8, random_state=0)
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
        base_channels=32,
        batch_norm=False,
        lgm_alpha=0.1,
        lgm_lambda=0.001,
        log_var_bounds=(-6.0, 3.0),
        mixture="empirical",
        max_samples_per_class="auto",
        pretrain_epochs="auto",
        pretrain_updates="auto",
        phase1_image_loss="classifier",
        n_iterations=2,
        phase2_epochs=0,
        phase3_epochs=0,
        phase2_target="input",
        n_generations=0,
        population_size=1000,
        eta=0.5,
        gamma=0.5,
        selection="fitness",
        fitness_aggregate="max",
        n_fitness_real=500,
        similarity="auto",
        continue_evolution=True,
        majority_guidance=0.0,
        neighbour_interpolation=0.0,
        xi="auto",
        loss_weights=None,
        synthesis="residual",
        displacement_scale=0.5,
        covariance="diag",
        filter_synthetic=False,
        max_draw_factor=20,
        max_shift="auto",
        flip=False,
        batch_size=128,
        learning_rate=1e-3,
        pretrain_schedule="constant",
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
        self.base_channels = base_channels
        self.batch_norm = batch_norm
        self.lgm_alpha = lgm_alpha
        self.lgm_lambda = lgm_lambda
        self.log_var_bounds = log_var_bounds
        self.mixture = mixture
        self.max_samples_per_class = max_samples_per_class
        self.pretrain_epochs = pretrain_epochs
        self.pretrain_updates = pretrain_updates
        self.phase1_image_loss = phase1_image_loss
        self.n_iterations = n_iterations
        self.phase2_epochs = phase2_epochs
        self.phase3_epochs = phase3_epochs
        self.phase2_target = phase2_target
        self.n_generations = n_generations
        self.population_size = population_size
        self.eta = eta
        self.gamma = gamma
        self.selection = selection
        self.fitness_aggregate = fitness_aggregate
        self.n_fitness_real = n_fitness_real
        self.similarity = similarity
        self.continue_evolution = continue_evolution
        self.majority_guidance = majority_guidance
        self.neighbour_interpolation = neighbour_interpolation
        self.xi = xi
        self.loss_weights = loss_weights
        self.synthesis = synthesis
        self.displacement_scale = displacement_scale
        self.covariance = covariance
        self.filter_synthetic = filter_synthetic
        self.max_draw_factor = max_draw_factor
        self.max_shift = max_shift
        self.flip = flip
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.pretrain_schedule = pretrain_schedule
        self.variance_learning_rate = variance_learning_rate
        self.finetune_learning_rate = finetune_learning_rate
        self.device = device
        self.n_jobs = n_jobs
        self.verbose = verbose
