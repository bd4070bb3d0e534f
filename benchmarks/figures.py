"""Figures of the benchmark: per row, per seed, and every CNN of a run.

Per seed, ``<dataset>-seed<s>-real-samples.png`` (real minority training
images); per row, ``<dataset>-seed<s>-<sampler>-samples.png`` (synthetic
minority images of a sampler that appends them after its input),
``-tsne.png`` (real against synthetic minority samples, generative samplers
only) and ``-losses.png`` (samplers with a ``history_``); per run,
``cnn-f1.png``: the macro F1 of every CNN of every row. The per-row figures
are drawn by :mod:`imblearn_meda.plotting`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from benchmarks.config import GENERATIVE
from benchmarks.tables import pool_classifier_runs


def _pyplot():
    # Agg before pyplot is first imported: the runner works without a display.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path):
    """Save ``fig`` as a PNG at ``path`` (its folder made when missing), close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or Path

    Returns
    -------
    path : Path
    """
    plt = _pyplot()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def save_figures(fig_dir, source, split, seed, name, sampler, X_syn, y_syn):
    """Sample grid, t-SNE (generative samplers), per-class panels of real,
    reconstructed, decoded and emitted images (samplers with a decoder) and
    loss curves of one row.

    Parameters
    ----------
    fig_dir : str or Path
        Folder of the PNG files.
    source : benchmarks.protocol.Source
    split : benchmarks.protocol.Split
    seed : int
    name : str
        The sampler's name, part of the file names.
    sampler : object or None
        The fitted sampler; its ``history_``, where it has one, is drawn.
    X_syn, y_syn : ndarray or None
        The synthetic samples, None where they cannot be told apart.

    Returns
    -------
    saved : list of Path
    """
    _pyplot()
    from imblearn_meda import plotting

    stem = f"{source.name}-seed{seed}-{name.replace(':', '_').replace('/', '_')}"
    saved = []

    def save(fig, suffix):
        saved.append(save_figure(fig, Path(fig_dir) / f"{stem}-{suffix}.png"))

    minority = [c for c in split.minority_classes]
    if X_syn is not None and len(X_syn):
        shown = [c for c in minority if np.any(y_syn == c)] or None
        save(plotting.plot_sample_grid(
            X_syn, y_syn, classes=shown, class_names=source.class_names,
            random_state=seed, title=f"{name}: synthetic samples (seed {seed})",
        ), "samples")
        if name in GENERATIVE:
            real = np.isin(split.y_train, np.unique(y_syn))
            save(plotting.plot_tsne(
                split.X_train[real], split.y_train[real], X_syn, y_syn,
                class_names=source.class_names, random_state=seed,
                title=f"{name}: real (o) vs synthetic (x), seed {seed}",
            ), "tsne")
    if getattr(sampler, "decoder_", None) is not None and \
            getattr(sampler, "image_shape_", None) is not None:
        # Real images, their reconstructions, decoded draws and what is emitted, per class.
        save(plotting.plot_class_samples(
            sampler, split.X_train, split.y_train, classes=minority,
            class_names=source.class_names, random_state=seed,
            title=f"{name}: real, reconstructed, decoded, emitted (seed {seed})",
        ), "classes")
    history = getattr(sampler, "history_", None)
    if history:
        save(plotting.plot_loss_history(history, title=f"{name} training (seed {seed})"),
             "losses")
    return saved


def plot_cnn_spread(rows):
    """Macro F1 of every CNN of every row, one panel per data set and seed.

    Each sampler's CNNs are dots (rows that add CNNs to another are pooled
    first), the mean is a bar across them: a picture of how far the CNN's own
    seed moves a row next to the gaps between rows.

    Parameters
    ----------
    rows : list of dict
        Rows as the runner writes them; ``f1_per_classifier``, else ``f1``.

    Returns
    -------
    fig : matplotlib.figure.Figure or None
        None when no row has an F1.
    """
    plt = _pyplot()
    panels, order = {}, {}
    for row in pool_classifier_runs(rows):
        f1s = [f for f in row.get("f1_per_classifier", [row.get("f1")]) if f is not None]
        if f1s:
            key = (row.get("dataset"), row.get("profile"), row.get("quick"), row.get("seed"))
            panels.setdefault(key, []).append((row.get("sampler"), f1s))
            order.setdefault(row.get("sampler"), len(order))
    if not panels:
        return None
    for entries in panels.values():  # the same sampler order and colour in every panel
        entries.sort(key=lambda entry: order[entry[0]])
    colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    # One line per sampler, read top-down: the names stay legible however many rows there are.
    longest = max(len(v) for v in panels.values())
    fig, axes = plt.subplots(1, len(panels), figsize=(6.0 * len(panels), 1.2 + 0.3 * longest),
                             squeeze=False, sharex=True)
    by_seed = sorted(panels.items(), key=lambda kv: (
        str(kv[0][0]), str(kv[0][1]), bool(kv[0][2]),
        kv[0][3] if isinstance(kv[0][3], int) else 0))
    for ax, ((dataset, profile, quick, seed), entries) in zip(axes[0], by_seed):
        for i, (name, f1s) in enumerate(entries):
            jitter = np.linspace(-0.15, 0.15, len(f1s)) if len(f1s) > 1 else [0.0]
            ax.scatter(f1s, i + np.asarray(jitter), s=14, alpha=0.8,
                       color=colours[order[name] % len(colours)])
            ax.vlines(float(np.mean(f1s)), i - 0.3, i + 0.3, color="black", lw=1.5)
        ax.set_yticks(range(len(entries)), [name for name, _ in entries], fontsize=8)
        ax.set_ylim(len(entries) - 0.5, -0.5)
        ax.set_title(f"{dataset}, seed {seed}" + (", quick" if quick else ""), fontsize=9)
        ax.set_xlabel("macro F1 of each CNN (%); bar: mean")
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def save_cnn_spread(fig_dir, rows):
    """Save :func:`plot_cnn_spread` as ``cnn-f1.png`` in ``fig_dir``.

    Returns
    -------
    path : Path or None
        None when no row has an F1 (nothing is written).
    """
    fig = plot_cnn_spread(rows)
    if fig is None:
        return None
    return save_figure(fig, Path(fig_dir) / "cnn-f1.png")


def save_real_grid(fig_dir, source, split, seed):
    """Grid of the real minority training images, for comparison.

    Returns
    -------
    path : Path
    """
    _pyplot()
    from imblearn_meda import plotting

    keep = np.isin(split.y_train, split.minority_classes)
    fig = plotting.plot_sample_grid(
        split.X_train[keep], split.y_train[keep], classes=split.minority_classes,
        class_names=source.class_names, random_state=seed,
        title=f"real minority training images (seed {seed})",
    )
    return save_figure(fig, Path(fig_dir) / f"{source.name}-seed{seed}-real-samples.png")
