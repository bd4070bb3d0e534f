"""Differences of benchmark rows summarised over splits (seeds).

One seed's Welch interval (:func:`benchmarks.report.welch_interval`) holds
the noise of the CNNs only. Over several splits, the per-seed differences
are themselves a sample of splits; :func:`across_seeds` gives their mean
with a paired t interval, which carries the split-to-split spread, and
counts the seeds ahead and those whose own Welch interval lies above or
below zero. ``benchmarks/report.py --across-seeds`` prints it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from benchmarks.report import _f1s, _seed_order, best_baseline, welch_interval


@dataclass
class AcrossSeeds:
    """A difference ``a - b`` summarised over the seeds that measured both.

    ``diffs`` holds each seed's difference of means; ``low``, ``high`` are the
    Student-t 95 % interval of their mean over seeds (None with one seed or no
    spread). ``above`` and ``below`` count the seeds whose own Welch interval
    lies above or below zero; ``ahead`` those with a positive difference.
    """

    a: str
    b: str
    seeds: list
    diffs: list
    low: float | None
    high: float | None
    ahead: int
    above: int
    below: int

    @property
    def mean(self):
        return float(np.mean(self.diffs))


def across_seeds(cnns, a, b, against=(), confidence=0.95):
    """``a`` minus ``b`` on every seed that measured both, and over the seeds.

    Parameters
    ----------
    cnns : dict
        As :func:`pool_cnns` returns it.
    a, b : str
        Samplers; ``b="best"`` is the best of ``against`` on each seed
        (:func:`best_baseline`).
    against : list of str
        Baselines for ``b="best"``.
    confidence : float
        Coverage of the interval over seeds.

    Returns
    -------
    dict of (dataset, profile, quick) -> AcrossSeeds
        Only groups where at least one seed measured both.

    Notes
    -----
    A seed is one split of the data; the interval over seeds treats the
    seeds' differences as a sample of splits (a paired t interval), so it
    carries the split-to-split spread that one seed's Welch interval, made of
    CNN noise only, does not.
    """
    from scipy import stats

    found = {}
    for key in cnns:
        if key[4] != a:
            continue
        group = key[:4]
        other = best_baseline(cnns, group, list(against)) if b == "best" else b
        if other is None or not cnns.get((*group, other)):
            continue
        fa, fb = _f1s(cnns, key), _f1s(cnns, (*group, other))
        found.setdefault(group[:3], []).append((group[3], welch_interval(fa, fb)))
    out = {}
    for group, items in found.items():
        items.sort(key=lambda item: _seed_order(item[0]))
        diffs = [w.diff for _, w in items]
        low = high = None
        if len(diffs) > 1 and np.std(diffs) > 0:
            low, high = (float(v) for v in stats.t.interval(
                confidence, len(diffs) - 1, loc=np.mean(diffs), scale=stats.sem(diffs)))
        out[group] = AcrossSeeds(
            a, b, [seed for seed, _ in items], diffs, low, high,
            ahead=sum(d > 0 for d in diffs),
            above=sum(w.low is not None and w.low > 0 for _, w in items),
            below=sum(w.high is not None and w.high < 0 for _, w in items))
    return out


def render_across_seeds(cnns, pairs, against=()):
    """Markdown table of :func:`across_seeds` for each pair, per data set."""
    tables = {}
    for a, b in pairs:
        for group, summary in across_seeds(cnns, a, b, against).items():
            tables.setdefault(group, []).append(summary)
    out = []
    for (dataset, profile, quick), rows in tables.items():
        title = f"**{dataset}**" + (f", profile `{profile}`" if profile is not None else "")
        out += [title + (", quick" if quick else "") + ", over seeds", "",
                "| difference | seeds | mean | t 95 % CI over seeds | ahead | "
                "Welch above zero | Welch below zero |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            b = "best baseline" if r.b == "best" else f"`{r.b}`"
            ci = "n/a" if r.low is None else f"{r.low:+.2f} to {r.high:+.2f}"
            out.append(f"| `{r.a}` - {b} | {len(r.seeds)} | {r.mean:+.2f} | {ci} | "
                       f"{r.ahead} | {r.above} | {r.below} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n" if out else ""
