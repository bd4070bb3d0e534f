"""t-SNE map of real against synthetic samples."""

from __future__ import annotations

import numpy as np

from ._common import _name, _pyplot


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
