"""Every CNN's macro F1, pooled over runs, with Welch intervals of differences.

``python benchmarks/report.py FILE.jsonl [FILE ...]`` reads every CNN's macro
F1 from the rows of the runner and pools them per (dataset, profile, quick,
seed, sampler) over all the files, so that a row measured in several runs
(more CNNs added later with ``--classifier-seed-offset``, in the same file or
another) counts as one row of all its CNNs. It prints, per sampler and seed,
the number of CNNs and their mean ± sd; the difference to the best of the
``--against`` baselines on that seed and any ``--pairs``, each with a Welch
95 % confidence interval; with ``--across-seeds`` each difference over
the seeds that measured it (:mod:`benchmarks.over_seeds`); and with
``--figure`` draws every CNN (:func:`benchmarks.figures.plot_cnn_spread`).
The runner's own table of every metric is :mod:`benchmarks.tables`.

A CNN is known by its seed. Measured twice with the same value (or the same
value rounded to the decimals a file wrote), it counts once; measured twice
with two values, the report refuses and names both places: the two runs did
not measure the same thing, and averaging them would hide it. For the same
reason the rows of one pooled row must agree on ``epochs`` and
``sampler_params`` where they record them.

The Welch interval of a difference of two means: with sample variances
:math:`s_a^2, s_b^2` of :math:`n_a, n_b` CNNs, standard error
:math:`se = \\sqrt{s_a^2/n_a + s_b^2/n_b}`, Welch-Satterthwaite degrees of
freedom :math:`\\nu = se^4 / ((s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1))`,
and the interval :math:`\\bar a - \\bar b \\pm t_{0.975, \\nu}\\, se`.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    # Run as a script: make the repository root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tables import comma_list, mean_std, numbered_rows  # noqa: E402

#: What one pooled row of the report is.
GROUP_KEYS = ("dataset", "profile", "quick", "seed", "sampler")


def row_cnns(row):
    """``[(cnn_seed, macro F1), ...]`` of one JSONL row.

    ``f1_per_classifier`` with ``classifier_seeds``; a row of one CNN has its
    ``f1`` and that CNN's seed: ``classifier_seeds``, else ``clf_seed`` (files
    of one CNN a line), else the row's ``seed`` (the runner before it recorded
    CNN seeds trained its one CNN with the row's seed). CNNs without an F1 are
    left out.
    """
    if row.get("classifier_seeds") is not None:
        seeds = list(row["classifier_seeds"])
    else:
        seeds = [row.get("clf_seed", row.get("seed"))]
    f1s = row.get("f1_per_classifier")
    if f1s is None and len(seeds) == 1:
        f1s = [row.get("f1")]
    if f1s is None or len(f1s) != len(seeds):
        raise ValueError(f"{len(seeds)} CNN seeds but "
                         f"{'no' if f1s is None else len(f1s)} F1 values")
    return [(s, float(f)) for s, f in zip(seeds, f1s) if f is not None]


def _decimals(value):
    return max(0, -Decimal(repr(float(value))).as_tuple().exponent)


def _same_value(a, b):
    """Equal, or equal once the more precise value is rounded like the other."""
    coarse, fine = sorted((a, b), key=_decimals)
    return round(fine, _decimals(coarse)) == coarse


def _describe(key):
    return ", ".join(f"{name} {value}" for name, value in zip(GROUP_KEYS, key))


def pool_cnns(sources, samplers=None, seeds=None, assume=None):
    """Every CNN's macro F1 per (dataset, profile, quick, seed, sampler).

    Parameters
    ----------
    sources : list of (path, samplers or None)
        JSONL files, each with the samplers to read from it (None: all).
    samplers, seeds : collection or None
        Read only these samplers / experiment seeds (None: all).
    assume : dict or None
        Values of ``dataset``, ``profile`` or ``quick`` for rows that lack
        them (files of one CNN a line did not record them).

    Returns
    -------
    cnns : dict
        ``{(dataset, profile, quick, seed, sampler): {cnn_seed: f1}}`` in the
        order the groups first appear.

    Raises
    ------
    ValueError
        When a CNN seed has two different values, or the rows of one group
        record different ``epochs`` or ``sampler_params``; the message names
        the files, lines, the group and the seed.
    """
    cnns, where, setup = {}, {}, {}
    for path, only in sources:
        for number, row in numbered_rows(path):
            place = f"{path} line {number}"
            row = {**(assume or {}), **row}
            if only is not None and row.get("sampler") not in only:
                continue
            if (samplers is not None and row.get("sampler") not in samplers) or (
                    seeds is not None and row.get("seed") not in seeds):
                continue
            key = tuple(row.get(k) for k in GROUP_KEYS)
            for field in ("epochs", "sampler_params"):
                if row.get(field) is None:
                    continue
                first = setup.setdefault((key, field), (row[field], place))
                if first[0] != row[field]:
                    raise ValueError(f"{_describe(key)}: {field} {first[0]!r} in {first[1]} "
                                     f"but {row[field]!r} in {place}; not pooled")
            try:
                pairs = row_cnns(row)
            except ValueError as exc:
                raise ValueError(f"{place}: {exc}") from None
            seen = cnns.setdefault(key, {})
            for cnn_seed, f1 in pairs:
                if cnn_seed not in seen:
                    seen[cnn_seed], where[key, cnn_seed] = f1, place
                elif not _same_value(seen[cnn_seed], f1):
                    raise ValueError(
                        f"{_describe(key)}: CNN seed {cnn_seed} measured twice with two "
                        f"values, {seen[cnn_seed]} in {where[key, cnn_seed]} and {f1} in "
                        f"{place}")
                elif _decimals(f1) > _decimals(seen[cnn_seed]):  # keep the precise one
                    seen[cnn_seed], where[key, cnn_seed] = f1, place
    return cnns


@dataclass
class Welch:
    """A difference of means with its Welch interval (None where undefined)."""

    diff: float
    low: float | None = None
    high: float | None = None
    df: float | None = None
    p: float | None = None


def welch_interval(a, b, confidence=0.95):
    """Difference ``mean(a) - mean(b)`` with its Welch confidence interval.

    Parameters
    ----------
    a, b : array-like of float
        The macro F1 of each CNN of two rows.
    confidence : float
        Coverage of the two-sided interval.

    Returns
    -------
    Welch
        ``low``, ``high``, the Welch-Satterthwaite ``df`` and the two-sided
        ``p`` of a zero difference are None when a side has fewer than two
        CNNs or neither side varies.
    """
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return Welch(diff)
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        return Welch(diff)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return Welch(diff, diff - half, diff + half, float(df), p)


def _interval_text(w):
    if w.low is None:
        return "n/a"
    return f"{w.low:+.2f} to {w.high:+.2f}"


def _p_text(w):
    return "n/a" if w.p is None else f"{w.p:.2f}"


def best_baseline(cnns, group, against):
    """The baseline of ``against`` with the highest mean on ``group``'s seed.

    Parameters
    ----------
    cnns : dict
        As :func:`pool_cnns` returns it.
    group : tuple
        ``(dataset, profile, quick, seed)``.
    against : list of str
        Baseline samplers; on equal means the first named wins.

    Returns
    -------
    name : str or None
        None when none of them was measured there.
    """
    means = [(float(np.mean(list(cnns[(*group, name)].values()))), -i, name)
             for i, name in enumerate(against) if cnns.get((*group, name))]
    return max(means)[2] if means else None


def _seed_order(seed):
    return (0, seed, "") if isinstance(seed, int) else (1, 0, str(seed))


def _f1s(cnns, key):
    return [cnns[key][s] for s in sorted(cnns[key])]


def render_report(cnns, against=(), pairs=()):
    """Markdown tables of the pooled CNNs, one per (dataset, profile, quick).

    A row per seed and sampler: its CNNs, mean ± sd of their macro F1 and,
    for samplers not in ``against``, the difference to the best of them on
    that seed with its Welch 95 % interval and p. Each ``(a, b)`` of ``pairs``
    is listed under the table as ``a`` minus ``b``, per seed.
    """
    tables, order = {}, {}
    for key in cnns:
        tables.setdefault(key[:3], {}).setdefault(key[3], []).append(key[4])
        order.setdefault(key[4], len(order))
    header = ["sampler", "seed", "CNNs", "macro F1"]
    if against:
        header += ["best baseline", "difference", "Welch 95 % CI", "p"]
    out = []
    for (dataset, profile, quick), by_seed in tables.items():
        title = f"**{dataset}**" + (f", profile `{profile}`" if profile is not None else "")
        aligns = ["---", "---:", "---:", "---:", "---", "---:", "---:", "---:"]
        out += [title + (", quick" if quick else ""), "", "| " + " | ".join(header) + " |",
                "|" + "|".join(aligns[:len(header)]) + "|"]
        lines = []
        for seed in sorted(by_seed, key=_seed_order):
            group = (dataset, profile, quick, seed)
            best = best_baseline(cnns, group, list(against))
            for name in sorted(by_seed[seed], key=order.get):
                f1 = _f1s(cnns, (*group, name))
                cells = [f"`{name}`", str(seed), str(len(f1)), mean_std(f1, 2)]
                if against and name not in against and best is not None:
                    w = welch_interval(f1, _f1s(cnns, (*group, best)))
                    cells += [f"`{best}`", f"{w.diff:+.2f}", _interval_text(w), _p_text(w)]
                elif against:
                    cells += ["", "", "", ""]
                out.append("| " + " | ".join(cells) + " |")
            for a, b in pairs:
                if cnns.get((*group, a)) and cnns.get((*group, b)):
                    w = welch_interval(_f1s(cnns, (*group, a)), _f1s(cnns, (*group, b)))
                    lines.append(f"- seed {seed}: `{a}` - `{b}` = {w.diff:+.2f} (Welch 95 % "
                                 f"CI {_interval_text(w)}, p {_p_text(w)})")
        out += ["", *lines, ""] if lines else [""]
    return "\n".join(out).rstrip() + "\n"


def cnn_rows(cnns):
    """One row per pooled group, in the runner's format, for the figures."""
    return [dict(zip(GROUP_KEYS, key), f1=float(np.mean(list(values.values()))),
                 classifier_seeds=sorted(values),
                 f1_per_classifier=[values[s] for s in sorted(values)])
            for key, values in cnns.items()]


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------


