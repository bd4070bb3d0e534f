"""Loss curves from a sampler's ``history_``."""

from __future__ import annotations

import numbers

import numpy as np

from ._common import _pyplot

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
