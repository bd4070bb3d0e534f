"""Grids of images: real and synthetic samples per class."""

from __future__ import annotations

import numbers

import numpy as np

from ._common import _as_nchw, _name, _pyplot, _tile


def plot_sample_grid(
    X,
    y,
    image_shape=None,
    n_per_class=8,
    classes=None,
    class_names=None,
    ax=None,
    title=None,
    random_state=None,
    pad=1,
):
    """Show up to ``n_per_class`` images of each class, one row per class.

    The images are packed into one mosaic drawn with a single ``imshow``, so
    the figure has one axes and one image whatever the number of classes.

    Parameters
    ----------
    X : array-like of shape (n, C*H*W), (n, H, W) or (n, C, H, W)
        Images on any pixel scale; one range ``[min(X), max(X)]`` is mapped to
        ``[0, 1]`` for display, so relative intensities between images stay
        comparable. ``C`` is 1 (grey) or 3 (RGB).
    y : array-like of shape (n,)
        Labels.
    image_shape : tuple (C, H, W) or (H, W), optional
        Needed for flattened ``X`` that is not a square grey image.
    n_per_class : int, default=8
        Columns of the grid. A class with fewer images leaves blank cells.
    classes : sequence, optional
        Classes to show, in row order. Default: the sorted distinct labels.
    class_names : dict or sequence, optional
        Row labels: ``class_names[c]``. Default: the class values.
    ax : matplotlib Axes, optional
        Axes to draw into; a new figure is made otherwise.
    title : str, optional
    random_state : int, RandomState or None, default=None
        ``None`` shows the first images of each class; otherwise a random
        choice drawn with this seed.
    pad : int, default=1
        Blank pixels between cells.

    Returns
    -------
    fig : matplotlib Figure
    """
    plt = _pyplot()
    imgs = _as_nchw(X, image_shape)
    y = np.asarray(y)
    if len(y) != len(imgs):
        raise ValueError(f"X holds {len(imgs)} images but y has {len(y)} labels")
    if not isinstance(n_per_class, numbers.Integral) or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}")
    classes = list(np.unique(y)) if classes is None else list(classes)
    if len(imgs):
        lo, hi = float(np.min(imgs)), float(np.max(imgs))
        imgs = (imgs - lo) / (hi - lo) if hi > lo else np.zeros_like(imgs)
    if random_state is None:
        rng = None
    else:
        from sklearn.utils import check_random_state

        rng = check_random_state(random_state)

    c, h, w = imgs.shape[1:] if len(imgs) else (1, 1, 1)
    n_rows = max(len(classes), 1)
    cell_h, cell_w = h + pad, w + pad
    mosaic = np.ones((n_rows * cell_h - pad, n_per_class * cell_w - pad, c))
    for r, cls in enumerate(classes):
        members = np.flatnonzero(y == cls)
        if rng is not None and len(members) > n_per_class:
            members = np.sort(rng.choice(members, n_per_class, replace=False))
        for col, i in enumerate(members[:n_per_class]):
            top, left = r * cell_h, col * cell_w
            mosaic[top : top + h, left : left + w] = imgs[i].transpose(1, 2, 0)

    if ax is None:
        fig, ax = plt.subplots(
            figsize=(max(2.0, 0.6 * n_per_class + 0.8), max(1.5, 0.6 * n_rows + 0.5))
        )
    else:
        fig = ax.figure
    if c == 1:
        ax.imshow(mosaic[:, :, 0], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(np.clip(mosaic[:, :, :3], 0.0, 1.0), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([r * cell_h + h / 2 - 0.5 for r in range(len(classes))])
    ax.set_yticklabels([str(_name(cls, class_names)) for cls in classes])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return fig


def plot_class_samples(sampler, X, y, classes=None, n_per_class=6, class_names=None,
                       random_state=0, title=None):
    """Per class, side by side: real samples, their reconstructions, decoded
    draws of the class's Gaussian (correlated where the sampler was fitted
    with ``covariance='full'``), and the samples the sampler emits.

    Parameters
    ----------
    sampler : fitted MEDALUDESampler (or a sampler with ``encoder_``,
        ``decoder_``, ``means_`` and ``variances_`` over image data)
    X, y : array-like
        Real images (any layout the sampler takes) and labels, e.g. the
        training data.
    classes : sequence, optional
        Classes to show (rows). Default: the classes the sampler
        over-samples, else every class.
    n_per_class : int, default=6
        Images per group and class.
    class_names : dict or sequence, optional
        Row labels.
    random_state : int, default=0
        Which real samples are shown, and the draws.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import torch

    plt = _pyplot()
    shape = getattr(sampler, "image_shape_", None)
    if shape is None:
        raise ValueError("plot_class_samples needs a sampler fitted on images.")
    X = np.asarray(X)
    X = X.reshape(X.shape[0], -1)
    y = np.asarray(y)
    if classes is None:
        over = [c for c, n in getattr(sampler, "sampling_strategy_", {}).items() if n > 0]
        classes = sorted(over) if over else list(sampler.classes_)
    rng = np.random.RandomState(random_state)
    device = sampler.device_
    groups = ("real", "reconstructed", "decoded draws", "emitted")
    rows = []
    with torch.no_grad():
        for c in classes:
            k = int(np.searchsorted(sampler.classes_, c))
            members = np.flatnonzero(y == c)
            pick = rng.choice(members, min(n_per_class, len(members)), replace=False)
            real = sampler._scaler.to_net(X[pick]).reshape((-1, *shape))
            xr = torch.as_tensor(real, device=device)
            recon = sampler.decoder_(sampler.encoder_(xr)).cpu().numpy()
            g = torch.Generator().manual_seed(int(random_state) + k)
            eps = torch.randn(n_per_class, sampler.means_.shape[1], generator=g)
            trils = getattr(sampler, "correlation_factors_", None)
            if trils is not None:  # covariance='full'
                eps = eps @ torch.as_tensor(trils[k], dtype=torch.float32).T
            f = torch.as_tensor(sampler.means_[k], dtype=torch.float32) + eps * \
                torch.as_tensor(np.sqrt(sampler.variances_[k]), dtype=torch.float32)
            decoded = sampler.decoder_(f.to(device)).cpu().numpy()
            emitted, _ = sampler.sample({c: n_per_class}, random_state=random_state)
            emitted = sampler._scaler.to_net(np.asarray(emitted).reshape(n_per_class, -1))
            rows.append([real, recon, decoded, emitted.reshape((-1, *shape))])
    n_cols = len(groups) * n_per_class
    fig, axes = plt.subplots(len(classes), n_cols, squeeze=False,
                             figsize=(0.55 * n_cols + 1.2, 0.6 * len(classes) + 0.6))
    for r, (c, images) in enumerate(zip(classes, rows)):
        for gi, group in enumerate(images):
            for j in range(n_per_class):
                ax = axes[r, gi * n_per_class + j]
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_visible(False)
                if j < len(group):
                    ax.imshow(_tile(np.clip(group[j], 0, 1)), cmap="gray", vmin=0, vmax=1)
                if r == 0 and j == 0:
                    ax.set_title(groups[gi], fontsize="small", loc="left")
        axes[r, 0].set_ylabel(str(_name(c, class_names)), rotation=0, ha="right",
                              va="center", fontsize="small")
    if title:
        fig.suptitle(title)
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig
