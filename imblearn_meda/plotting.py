"""Figures for over-sampled image data: sample grids, t-SNE maps, loss curves.

matplotlib is an optional dependency: it is imported inside each function, so
importing this module costs nothing and works without it. Every function
returns the :class:`matplotlib.figure.Figure` it drew on; when an ``ax`` is
given, that is ``ax.figure``.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["plot_sample_grid", "plot_tsne", "plot_loss_history"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "imblearn_meda.plotting needs matplotlib: pip install matplotlib"
        ) from exc
    return plt


def _as_nchw(X, image_shape=None):
    """Return images as an ``(n, C, H, W)`` float array.

    Accepts ``(n, C*H*W)`` with ``image_shape``, ``(n, H, W)``, ``(n, C, H, W)``
    and channel-last ``(n, H, W, C)`` with ``C`` in {1, 3, 4} when the second
    axis is not itself a plausible channel count.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        if image_shape is None:
            side = int(round(np.sqrt(X.shape[1])))
            if side * side != X.shape[1]:
                raise ValueError(
                    f"cannot guess the image shape of {X.shape[1]} features; "
                    "pass image_shape=(C, H, W)"
                )
            image_shape = (1, side, side)
        shape = tuple(int(s) for s in image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        return X.reshape((X.shape[0], *shape))
    if X.ndim == 3:
        return X[:, None, :, :]
    if X.ndim == 4:
        if X.shape[1] not in (1, 3, 4) and X.shape[3] in (1, 3, 4):
            X = X.transpose(0, 3, 1, 2)
        return X
    raise ValueError(f"X must be 2-, 3- or 4-dimensional, got shape {X.shape}")


def _tile(img):
    """One ``(C, H, W)`` image in [0, 1] -> what ``imshow`` takes."""
    if img.shape[0] == 1:
        return img[0]
    return img[:3].transpose(1, 2, 0)


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


def _name(cls, class_names):
    if class_names is None:
        return cls.item() if isinstance(cls, np.generic) else cls
    try:
        return class_names[cls]
    except (KeyError, IndexError, TypeError):
        return cls


def plot_tsne(
    X_real,
    y_real,
    X_syn,
    y_syn,
    classes=None,
    class_names=None,
    max_per_class=200,
    perplexity=30.0,
    pca_components=50,
    random_state=0,
    ax=None,
    title=None,
):
    """t-SNE map of real and synthetic samples, like Fig. 6 of the paper.

    Real samples are drawn as dots and synthetic ones as crosses, one colour
    per class; both sets are embedded together, so their overlap is what the
    map shows.

    Parameters
    ----------
    X_real, X_syn : array-like of shape (n, ...)
        Real and synthetic samples (images are flattened).
    y_real, y_syn : array-like of shape (n,)
    classes : sequence, optional
        Classes to show. Default: the classes of ``y_syn`` (the over-sampled,
        minority classes), or of ``y_real`` when there are no synthetic samples.
    class_names : dict or sequence, optional
        Legend labels, ``class_names[c]``.
    max_per_class : int, default=200
        At most this many real and this many synthetic samples per class are
        embedded (a random choice drawn with ``random_state``), which keeps
        t-SNE fast.
    perplexity : float, default=30
        Lowered to ``(n - 1) / 3`` when there are few points.
    pca_components : int or None, default=50
        The samples are first projected on this many principal components (the
        usual speed-up of t-SNE); ``None`` skips it.
    random_state : int, default=0
        Seed of the subsampling, the PCA and t-SNE.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    fig : matplotlib Figure
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    plt = _pyplot()
    Xr = np.asarray(X_real, dtype=np.float64).reshape(len(X_real), -1)
    Xs = np.asarray(X_syn, dtype=np.float64).reshape(len(X_syn), -1)
    yr, ys = np.asarray(y_real), np.asarray(y_syn)
    if len(Xr) != len(yr) or len(Xs) != len(ys):
        raise ValueError("X_real/y_real and X_syn/y_syn must have matching lengths")
    if len(Xs) and len(Xr) and Xs.shape[1] != Xr.shape[1]:
        raise ValueError(
            f"real samples have {Xr.shape[1]} features, synthetic ones {Xs.shape[1]}"
        )
    if classes is None:
        classes = np.unique(ys) if len(ys) else np.unique(yr)
    classes = list(classes)
    rng = np.random.RandomState(random_state)

    def pick(y):
        keep = []
        for cls in classes:
            members = np.flatnonzero(y == cls)
            if len(members) > max_per_class:
                members = rng.choice(members, max_per_class, replace=False)
            keep.append(np.sort(members))
        return np.concatenate(keep).astype(int) if keep else np.empty(0, dtype=int)

    ir, is_ = pick(yr), pick(ys)
    X = np.vstack([Xr[ir], Xs[is_]]) if len(is_) else Xr[ir]
    labels = np.concatenate([yr[ir], ys[is_]])
    synthetic = np.r_[np.zeros(len(ir), bool), np.ones(len(is_), bool)]
    if len(X) < 3:
        raise ValueError(f"t-SNE needs at least 3 samples, got {len(X)}")

    if pca_components is not None and X.shape[1] > pca_components:
        n_comp = min(int(pca_components), len(X))
        X = PCA(n_components=n_comp, random_state=random_state).fit_transform(X)
    perp = float(min(perplexity, max((len(X) - 1) / 3.0, 1.0)))
    emb = TSNE(
        n_components=2, perplexity=perp, init="pca", random_state=random_state
    ).fit_transform(X)

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 5.0), layout="constrained")
    else:
        fig = ax.figure
    cmap = plt.get_cmap("tab10" if len(classes) <= 10 else "tab20")
    for k, cls in enumerate(classes):
        colour = cmap(k % cmap.N)
        name = _name(cls, class_names)
        real = (labels == cls) & ~synthetic
        syn = (labels == cls) & synthetic
        ax.scatter(emb[real, 0], emb[real, 1], s=10, marker="o", color=colour,
                   alpha=0.6, label=f"{name} real")
        if syn.any():
            ax.scatter(emb[syn, 0], emb[syn, 1], s=18, marker="x", color=colour,
                       linewidths=0.9, label=f"{name} synthetic")
    ax.set_xticks([])
    ax.set_yticks([])
    # Outside the map, to the right: inside it hides points.
    ax.legend(fontsize="x-small", markerscale=1.2, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False,
              ncol=1 if len(classes) <= 8 else 2)
    if title:
        ax.set_title(title)
    return fig


#: Bookkeeping keys of a history entry that are not plotted as curves.
HISTORY_SKIP_KEYS = (
    "phase", "epoch", "iteration", "generation", "class", "class_index", "stopped",
)


#: Keys that split one phase's entries into parallel runs (Phase 4 evolves
#: each class separately); their curves are averaged over the groups.
HISTORY_GROUP_KEYS = ("class_index", "class")


def plot_loss_history(history, keys=None, skip=HISTORY_SKIP_KEYS,
                      group_keys=HISTORY_GROUP_KEYS, logy="auto", title=None):
    """Loss curves from a sampler's ``history_``: one subplot per phase.

    Parameters
    ----------
    history : list of dict
        One dict per epoch (or generation), e.g. ``{"phase": "phase1", "epoch": 3,
        "loss": 0.5, "rec": 0.1, "gm": 0.2}``. Entries without a ``"phase"``
        are grouped in one subplot.
    keys : sequence of str, optional
        Curves to draw. Default: every key with a real (non-bool) number in
        some entry of the phase, except ``skip``.
    skip : sequence of str
        Keys never drawn as curves (by default the bookkeeping keys
        ``phase, epoch, iteration, generation, class, class_index, stopped``).
    group_keys : sequence of str
        When a phase's entries carry one of these keys (MEDA_LUDE's Phase 4
        logs one entry per class and generation), each curve is the mean over
        the groups at each ``(iteration, epoch)``.
    logy : "auto" or bool, default="auto"
        Logarithmic y axis. ``"auto"``: a symmetric-log axis for a phase whose
        curves differ in size by more than a factor 100 (counts next to
        fractions), linear otherwise.
    title : str, optional
        Figure title.

    Returns
    -------
    fig : matplotlib Figure
        One axes per phase, in increasing phase order, one line per key. The x
        axis is the ``epoch`` value when it increases strictly through the
        phase, otherwise the entry's position in the phase (epochs that restart
        at each outer iteration are laid end to end).
    """
    plt = _pyplot()
    history = list(history)
    if not history:
        raise ValueError("history is empty")
    phases = []
    for entry in history:
        p = entry.get("phase")
        if p not in phases:
            phases.append(p)
    try:
        phases.sort()
    except TypeError:  # None mixed with numbers
        pass

    fig, axes = plt.subplots(
        1, len(phases), figsize=(4.0 * len(phases), 3.2), squeeze=False
    )
    for ax, phase in zip(axes[0], phases):
        entries = [e for e in history if e.get("phase") == phase]
        names = list(keys) if keys is not None else _numeric_keys(entries, skip)
        group = next((g for g in group_keys if any(g in e for e in entries)), None)
        if group is not None:
            entries = _mean_over_groups(entries, names)
        step_key = "generation" if any("generation" in e for e in entries) else "epoch"
        epochs = [e.get(step_key) for e in entries]
        use_epoch = all(_is_number(v) for v in epochs) and all(
            b > a for a, b in zip(epochs, epochs[1:])
        )
        x = np.asarray(epochs, float) if use_epoch else np.arange(1, len(entries) + 1)
        sizes = []
        for name in names:
            vals = np.array(
                [float(e[name]) if _is_number(e.get(name)) else np.nan for e in entries]
            )
            if np.all(np.isnan(vals)):
                continue
            ax.plot(x, vals, marker="." if len(x) < 30 else None, label=name)
            sizes.append(np.nanmax(np.abs(vals)))
        ax.set_title("all" if phase is None else str(phase))
        xlabel = step_key if use_epoch else "step"
        ax.set_xlabel(xlabel + (f" (mean over {group})" if group else ""))
        positive = [v for v in sizes if v > 0]
        if logy is True:
            ax.set_yscale("log")
        elif logy == "auto" and positive and max(positive) > 100 * min(positive):
            ax.set_yscale("symlog", linthresh=min(positive))
        if ax.lines:
            ax.legend(fontsize="x-small", frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _mean_over_groups(entries, names):
    """Average ``names`` over entries sharing ``(iteration, epoch)`` (or
    ``generation``), in order."""
    step_key = "generation" if any("generation" in e for e in entries) else "epoch"
    order, buckets = [], {}
    for e in entries:
        key = (e.get("iteration"), e.get(step_key))
        if key not in buckets:
            order.append(key)
            buckets[key] = []
        buckets[key].append(e)
    merged = []
    for key in order:
        row = {"iteration": key[0], step_key: key[1]}
        for name in names:
            vals = [float(e[name]) for e in buckets[key] if _is_number(e.get(name))]
            if vals:
                row[name] = float(np.mean(vals))
        merged.append(row)
    return merged


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _numeric_keys(entries, skip):
    names = []
    for e in entries:
        for k, v in e.items():
            if k not in skip and k not in names and _is_number(v):
                names.append(k)
    return names
