"""Rows on disk and the runner's table.

:func:`read_jsonl` reads the rows the runner writes; :func:`render_table` is
the table the runner prints at the end of a run and ``run.py --table-only``
re-renders: per (dataset, profile, quick) and sampler, every metric's mean ±
sd over the seeds, after :func:`pool_classifier_runs` has joined the rows that
measured one resampled set with more CNNs. The per-CNN view with confidence
intervals is :mod:`benchmarks.report`.
"""

from __future__ import annotations

import json

import numpy as np

from benchmarks.config import METRICS, TIMINGS


def comma_list(text):
    """``"a, b,,c"`` -> ``["a", "b", "c"]``."""
    return [t.strip() for t in text.split(",") if t.strip()]


def numbered_rows(path):
    """Yield ``(line number, row)`` of a JSONL file, blank lines skipped."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line:
                yield number, json.loads(line)


def read_jsonl(path):
    """The rows of a JSONL file, as a list of dicts."""
    return [row for _, row in numbered_rows(path)]


def mean_std(values, digits):
    """``"mean ± sd"`` (sample sd) of the values that are not None, ``"n/a"`` when none."""
    vals = np.array([v for v in values if v is not None], dtype=float)
    if not len(vals):
        return "n/a"
    mean = float(np.mean(vals))
    if len(vals) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {float(np.std(vals, ddof=1)):.{digits}f}"


def _pool_key(row):
    return (row.get("dataset"), row.get("profile"), row.get("quick"), row.get("sampler"),
            row.get("seed"), row.get("epochs"),
            json.dumps(row.get("sampler_params"), sort_keys=True, default=str))


def pool_classifier_runs(rows):
    """Pool the rows that measured one resampled set with different CNNs.

    Rows of the same data set, profile, ``quick``, sampler, seed, epochs and
    sampler parameters whose ``classifier_seeds`` do not overlap (one run and
    a later ``--classifier-seed-offset`` run) become one row: each metric is
    the mean over all their CNNs (the rows' means weighted by their number of
    CNNs; ``f1_per_class`` too, where every row has it); ``classifier_seeds``,
    ``f1_per_classifier`` and ``best_epoch`` are joined, ``classifier_seconds``
    summed and ``fit_seconds`` averaged (each run fitted the sampler once).
    Rows whose CNN seeds overlap are left as they are, with a ``note`` saying
    so. Order: that of first appearance.
    """
    groups = {}
    for row in rows:
        groups.setdefault(_pool_key(row), []).append(row)
    pooled = []
    for group in groups.values():
        seeds = [list(r.get("classifier_seeds") or []) for r in group]
        flat = [s for ss in seeds for s in ss]
        if len(group) == 1 or not all(seeds) or len(set(flat)) != len(flat):
            if len(group) > 1:
                group = [dict(r, note="; ".join(filter(None, [
                    r.get("note"), "measured again with the same CNN seeds; not pooled"])))
                    for r in group]
            pooled += group
            continue
        weights = np.array([len(ss) for ss in seeds], dtype=float)
        row = dict(group[0])
        for key in METRICS:
            values = [r.get(key) for r in group]
            row[key] = (None if any(v is None for v in values)
                        else float(np.average(values, weights=weights)))
        per_class = [r.get("f1_per_class") for r in group]
        if all(per_class) and len({len(pc) for pc in per_class}) == 1:
            row["f1_per_class"] = [float(v) for v in np.average(per_class, axis=0,
                                                                  weights=weights)]
        else:
            row.pop("f1_per_class", None)
        row["fit_seconds"] = float(np.mean([r.get("fit_seconds") or 0.0 for r in group]))
        row["classifier_seconds"] = float(sum(r.get("classifier_seconds") or 0.0
                                              for r in group))
        row["classifier_seeds"] = flat
        row["f1_per_classifier"] = [
            f for r in group for f in r.get("f1_per_classifier", [r.get("f1")])]
        row["best_epoch"] = [
            e for r in group for e in (r["best_epoch"] if isinstance(r.get("best_epoch"), list)
                                       else [r.get("best_epoch")])]
        notes = [r["note"] for r in group if r.get("note")]
        if notes:
            row["note"] = "; ".join(dict.fromkeys(notes))
        pooled.append(row)
    return pooled


def render_table(rows):
    """Markdown tables of mean ± std (sample std, ddof=1) over seeds per sampler.

    Rows that add CNNs to an earlier row are pooled first
    (:func:`pool_classifier_runs`). One table per (dataset, profile, quick)
    group, samplers in order of first appearance. Metrics in percent with 2
    decimals, AUC with 4, times in seconds with 1. Notes of rows are listed
    under their table.

    Parameters
    ----------
    rows : list of dict

    Returns
    -------
    str
    """
    groups = {}
    for row in pool_classifier_runs(rows):
        key = (row.get("dataset"), row.get("profile"), row.get("quick"))
        groups.setdefault(key, {}).setdefault(row.get("sampler"), []).append(row)
    out = []
    header = ["sampler", "seeds", *METRICS, "fit s", "classifier s"]
    for (dataset, profile, quick), by_sampler in groups.items():
        title = f"**{dataset}**"
        if profile is not None:
            title += f", profile `{profile}`"
        if quick:
            title += ", quick"
        out += [title, "", "| " + " | ".join(header) + " |",
                "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
        notes = []
        for sampler, srows in by_sampler.items():
            seeds = sorted({r.get("seed") for r in srows}, key=str)
            cells = [f"`{sampler}`", ",".join(str(s) for s in seeds)]
            for key in METRICS:
                cells.append(mean_std([r.get(key) for r in srows], 4 if key == "auc" else 2))
            for key in TIMINGS:
                cells.append(mean_std([r.get(key) for r in srows], 1))
            out.append("| " + " | ".join(cells) + " |")
            notes += [f"- `{sampler}`, seed {r.get('seed')}: {r['note']}"
                      for r in srows if r.get("note")]
        if notes:
            out += ["", *notes]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