def _file_spec(text):
    """``FILE`` or ``FILE:SAMPLERS`` -> ``(path, samplers or None)``.

    A path that exists is taken whole, so a colon inside a file name is no
    separator; otherwise the first prefix up to a colon that names a file is.
    """
    if Path(text).exists():
        return text, None
    for i, char in enumerate(text):
        if char == ":" and Path(text[:i]).is_file():
            return text[:i], set(comma_list(text[i + 1:]))
    raise SystemExit(f"no such file: {text}")


def _pair(text):
    a, sep, b = text.partition(":")
    if not sep or not a or not b:
        raise argparse.ArgumentTypeError(f"expected A:B, got {text!r}")
    return a, b


def _assumed(text):
    values = {}
    for item in comma_list(text):
        key, sep, value = item.partition("=")
        if not sep or key not in ("dataset", "profile", "quick"):
            raise argparse.ArgumentTypeError(
                f"expected dataset=..., profile=... or quick=true|false, got {item!r}")
        values[key] = value.lower() == "true" if key == "quick" else value
    return values


def build_parser():
    """The command line of ``benchmarks/report.py``."""
    p = argparse.ArgumentParser(
        prog="benchmarks/report.py",
        description="Pool every CNN's macro F1 of benchmark rows over JSONL files, per "
                    "(dataset, profile, quick, seed, sampler); print mean ± sd and "
                    "Welch 95 % intervals of differences.",
        epilog="A CNN seed measured twice must have one value (rounded values count as "
               "the same); two values stop the report. See benchmarks/README.md.",
    )
    p.add_argument("files", nargs="+", metavar="FILE[:SAMPLERS]",
                   help="JSONL files of the runner; FILE:a,b reads only samplers a and b "
                        "from FILE")
    p.add_argument("--against", type=comma_list, default=["ros", "smote", "adasyn"],
                   metavar="NAMES",
                   help="baselines: every other row is compared with the best of them "
                        "(highest mean) on its seed (default: ros,smote,adasyn; '' for none)")
    p.add_argument("--pairs", type=lambda s: [_pair(t) for t in comma_list(s)], default=[],
                   metavar="A:B,...", help="also print A minus B per seed, e.g. "
                                           "meda-lgm:meda")
    p.add_argument("--samplers", type=comma_list, default=None,
                   help="comma list: only these samplers, in this order")
    p.add_argument("--seeds", type=lambda s: [int(v) for v in comma_list(s)], default=None,
                   help="comma list: only these experiment seeds")
    p.add_argument("--assume", type=_assumed, default={}, metavar="KEY=VALUE,...",
                   help="dataset, profile, quick of rows that do not record them "
                        "(files of one CNN a line), e.g. "
                        "dataset=fashion-mnist,profile=paper,quick=false")
    p.add_argument("--across-seeds", type=lambda s: [_pair(t) for t in comma_list(s)],
                   default=[], metavar="A:B,...",
                   help="also summarise A minus B over the seeds that measured both: "
                        "mean, t interval over seeds, seeds ahead, seeds whose Welch "
                        "interval is above / below zero; B=best is the best of --against "
                        "on each seed")
    p.add_argument("--figure", default=None, metavar="PATH",
                   help="save the macro F1 of every CNN (dots; bar: mean) as a PNG")
    p.add_argument("--title", default=None, help="a title over the figure")
    return p


