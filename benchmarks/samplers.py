"""The samplers of the benchmark rows, by name.

``none`` (no resampling), ``ros``, ``smote``, ``adasyn``, ``borderline``
(imbalanced-learn, ``random_state=seed``), ``ros-augment`` (random
over-sampling with copies shifted by up to 2 px and, on Fashion-MNIST and
CIFAR-10, mirrored left-right half of the time), ``cvae``, ``deepsmote``,
``deepsmote-residual`` (``synthesis="residual"``: DeepSMOTE with MEDA_LUDE's
default synthesis, a real image plus the decoder's change), ``meda``
(imblearn_meda's defaults), ``meda-guidance`` (``majority_guidance=0.5``:
majority-guided variation on, off by default), ``meda-phase4``
(``n_generations=5``: the paper's evolution of the latent distribution, off
by default), ``meda-phase4-guidance`` (Phase 4 on top of guidance: it
evolves each class's guidance share), ``meda-gpu-guidance`` (the GPU
training budget with guidance), ``meda-guidance1``
(``majority_guidance=1``), ``meda-guidance-scale075`` (guidance with
``displacement_scale=0.75``), ``meda-interp``
(``neighbour_interpolation=0.5``: codes moved toward a neighbouring anchor of
the class, off by default), ``meda-lgm``
(``mixture="refit"``: the L-GM loss on, off by default), ``meda-phase23``
(``phase2_epochs=phase3_epochs="auto"``: the paper's Phases 2 and 3, off by
default), ``meda-decode`` (``synthesis="decode"``:
every new image decoded from a draw of the class's Gaussian, the paper's
literal synthesis), ``meda-full`` and ``meda-decode-full``
(``covariance="full"``: draws correlated as the class's codes are),
``meda-gpu`` and ``meda-decode-full-gpu`` (the GPU training budget,
``pretrain_updates=20000, max_samples_per_class=None``, guidance off) and its halves
``meda-all-images`` (``max_samples_per_class=None``) and ``meda-20k``
(``pretrain_updates=20000``), ``meda-all-6k`` (every image, 6000 updates:
between the default and the GPU budget), ``balanced``
(the ceiling: extra REAL images from the unused rest of the training pool, every
class at the majority count, :func:`benchmarks.protocol.draw_balanced`), and
``module:Class`` for any other imbalanced-learn compatible sampler (given
``random_state``, ``device``, ``verbose`` and ``image_shape`` where its
constructor takes them). Their settings are ``SAMPLER_PARAMS`` of
:mod:`benchmarks.config`.
"""

from __future__ import annotations

import importlib
import inspect

from benchmarks.config import FLIP_INVARIANT, MIRRORING, SAMPLER_PARAMS, SAMPLERS


def import_object(spec):
    """The object named by ``"package.module:Name"`` (``Name`` may be dotted).

    Raises
    ------
    ValueError
        When ``spec`` has no ``module:`` part.
    """
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"expected 'module:Class', got {spec!r}")
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def sampler_params(name, quick, overrides=None, dataset=None):
    """Constructor parameters of sampler ``name`` for this run.

    Parameters
    ----------
    name : str
        A key of ``SAMPLER_PARAMS`` (others get none) or ``module:Class``.
    quick : bool
        Take the ``"quick"`` entry instead of ``"full"``.
    overrides : dict or None
        ``{name: {param: value}}``, applied last.
    dataset : str or None
        Rows in ``MIRRORING`` that shift their new images mirror them too on
        ``FLIP_INVARIANT`` data sets.

    Returns
    -------
    dict
    """
    params = dict(SAMPLER_PARAMS.get(name, {}).get("quick" if quick else "full", {}))
    params.update((overrides or {}).get(name, {}))
    if name in MIRRORING and params.get("max_shift", "auto") != 0:
        # Rows that shift their new images also mirror them, where mirroring
        # keeps the label, as the augmentation row does.
        params.setdefault("flip", dataset in FLIP_INVARIANT)
    return params


def build_sampler(name, seed, params, device, verbose, image_shape):
    """Instantiate a named or ``module:Class`` sampler.

    ``random_state``, ``device``, ``verbose`` and ``image_shape`` are passed
    when the constructor takes them and ``params`` does not set them.

    Parameters
    ----------
    name : str
        A key of ``SAMPLERS`` or ``module:Class``.
    seed : int
    params : dict
        From :func:`sampler_params`.
    device : str
    verbose : int
    image_shape : tuple of int
        ``(C, H, W)``.

    Returns
    -------
    object
        The unfitted sampler.
    """
    spec = SAMPLERS.get(name, name)
    cls = import_object(spec)
    try:
        accepted = set(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        accepted = set()
    kwargs = dict(params)
    extra = {"random_state": seed, "device": device, "verbose": verbose,
             "image_shape": tuple(image_shape)}
    for key, value in extra.items():
        if key in accepted:
            kwargs.setdefault(key, value)
    return cls(**kwargs)


#: Neighbour parameter of the SMOTE family and its imbalanced-learn default.
_NEIGHBOURS = {"smote": ("k_neighbors", 5), "borderline": ("k_neighbors", 5),
               "adasyn": ("n_neighbors", 5)}


def fit_neighbours(name, params, counts):
    """Lower SMOTE's / ADASYN's neighbour count when a class is too small for it.

    They need ``k + 1`` samples in every class they over-sample; with fewer the
    row would fail, so ``k`` becomes ``smallest count - 1`` and the row says so.

    Parameters
    ----------
    name : str
    params : dict
    counts : dict
        ``{class: training count}``.

    Returns
    -------
    params : dict
        ``params``, with the neighbour count lowered where needed.
    note : str or None
        What was lowered, for the row's ``note``.
    """
    if name not in _NEIGHBOURS:
        return params, None
    key, default = _NEIGHBOURS[name]
    k = params.get(key, default)
    smallest = min(n for n in counts.values() if n > 0)
    if not isinstance(k, int) or smallest > k or smallest < 2:
        return params, None
    return {**params, key: smallest - 1}, (
        f"{key} lowered from {k} to {smallest - 1}: the smallest class has {smallest} images"
    )
