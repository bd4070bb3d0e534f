"""Parameter descriptions shared by the samplers' docstrings.

A docstring names a shared text by a placeholder on a line of its own, e.g.
``{random_state}``; :func:`shared_docs` replaces it. Other braces in the
docstring (``{'auto', 'cpu'}``) are left alone, unlike ``str.format``.
"""

from __future__ import annotations

import textwrap

_PARAMS = {
    "sampling_strategy": """\
sampling_strategy : float, str, dict or callable, default='auto'
    Number of new samples per class, with imbalanced-learn's over-sampling
    semantics: ``'auto'`` brings every class up to the size of the
    largest.""",
    "random_state": """\
random_state : int, RandomState instance or None, default=None
    Seed of the network initialisation, the batches and every draw.
    Fitting never changes the global torch, numpy or Python random state;
    the same seed gives the same output on the CPU.""",
    "image_shape": """\
image_shape : 'auto', None or tuple of int, default='auto'
    Shape ``(C, H, W)`` (or ``(H, W)``) of one image in the rows of a 2-D
    ``X``. ``'auto'`` reads a 3-D / 4-D ``X`` as images and a 2-D ``X``
    whose number of features is a square of at least 8x8 as grey square
    images; anything else is tabular (MLP networks). ``None`` makes a 2-D
    ``X`` tabular whatever its number of features.""",
    "batch_size": """\
batch_size : int, default=128
    Mini-batch size. On CUDA out-of-memory the fit is retried at half the
    size (the size used is ``batch_size_``).""",
    "device": """\
device : {'auto', 'cpu', 'cuda'}, 'cuda:N' or torch.device, default='auto'
    Where the networks train. ``'auto'``: CUDA when available, else the
    CPU.""",
    "n_jobs": """\
n_jobs : int or None, default=None
    CPU threads torch uses during ``fit``, ``fit_resample`` and ``sample``;
    torch's own setting is restored afterwards. ``None``: the physical
    cores this process may use, at most torch's default (inside a joblib
    worker, the worker's share). ``-1``: every logical core. On a machine
    shared with other busy processes, ``n_jobs=1`` is much faster than
    more threads competing for the same cores.""",
    "verbose": """\
verbose : int, default=0
    ``> 0`` shows a progress bar per training stage with the current
    losses.""",
    "fitted_input": """\
sampling_strategy_ : dict
    Number of new samples per class.
classes_ : ndarray
    Class labels seen in fit.
image_shape_ : tuple or None
    ``(C, H, W)`` used, or ``None`` for tabular data.""",
    "fitted_device": """\
device_ : torch.device
    Device the networks live on.
batch_size_ : int
    Batch size actually used.
n_features_in_ : int
    Number of features (``C * H * W`` for images).""",
}


def shared_docs(obj):
    """Replace ``{name}`` lines of ``obj``'s docstring by the shared texts,
    indented as the placeholder is."""
    doc = obj.__doc__
    if not doc:
        return obj
    lines = []
    for line in doc.splitlines():
        key = line.strip()
        if key.startswith("{") and key.endswith("}") and key[1:-1] in _PARAMS:
            indent = line[: len(line) - len(line.lstrip())]
            lines.append(textwrap.indent(_PARAMS[key[1:-1]], indent))
        else:
            lines.append(line)
    obj.__doc__ = "\n".join(lines)
    return obj