def main(argv=None):
    """Print the report; returns the exit status."""
    args = build_parser().parse_args(argv)
    sources = [_file_spec(text) for text in args.files]
    try:
        cnns = pool_cnns(sources, args.samplers, args.seeds, args.assume)
    except ValueError as exc:
        raise SystemExit(f"report: {exc}") from None
    if args.samplers:
        cnns = dict(sorted(cnns.items(), key=lambda kv: args.samplers.index(kv[0][4])))
    if not cnns:
        raise SystemExit("report: no CNN in the rows read")
    print(render_report(cnns, args.against, args.pairs), end="")
    from benchmarks.over_seeds import render_across_seeds

    summary = render_across_seeds(cnns, args.across_seeds, args.against)
    if summary:
        print("\n" + summary, end="")
    for a, b in args.pairs:
        if not any(cnns.get((*key[:4], a)) and cnns.get((*key[:4], b)) for key in cnns):
            print(f"warning: no seed has both {a} and {b}", file=sys.stderr)
    if args.figure:
        from benchmarks.figures import plot_cnn_spread, save_figure

        fig = plot_cnn_spread(cnn_rows(cnns))
        if args.title:
            fig.suptitle(args.title, fontsize=9, y=1.02)
        print(f"\nsaved {save_figure(fig, args.figure)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
