"""Tests of the CNN report (benchmarks/report.py): pooling over runs, Welch."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from benchmarks import over_seeds, report

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results"


def _row(seed, sampler, cnn_seeds, f1s, **extra):
    row = {"dataset": "d", "profile": "paper", "quick": False, "seed": seed,
           "sampler": sampler, "epochs": 2, "sampler_params": {},
           "classifier_seeds": list(cnn_seeds), "f1": float(np.mean(f1s))}
    if len(f1s) > 1:
        row["f1_per_classifier"] = list(f1s)
    row.update(extra)
    return row


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def _table_rows(text):
    """``{(sampler, seed): [cells]}`` of the report's Markdown rows."""
    out = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            out[(cells[0].strip("`"), int(cells[1]))] = cells[2:]
    return out


def test_welch_interval_is_the_hand_computed_one():
    a = [80.0, 82.0, 81.0, 85.0]
    b = [79.0, 80.0, 78.5]
    # by hand: means 82 and 79.1667; sample variances 14/3 and 7/12
    va, vb = (14 / 3) / 4, (7 / 12) / 3
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / 3 + vb**2 / 2)
    t = stats.t.ppf(0.975, df)
    diff = 82.0 - 237.5 / 3
    w = report.welch_interval(a, b)
    assert w.diff == pytest.approx(diff)
    assert w.df == pytest.approx(df)
    assert (w.low, w.high) == pytest.approx((diff - t * se, diff + t * se))
    assert w.p == pytest.approx(2 * stats.t.sf(diff / se, df))
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert (w.low, w.high) == pytest.approx(tuple(ref.confidence_interval(0.95)))
    assert w.p == pytest.approx(ref.pvalue)


def test_welch_interval_undefined_for_one_cnn_or_no_spread():
    assert report.welch_interval([80.0], [79.0, 81.0]).low is None
    w = report.welch_interval([80.0, 80.0], [79.0, 79.0])
    assert w.diff == pytest.approx(1.0) and w.low is None and w.p is None


def test_a_cnn_measured_twice_counts_once_and_a_conflict_is_refused(tmp_path):
    first = _row(5, "meda", [5, 1005], [80.0, 81.0])
    again = _row(5, "meda", [1005, 2005], [81.0, 84.0])
    a = _write(tmp_path / "a.jsonl", [first])
    b = _write(tmp_path / "b.jsonl", [again])
    cnns = report.pool_cnns([(a, None), (b, None)])
    assert cnns == {("d", "paper", False, 5, "meda"): {5: 80.0, 1005: 81.0, 2005: 84.0}}
    _write(tmp_path / "b.jsonl", [_row(5, "meda", [1005, 2005], [81.5, 84.0])])
    with pytest.raises(ValueError) as exc:
        report.pool_cnns([(a, None), (b, None)])
    message = str(exc.value)
    for part in ("CNN seed 1005", "seed 5", "sampler meda", "a.jsonl line 1",
                 "b.jsonl line 1", "81.0", "81.5"):
        assert part in message
    with pytest.raises(SystemExit, match="CNN seed 1005"):
        report.main([a, b])


def test_a_value_written_rounded_is_the_same_cnn(tmp_path):
    """Files of one CNN a line wrote two decimals: 82.79 is CNN 3005's 82.7869...
    and the precise value is kept; 82.78 is another value."""
    precise = _row(5, "ros", [5, 3005], [83.0, 82.78693])
    rounded = {"seed": 5, "sampler": "ros", "clf_seed": 3005, "f1": 82.79}
    a = _write(tmp_path / "a.jsonl", [precise])
    b = _write(tmp_path / "b.jsonl", [rounded])
    assume = {"dataset": "d", "profile": "paper", "quick": False}
    for order in ([(b, None), (a, None)], [(a, None), (b, None)]):
        cnns = report.pool_cnns(order, assume=assume)
        assert cnns[("d", "paper", False, 5, "ros")] == {5: 83.0, 3005: 82.78693}
    _write(tmp_path / "b.jsonl", [dict(rounded, f1=82.78)])
    with pytest.raises(ValueError, match="CNN seed 3005"):
        report.pool_cnns([(a, None), (b, None)], assume=assume)


def test_pooling_cnns_added_later_gives_the_mean_over_all(tmp_path, capsys):
    """A run of CNNs 0-1 and a later --classifier-seed-offset 2 run of CNN 2:
    one row of three CNNs whose mean is over all three, not the mean of the
    two rows' means."""
    first = _row(0, "ros", [0, 1000], [80.0, 82.0])
    later = _row(0, "ros", [2000], [87.0])
    path = _write(tmp_path / "rows.jsonl", [first, later])
    cnns = report.pool_cnns([(path, None)])
    assert cnns == {("d", "paper", False, 0, "ros"): {0: 80.0, 1000: 82.0, 2000: 87.0}}
    assert report.main([path, "--against", ""]) == 0
    cells = _table_rows(capsys.readouterr().out)[("ros", 0)]
    sd = np.std([80.0, 82.0, 87.0], ddof=1)
    assert cells == ["3", f"83.00 ± {sd:.2f}"]


def test_against_takes_the_best_baseline_of_each_seed(tmp_path, capsys):
    rows = [
        _row(0, "ros", [0, 1000], [80.0, 81.0]),
        _row(0, "adasyn", [0, 1000], [82.0, 84.0]),
        _row(0, "meda", [0, 1000, 2000], [84.0, 85.0, 86.0]),
        _row(5, "ros", [5, 1005], [83.0, 85.0]),
        _row(5, "adasyn", [5, 1005], [79.0, 80.0]),
        _row(5, "meda", [5, 1005, 2005], [83.0, 84.0, 82.0]),
    ]
    path = _write(tmp_path / "rows.jsonl", rows)
    assert report.main([path, "--against", "ros,smote,adasyn"]) == 0
    table = _table_rows(capsys.readouterr().out)
    seed0, seed5 = table[("meda", 0)], table[("meda", 5)]
    assert seed0[2:4] == ["`adasyn`", "+2.00"]
    assert seed5[2:4] == ["`ros`", "-1.00"]
    w = report.welch_interval([83.0, 84.0, 82.0], [83.0, 85.0])
    assert seed5[4] == f"{w.low:+.2f} to {w.high:+.2f}"
    assert table[("ros", 0)][2:] == ["", "", "", ""]  # baselines are not compared
    assert report.best_baseline(report.pool_cnns([(path, None)]),
                                ("d", "paper", False, 0), ["smote"]) is None


def test_pairs_filters_and_per_file_samplers(tmp_path, capsys):
    rows = [_row(s, name, [s, s + 1000], f1s) for s in (0, 1)
            for name, f1s in (("meda", [85.0, 86.0]), ("meda-nolgm", [83.0, 83.5]),
                              ("ros", [80.0, 81.0]))]
    older = [_row(0, "meda", [0, 1000], [70.0, 71.0])]  # another method's rows
    path = _write(tmp_path / "rows.jsonl", rows)
    old = _write(tmp_path / "old.jsonl", older + [_row(0, "ros", [2000], [82.0])])
    assert report.main([path, f"{old}:ros", "--samplers", "meda-nolgm,meda,ros",
                        "--seeds", "0", "--pairs", "meda:meda-nolgm"]) == 0
    out = capsys.readouterr().out
    table = _table_rows(out)
    assert list(table) == [("meda-nolgm", 0), ("meda", 0), ("ros", 0)]
    assert table[("ros", 0)][:2] == ["3", "81.00 ± 1.00"]
    w = report.welch_interval([85.0, 86.0], [83.0, 83.5])
    assert (f"- seed 0: `meda` - `meda-nolgm` = +2.25 "
            f"(Welch 95 % CI {w.low:+.2f} to {w.high:+.2f}, p {w.p:.2f})") in out
    with pytest.raises(SystemExit, match="CNN seed 0"):
        report.main([path, old])


def test_rows_of_other_epochs_are_not_pooled(tmp_path):
    path = _write(tmp_path / "rows.jsonl", [_row(0, "ros", [0], [80.0]),
                                            _row(0, "ros", [1000], [81.0], epochs=30)])
    with pytest.raises(ValueError, match="epochs 2 in .* but 30 in"):
        report.pool_cnns([(path, None)])


def test_figure_has_a_dot_per_pooled_cnn(tmp_path, capsys):
    from matplotlib.collections import PathCollection

    from benchmarks.figures import plot_cnn_spread

    rows = [_row(0, "ros", [0, 1000], [80.0, 81.0]), _row(0, "ros", [2000], [82.0]),
            _row(0, "meda", [0, 1000], [83.0, 84.0])]
    path = _write(tmp_path / "rows.jsonl", rows)
    fig = plot_cnn_spread(report.cnn_rows(report.pool_cnns([(path, None)])))
    dots = [len(c.get_offsets()) for c in fig.axes[0].collections
            if isinstance(c, PathCollection)]
    assert dots == [3, 2]
    png = tmp_path / "figs" / "cnn.png"
    assert report.main([path, "--figure", str(png), "--title", "t"]) == 0
    assert png.stat().st_size > 0 and f"saved {png}" in capsys.readouterr().out


def test_across_seeds_is_a_paired_t_interval_over_the_seeds(tmp_path, capsys):
    """Three seeds: the per-seed differences, their t interval by hand, the
    seeds ahead and the seeds whose Welch interval is above or below zero; a
    seed without one of the two samplers does not count."""
    rows = [
        _row(0, "ros", [0, 1000, 2000], [80.0, 80.5, 81.0]),
        _row(0, "meda", [0, 1000, 2000], [83.0, 83.5, 84.0]),  # +3, above zero
        _row(1, "ros", [1, 1001, 2001], [82.0, 84.0, 86.0]),
        _row(1, "meda", [1, 1001, 2001], [83.0, 84.0, 85.0]),  # +0, inside
        _row(2, "ros", [2, 1002, 2002], [85.0, 85.5, 86.0]),
        _row(2, "meda", [2, 1002, 2002], [83.0, 83.5, 84.0]),  # -2, below zero
        _row(3, "ros", [3, 1003], [70.0, 71.0]),  # no meda on seed 3
    ]
    path = _write(tmp_path / "rows.jsonl", rows)
    cnns = report.pool_cnns([(path, None)])
    summary = over_seeds.across_seeds(cnns, "meda", "ros")[("d", "paper", False)]
    assert summary.seeds == [0, 1, 2]
    assert summary.diffs == pytest.approx([3.0, 0.0, -2.0])
    diffs = np.array([3.0, 0.0, -2.0])
    half = stats.t.ppf(0.975, 2) * diffs.std(ddof=1) / math.sqrt(3)
    assert summary.mean == pytest.approx(1 / 3)
    assert (summary.low, summary.high) == pytest.approx((1 / 3 - half, 1 / 3 + half))
    ref = stats.ttest_1samp(diffs, 0.0).confidence_interval(0.95)
    assert (summary.low, summary.high) == pytest.approx(tuple(ref))
    assert (summary.ahead, summary.above, summary.below) == (1, 1, 1)

    assert report.main([path, "--against", "ros", "--across-seeds", "meda:ros"]) == 0
    out = capsys.readouterr().out
    assert "**d**, profile `paper`, over seeds" in out
    assert (f"| `meda` - `ros` | 3 | +0.33 | {1 / 3 - half:+.2f} to {1 / 3 + half:+.2f} "
            f"| 1 | 1 | 1 |") in out


def test_across_seeds_against_the_best_baseline_of_each_seed(tmp_path, capsys):
    rows = [
        _row(0, "ros", [0, 1000], [80.0, 81.0]),
        _row(0, "smote", [0, 1000], [82.0, 83.0]),  # best on seed 0
        _row(0, "meda", [0, 1000], [84.0, 85.0]),
        _row(5, "ros", [5, 1005], [83.0, 84.0]),  # best on seed 5
        _row(5, "smote", [5, 1005], [79.0, 80.0]),
        _row(5, "meda", [5, 1005], [83.0, 84.0]),
    ]
    path = _write(tmp_path / "rows.jsonl", rows)
    cnns = report.pool_cnns([(path, None)])
    summary = over_seeds.across_seeds(cnns, "meda", "best", ["ros", "smote"])[("d", "paper", False)]
    assert summary.diffs == pytest.approx([2.0, 0.0])
    assert over_seeds.across_seeds(cnns, "meda", "best", ["adasyn"]) == {}
    assert over_seeds.across_seeds(cnns, "meda", "adasyn") == {}
    # One seed: no interval over seeds.
    one = over_seeds.across_seeds(report.pool_cnns([(path, None)], seeds=[0]), "meda", "ros")
    assert one[("d", "paper", False)].low is None
    assert report.main([path, "--against", "ros,smote", "--across-seeds",
                        "meda:best,meda:adasyn"]) == 0
    out = capsys.readouterr().out
    assert "| `meda` - best baseline | 2 | +1.00 |" in out
    assert "`adasyn`" not in out.split("over seeds")[1]
    assert report.main([path, "--against", "ros", "--across-seeds", "meda:adasyn"]) == 0
    assert "over seeds" not in capsys.readouterr().out


def test_fashion_paper_numbers_of_results_md(capsys):
    """The paper-protocol Fashion-MNIST table of RESULTS.md, from its raw file."""
    path = RESULTS / "fashion_mnist_paper_cpu_e10.jsonl"
    assert report.main([str(path), "--against", "ros,ros-augment", "--pairs",
                        "meda-guidance:ros,meda-guidance:smote,meda-guidance:adasyn,"
                        "meda-guidance:ros-augment,meda-guidance:meda-paper,"
                        "meda-gpu:meda-guidance,meda:ros,meda:ros-augment,"
                        "meda-filter:meda,meda-filter-phase23:meda-filter,"
                        "meda-decode:ros,meda-full:meda,meda-decode-full:ros,"
                        "meda-gpu:ros,meda-gpu:ros-augment,meda-decode-full-gpu:ros,"
                        "meda:meda-noaug,meda-all-images:meda,"
                        "meda-20k:meda,meda-20k:adasyn,meda-gpu:meda-20k,meda-4k:meda,"
                        "meda-cosine:meda,meda-cosine-4k:meda,"
                        "meda-slim-8k:meda,meda-decode-full-slim-8k:ros,"
                        "meda-paper:ros,meda-decode-full-slim-8k:meda-decode-full,"
                        "meda-decode-full-slim-16k:ros,meda-decode-full-slim-8k-64d:ros,"
                        "meda-decode-full-slim-8k-64d:meda-decode-full-slim-8k,"
                        "meda-slim-8k-64d:meda-slim-8k,meda:smote,meda:adasyn,"
                        "meda-slim-8k-64d:ros,meda-slim-8k-64d:smote,meda-slim-8k-64d:meda,"
                        "meda-all-slim-16k-64d:meda-slim-8k-64d,meda-all-slim-16k-64d:meda-gpu,"
                        "meda-gpu:meda,"
                        "meda-decode-full-slim-8k-64d:meda-decode-full-slim-16k,"
                        "meda-guidance:meda,meda-phase4:meda,meda-noaug:ros,"
                        "meda-phase4-guidance:meda,meda-phase4-guidance:meda-guidance,"
                        "meda-gpu-guidance:meda-guidance,meda-gpu-guidance:meda-gpu,"
                        "meda-gpu-guidance:ros,meda:meda-scale1,"
                        "meda-all-6k:meda,meda-all-6k:adasyn,meda-all-6k:ros-augment,"
                        "cvae:ros,deepsmote:ros,cvae:meda,borderline:ros,none:ros,"
                        "borderline:meda,balanced:ros,meda-lgm:meda,meda-phase23:meda,"
                        "meda-interp:meda"]) == 0
    out = capsys.readouterr().out
    table = _table_rows(out)
    # (sampler, seed): CNNs and mean ± sd, as in RESULTS.md
    means = {
        ("adasyn", 0): "5 80.59 ± 1.99",
        ("cvae-setred", 0): "3 71.83 ± 5.08",
        ("cvae", 0): "5 67.26 ± 1.64",
        ("deepsmote", 0): "5 68.99 ± 2.21",
        ("borderline", 0): "5 79.42 ± 1.42",
        ("none", 0): "5 67.35 ± 2.30",
        ("balanced", 0): "5 91.73 ± 0.31",
        ("balanced", 5): "5 91.78 ± 0.31",
        ("balanced", 1): "5 91.76 ± 0.34",
        ("balanced", 3): "5 91.75 ± 0.15",
        ("balanced", 4): "5 91.50 ± 0.21",
        ("meda-lgm", 0): "5 82.98 ± 0.47",
        ("meda-interp", 0): "5 83.46 ± 1.79",
        ("meda-interp", 5): "5 83.50 ± 1.34",
        ("meda-interp", 1): "5 83.16 ± 0.58",
        ("meda-lgm", 5): "5 84.06 ± 1.08",
        ("meda-lgm", 1): "5 82.76 ± 0.49",
        ("meda-lgm", 3): "5 83.72 ± 0.85",
        ("meda-lgm", 4): "5 83.20 ± 1.13",
        ("meda-phase23", 3): "5 83.69 ± 0.30",
        ("meda-phase23", 4): "5 82.51 ± 1.46",
        ("meda-phase23", 0): "5 83.76 ± 1.37",
        ("meda-phase23", 5): "5 84.34 ± 1.31",
        ("meda-phase23", 1): "5 82.75 ± 0.33",
        ("meda", 0): "5 82.80 ± 1.74",
        ("meda-decode", 0): "5 75.15 ± 4.22",
        ("meda-decode", 5): "5 78.39 ± 2.75",
        ("meda-decode", 1): "5 78.50 ± 0.66",
        ("meda-decode", 3): "5 74.81 ± 2.98",
        ("meda-decode", 4): "5 76.28 ± 2.11",
        ("meda-decode-full", 0): "5 76.55 ± 1.70",
        ("meda-decode-filter-lgm-phase23-phase4-guidance", 0): "5 74.06 ± 1.53",
        ("meda-filter", 0): "5 83.04 ± 0.48",
        ("meda-filter", 3): "5 82.85 ± 0.57",
        ("meda-filter", 4): "5 82.92 ± 1.48",
        ("meda-filter", 1): "5 82.55 ± 0.52",
        ("meda-filter-lgm-phase23", 0): "5 82.59 ± 0.79",
        ("meda-filter-lgm-phase23-scale1", 0): "5 81.75 ± 3.09",
        ("meda-filter-lgm-phase23-scale1-phase4", 0): "5 79.09 ± 1.92",
        ("meda-filter-lgm-phase23-scale1-phase4-guidance", 0): "5 79.86 ± 2.20",
        ("meda-filter-phase23", 0): "5 83.43 ± 0.89",
        ("meda-full", 0): "5 83.14 ± 1.70",
        ("meda-full", 3): "5 83.53 ± 0.30",
        ("meda-full", 4): "5 83.47 ± 1.22",
        ("meda-full", 1): "5 82.64 ± 0.48",
        ("meda-gpu", 0): "5 84.26 ± 0.87",
        ("meda-decode-full-gpu", 0): "5 78.76 ± 1.20",
        ("meda-noaug", 0): "5 83.03 ± 1.29",
        ("meda-all-images", 0): "5 83.06 ± 1.39",
        ("meda-all-images", 1): "5 82.31 ± 0.83",
        ("meda-all-images", 3): "5 83.78 ± 0.68",
        ("meda-all-images", 4): "5 82.50 ± 1.75",
        ("meda-20k", 0): "5 83.61 ± 1.11",
        ("meda-20k", 5): "5 84.76 ± 1.38",
        ("meda-interp", 3): "5 83.43 ± 0.47",
        ("meda-interp", 4): "5 82.58 ± 1.14",
        ("meda-4k", 0): "5 82.86 ± 1.61",
        ("meda-4k", 5): "5 83.57 ± 1.04",
        ("meda-cosine", 0): "5 83.19 ± 1.81",
        ("meda-cosine", 5): "5 84.01 ± 1.27",
        ("meda-cosine-4k", 0): "5 83.43 ± 2.30",
        ("meda-cosine-4k", 5): "5 83.92 ± 0.64",
        ("meda-slim-8k", 0): "5 83.20 ± 0.88",
        ("meda-slim-8k", 5): "5 83.66 ± 1.46",
        ("meda-decode-full-slim-8k", 0): "5 79.52 ± 1.52",
        ("meda-decode-full-slim-8k", 5): "5 81.27 ± 1.09",
        ("meda-decode-full-slim-8k", 1): "5 79.68 ± 0.77",
        ("meda-decode-full-slim-8k", 3): "5 77.63 ± 2.99",
        ("meda-decode-full-slim-8k", 4): "5 77.03 ± 2.72",
        ("meda-decode-full-slim-16k", 0): "5 79.72 ± 2.79",
        ("meda-decode-full-slim-16k", 5): "5 81.49 ± 2.31",
        ("meda-decode-full-slim-8k-64d", 0): "5 82.62 ± 0.61",
        ("meda-decode-full-slim-8k-64d", 5): "5 80.83 ± 1.57",
        ("meda-slim-8k-64d", 0): "5 83.32 ± 1.05",
        ("meda-slim-8k-64d", 5): "5 84.47 ± 0.53",
        ("meda-slim-8k-64d", 1): "5 82.82 ± 0.69",
        ("meda-slim-8k-64d", 3): "5 83.78 ± 1.15",
        ("meda-slim-8k-64d", 4): "5 82.47 ± 1.10",
        ("meda-slim-8k", 1): "5 83.24 ± 0.44",
        ("meda-slim-8k", 3): "5 83.41 ± 0.72",
        ("meda-slim-8k", 4): "5 82.41 ± 0.86",
        ("meda-all-slim-16k-64d", 0): "5 82.35 ± 1.14",
        ("meda-all-slim-16k-64d", 5): "5 84.03 ± 0.90",
        ("meda-all-slim-16k-64d", 1): "5 83.14 ± 0.61",
        ("meda-all-slim-16k-64d", 3): "5 83.69 ± 1.40",
        ("meda-all-slim-16k-64d", 4): "5 83.16 ± 0.89",
        ("meda-20k", 1): "5 82.70 ± 0.17",
        ("meda-gpu-guidance", 1): "5 82.76 ± 1.19",
        ("meda-gpu-guidance", 3): "5 82.88 ± 1.01",
        ("meda-20k", 3): "5 83.26 ± 1.34",
        ("meda-20k", 4): "5 83.73 ± 1.04",
        ("borderline", 1): "5 79.59 ± 0.68",
        ("borderline", 3): "5 79.28 ± 0.57",
        ("borderline", 4): "5 78.15 ± 0.33",
        ("none", 1): "5 75.81 ± 2.06",
        ("none", 3): "5 68.87 ± 1.61",
        ("none", 4): "5 66.47 ± 2.01",
        ("meda-cosine-4k", 1): "5 83.11 ± 0.58",
        ("meda-cosine-4k", 3): "5 83.39 ± 1.28",
        ("meda-cosine-4k", 4): "5 82.53 ± 1.45",
        ("meda-4k", 1): "5 82.39 ± 0.78",
        ("meda-cosine", 1): "5 82.86 ± 0.24",
        ("meda-4k", 3): "5 83.40 ± 1.32",
        ("meda-cosine", 3): "5 83.65 ± 1.45",
        ("meda-4k", 4): "5 82.37 ± 1.65",
        ("meda-cosine", 4): "5 82.72 ± 0.57",
        ("ros", 1): "5 80.37 ± 0.54",
        ("ros-augment", 1): "5 82.34 ± 0.39",
        ("meda", 1): "5 82.94 ± 0.67",
        ("smote", 1): "5 79.73 ± 1.25",
        ("adasyn", 1): "5 79.41 ± 1.40",
        ("meda-gpu", 1): "5 82.84 ± 0.41",
        ("meda-decode-full-slim-16k", 1): "5 80.08 ± 1.04",
        ("meda-decode-full-slim-16k", 3): "5 78.87 ± 1.47",
        ("meda-decode-full-slim-16k", 4): "5 77.93 ± 3.21",
        ("meda-decode-full-slim-8k-64d", 1): "5 80.02 ± 0.48",
        ("meda-decode-full-slim-8k-64d", 3): "5 78.47 ± 1.05",
        ("meda-decode-full-slim-8k-64d", 4): "5 80.32 ± 2.18",
        ("meda-noaug", 1): "5 81.35 ± 0.47",
        ("meda-guidance", 0): "5 83.42 ± 0.93",
        ("meda-guidance", 5): "5 84.42 ± 1.52",
        ("meda-guidance", 1): "5 83.17 ± 0.53",
        ("meda-guidance", 3): "5 83.11 ± 0.96",
        ("meda", 3): "5 83.41 ± 1.12",
        ("ros", 3): "5 80.29 ± 1.30",
        ("smote", 3): "5 80.60 ± 1.97",
        ("adasyn", 3): "5 80.24 ± 1.36",
        ("ros-augment", 3): "5 82.78 ± 1.24",
        ("meda", 4): "5 82.52 ± 1.47",
        ("meda-guidance", 4): "5 82.09 ± 1.24",
        ("ros", 4): "5 79.06 ± 1.00",
        ("smote", 4): "5 78.84 ± 0.44",
        ("ros-augment", 4): "5 82.55 ± 1.25",
        ("adasyn", 4): "5 79.61 ± 1.39",
        ("meda-noaug", 4): "5 82.71 ± 1.86",
        ("meda-gpu", 3): "5 83.90 ± 1.08",
        ("meda-gpu", 4): "5 82.84 ± 0.32",
        ("meda-scale1", 0): "5 81.27 ± 2.70",
        ("meda-scale1", 5): "5 83.30 ± 0.93",
        ("meda-scale1", 3): "5 80.44 ± 1.13",
        ("meda-scale1", 4): "5 81.26 ± 1.63",
        ("meda-scale1", 1): "5 82.64 ± 1.02",
        ("meda-noaug", 3): "5 83.08 ± 0.98",
        ("meda-phase4", 0): "5 83.52 ± 1.72",
        ("meda-phase4", 5): "5 83.88 ± 0.92",
        ("meda-phase4", 1): "5 83.07 ± 0.62",
        ("meda-phase4", 3): "5 83.36 ± 1.19",
        ("meda-phase4", 4): "5 81.67 ± 1.21",
        ("meda-phase4-guidance", 0): "5 83.31 ± 0.99",
        ("meda-phase4-guidance", 5): "5 83.82 ± 1.19",
        ("meda-phase4-guidance", 1): "5 82.80 ± 0.34",
        ("meda-phase4-guidance", 3): "5 83.31 ± 0.46",
        ("meda-phase4-guidance", 4): "5 82.85 ± 0.66",
        ("meda-gpu-guidance", 0): "5 83.34 ± 1.69",
        ("meda-gpu-guidance", 5): "5 84.15 ± 1.39",
        ("meda-paper", 0): "5 72.04 ± 1.88",
        ("meda-paper", 5): "5 74.27 ± 1.28",
        ("meda-paper", 3): "5 71.64 ± 1.92",
        ("meda-paper", 4): "5 69.68 ± 1.76",
        ("meda-paper", 1): "5 77.70 ± 0.74",
        ("mgvae", 0): "3 70.49 ± 1.19",
        ("ros", 0): "5 80.56 ± 1.16",
        ("ros-augment", 0): "5 83.42 ± 0.90",
        ("smote", 0): "5 80.59 ± 1.74",
        ("adasyn", 5): "5 81.80 ± 1.30",
        ("cvae-setred", 5): "3 73.69 ± 2.50",
        ("cvae", 5): "5 73.64 ± 0.78",
        ("deepsmote", 5): "5 74.40 ± 1.70",
        ("borderline", 5): "5 80.60 ± 2.11",
        ("none", 5): "5 72.62 ± 2.15",
        ("meda", 5): "5 83.66 ± 1.30",
        ("meda-filter", 5): "5 83.74 ± 0.93",
        ("meda-filter-lgm-phase23", 5): "5 84.28 ± 0.68",
        ("meda-filter-lgm-phase23-scale1", 5): "5 83.16 ± 1.34",
        ("meda-filter-lgm-phase23-scale1-phase4", 5): "5 81.60 ± 1.81",
        ("meda-filter-lgm-phase23-scale1-phase4-guidance", 5): "5 81.63 ± 1.57",
        ("meda-filter-phase23", 5): "5 84.50 ± 1.29",
        ("meda-full", 5): "5 83.58 ± 1.13",
        ("meda-gpu", 5): "5 85.09 ± 0.69",
        ("meda-noaug", 5): "5 82.82 ± 0.72",
        ("meda-all-images", 5): "5 83.35 ± 0.97",
        ("meda-decode-full", 5): "5 79.43 ± 1.67",
        ("meda-decode-full", 3): "5 76.30 ± 0.99",
        ("meda-decode-full", 4): "5 76.09 ± 0.63",
        ("meda-decode-full", 1): "5 78.77 ± 0.94",
        ("mgvae", 5): "3 73.88 ± 0.81",
        ("ros", 5): "5 82.43 ± 0.74",
        ("ros-augment", 5): "5 83.23 ± 1.13",
        ("smote", 5): "5 81.70 ± 0.94",
        ("meda-all-6k", 0): "5 84.09 ± 1.60",
        ("meda-all-6k", 5): "5 84.40 ± 1.23",
        ("meda-all-6k", 1): "5 83.14 ± 0.43",
        ("meda-all-6k", 3): "5 83.20 ± 0.55",
        ("meda-all-6k", 4): "5 82.46 ± 0.97",
    }
    assert set(table) == set(means)
    for key, expected in means.items():
        assert table[key][:2] == expected.split(" ", 1), key
    assert table[("meda", 0)][2:5] == ["`ros-augment`", "-0.61", "-2.76 to +1.54"]
    assert table[("meda", 5)][2:5] == ["`ros-augment`", "+0.44", "-1.35 to +2.22"]
    # The default (majority guidance on) against the baselines: the Targets.
    for seed, line in ((0, "`meda-guidance` - `ros` = +2.86 (Welch 95 % CI +1.31 to +4.41"),
                       (0, "`meda-guidance` - `smote` = +2.82 (Welch 95 % CI +0.67 to +4.97"),
                       (0, "`meda-guidance` - `adasyn` = +2.83 (Welch 95 % CI +0.38 to +5.27"),
                       (0, "`meda-guidance` - `ros-augment` = -0.00 "
                           "(Welch 95 % CI -1.33 to +1.33"),
                       (5, "`meda-guidance` - `ros` = +1.99 (Welch 95 % CI +0.13 to +3.85"),
                       (5, "`meda-guidance` - `smote` = +2.72 (Welch 95 % CI +0.82 to +4.62"),
                       (5, "`meda-guidance` - `adasyn` = +2.62 (Welch 95 % CI +0.54 to +4.69"),
                       (5, "`meda-guidance` - `ros-augment` = +1.19 "
                           "(Welch 95 % CI -0.79 to +3.17"),
                       (1, "`meda-guidance` - `ros` = +2.80 (Welch 95 % CI +2.01 to +3.58"),
                       (1, "`meda-guidance` - `smote` = +3.44 (Welch 95 % CI +1.90 to +4.97"),
                       (1, "`meda-guidance` - `adasyn` = +3.76 (Welch 95 % CI +2.06 to +5.46"),
                       (1, "`meda-guidance` - `ros-augment` = +0.83 "
                           "(Welch 95 % CI +0.14 to +1.51"),
                       (0, "`meda-guidance` - `meda-paper` = +11.37 "
                           "(Welch 95 % CI +9.06 to +13.69"),
                       (5, "`meda-guidance` - `meda-paper` = +10.14 "
                           "(Welch 95 % CI +8.09 to +12.20"),
                       (0, "`meda-gpu` - `meda-guidance` = +0.84 (Welch 95 % CI -0.47 to +2.16"),
                       (5, "`meda-gpu` - `meda-guidance` = +0.67 (Welch 95 % CI -1.19 to +2.52"),
                       (1, "`meda-gpu` - `meda-guidance` = -0.32 (Welch 95 % CI -1.02 to +0.37"),
                       (3, "`meda-guidance` - `ros` = +2.81 (Welch 95 % CI +1.11 to +4.51"),
                       (3, "`meda-guidance` - `smote` = +2.51 (Welch 95 % CI +0.09 to +4.93"),
                       (3, "`meda-guidance` - `adasyn` = +2.86 (Welch 95 % CI +1.11 to +4.62"),
                       (3, "`meda-guidance` - `ros-augment` = +0.32 "
                           "(Welch 95 % CI -1.31 to +1.95"),
                       (3, "`meda-guidance` - `meda` = -0.31 (Welch 95 % CI -1.84 to +1.22"),
                       (3, "`meda` - `ros` = +3.12 (Welch 95 % CI +1.34 to +4.90"),
                       (0, "`meda` - `ros` = +2.25 (Welch 95 % CI +0.03 to +4.47"),
                       (0, "`meda` - `ros-augment` = -0.61 "
                           "(Welch 95 % CI -2.76 to +1.54"),
                       (3, "`meda-filter` - `meda` = -0.57 "
                           "(Welch 95 % CI -1.94 to +0.81"),
                       (4, "`meda-filter` - `meda` = +0.41 "
                           "(Welch 95 % CI -1.75 to +2.56"),
                       (0, "`meda-filter` - `meda` = +0.24 "
                           "(Welch 95 % CI -1.90 to +2.37"),
                       (0, "`meda-filter-phase23` - `meda-filter` = +0.39 "
                           "(Welch 95 % CI -0.71 to +1.49"),
                       (0, "`meda-decode` - `ros` = -5.41 (Welch 95 % CI -10.58 to -0.24"),
                       (0, "`meda-full` - `meda` = +0.34 "
                           "(Welch 95 % CI -2.17 to +2.85"),
                       (3, "`meda-full` - `meda` = +0.12 "
                           "(Welch 95 % CI -1.25 to +1.49"),
                       (4, "`meda-full` - `meda` = +0.96 "
                           "(Welch 95 % CI -1.02 to +2.94"),
                       (1, "`meda-full` - `meda` = -0.30 "
                           "(Welch 95 % CI -1.16 to +0.56"),
                       (0, "`meda-decode-full` - `ros` = -4.01 (Welch 95 % CI -6.19 to -1.83"),
                       (0, "`meda-gpu` - `ros` = +3.70 (Welch 95 % CI +2.18 to +5.23"),
                       (0, "`meda-gpu` - `ros-augment` = +0.84 (Welch 95 % CI -0.45 to +2.14"),
                       (0, "`meda-decode-full-gpu` - `ros` = -1.79 (Welch 95 % CI -3.52 to -0.07"),
                       (0, "`meda` - `meda-noaug` = -0.23 "
                           "(Welch 95 % CI -2.50 to +2.05"),
                       (5, "`meda-gpu` - `ros` = +2.66 (Welch 95 % CI +1.61 to +3.71"),
                       (5, "`meda` - `meda-noaug` = +0.84 "
                           "(Welch 95 % CI -0.77 to +2.46"),
                       (1, "`meda` - `meda-noaug` = +1.58 "
                           "(Welch 95 % CI +0.73 to +2.44"),
                       (1, "`meda-noaug` - `ros` = +0.98 (Welch 95 % CI +0.24 to +1.72"),
                       (0, "`meda-guidance` - `meda` = +0.61 (Welch 95 % CI -1.54 to +2.77"),
                       (5, "`meda-guidance` - `meda` = +0.75 (Welch 95 % CI -1.32 to +2.82"),
                       (1, "`meda-guidance` - `meda` = +0.23 (Welch 95 % CI -0.65 to +1.12"),
                       (4, "`meda-guidance` - `meda` = -0.43 (Welch 95 % CI -2.42 to +1.56"),
                       (4, "`meda` - `ros` = +3.46 (Welch 95 % CI +1.58 to +5.33"),
                       (4, "`meda` - `smote` = +3.68 (Welch 95 % CI +1.89 to +5.47"),
                       (4, "`meda` - `adasyn` = +2.90 (Welch 95 % CI +0.82 to +4.99"),
                       (4, "`meda` - `meda-noaug` = -0.20 (Welch 95 % CI -2.66 to +2.27"),
                       (4, "`meda-noaug` - `ros` = +3.65 (Welch 95 % CI +1.36 to +5.95"),
                       (0, "`meda-phase4` - `meda` = +0.72 "
                           "(Welch 95 % CI -1.81 to +3.24"),
                       (5, "`meda-phase4` - `meda` = +0.21 "
                           "(Welch 95 % CI -1.46 to +1.89"),
                       (1, "`meda-phase4` - `meda` = +0.13 "
                           "(Welch 95 % CI -0.80 to +1.07"),
                       (3, "`meda-phase4` - `meda` = -0.06 "
                           "(Welch 95 % CI -1.75 to +1.63"),
                       (4, "`meda-phase4` - `meda` = -0.84 "
                           "(Welch 95 % CI -2.82 to +1.13"),
                       (0, "`meda-phase4-guidance` - `meda` = +0.51 "
                           "(Welch 95 % CI -1.66 to +2.67"),
                       (0, "`meda-gpu-guidance` - `meda-guidance` = -0.08 "
                           "(Welch 95 % CI -2.17 to +2.02"),
                       (0, "`meda-gpu-guidance` - `meda-gpu` = -0.92 "
                           "(Welch 95 % CI -3.00 to +1.16"),
                       (0, "`meda-gpu-guidance` - `ros` = +2.78 "
                           "(Welch 95 % CI +0.62 to +4.95"),
                       (5, "`meda-gpu-guidance` - `meda-guidance` = -0.27 "
                           "(Welch 95 % CI -2.39 to +1.85"),
                       (5, "`meda-gpu-guidance` - `meda-gpu` = -0.94 "
                           "(Welch 95 % CI -2.64 to +0.77"),
                       (0, "`meda-phase4-guidance` - `meda-guidance` = -0.10 "
                           "(Welch 95 % CI -1.50 to +1.29"),
                       (5, "`meda-phase4-guidance` - `meda` = +0.15 "
                           "(Welch 95 % CI -1.67 to +1.98"),
                       (5, "`meda-phase4-guidance` - `meda-guidance` = -0.60 "
                           "(Welch 95 % CI -2.61 to +1.41"),
                       (1, "`meda-phase4-guidance` - `meda` = -0.14 "
                           "(Welch 95 % CI -0.96 to +0.68"),
                       (1, "`meda-phase4-guidance` - `meda-guidance` = -0.37 "
                           "(Welch 95 % CI -1.04 to +0.30"),
                       (3, "`meda-phase4-guidance` - `meda-guidance` = +0.20 "
                           "(Welch 95 % CI -0.98 to +1.39"),
                       (4, "`meda-phase4-guidance` - `meda-guidance` = +0.77 "
                           "(Welch 95 % CI -0.77 to +2.30"),
                       (0, "`meda-all-images` - `meda` = +0.25 "
                           "(Welch 95 % CI -2.07 to +2.58"),
                       (1, "`meda-all-images` - `meda` = -0.63 "
                           "(Welch 95 % CI -1.73 to +0.48"),
                       (3, "`meda-all-images` - `meda` = +0.37 "
                           "(Welch 95 % CI -1.03 to +1.77"),
                       (4, "`meda-all-images` - `meda` = -0.02 "
                           "(Welch 95 % CI -2.38 to +2.35"),
                       (0, "`meda-20k` - `meda` = +0.80 (Welch 95 % CI -1.40 to +3.00"),
                       (5, "`meda-20k` - `meda` = +1.09 (Welch 95 % CI -0.87 to +3.05"),
                       (0, "`meda-4k` - `meda` = +0.06 (Welch 95 % CI -2.39 to +2.51"),
                       (5, "`meda-4k` - `meda` = -0.09 (Welch 95 % CI -1.82 to +1.64"),
                       (5, "`meda-cosine` - `meda` = +0.35 "
                           "(Welch 95 % CI -1.53 to +2.22"),
                       (0, "`meda-cosine` - `meda` = +0.39 "
                           "(Welch 95 % CI -2.21 to +2.98"),
                       (0, "`meda-cosine-4k` - `meda` = +0.63 "
                           "(Welch 95 % CI -2.39 to +3.64"),
                       (0, "`meda-slim-8k` - `meda` = +0.40 "
                           "(Welch 95 % CI -1.75 to +2.54"),
                       (5, "`meda-slim-8k` - `meda` = +0.00 "
                           "(Welch 95 % CI -2.03 to +2.03"),
                       (1, "`meda-slim-8k-64d` - `ros` = +2.45 "
                           "(Welch 95 % CI +1.53 to +3.36"),
                       (1, "`meda-slim-8k-64d` - `meda` = -0.12 "
                           "(Welch 95 % CI -1.11 to +0.87"),
                       (3, "`meda-slim-8k-64d` - `smote` = +3.19 "
                           "(Welch 95 % CI +0.73 to +5.64"),
                       (3, "`meda-slim-8k-64d` - `meda` = +0.37 "
                           "(Welch 95 % CI -1.29 to +2.03"),
                       (4, "`meda-slim-8k-64d` - `meda` = -0.04 "
                           "(Welch 95 % CI -1.96 to +1.87"),
                       (1, "`meda-slim-8k` - `meda` = +0.31 "
                           "(Welch 95 % CI -0.54 to +1.15"),
                       (0, "`meda-all-slim-16k-64d` - `meda-slim-8k-64d` = -0.97 "
                           "(Welch 95 % CI -2.57 to +0.63"),
                       (5, "`meda-all-slim-16k-64d` - `meda-slim-8k-64d` = -0.44 "
                           "(Welch 95 % CI -1.57 to +0.68"),
                       (0, "`meda-all-slim-16k-64d` - `meda-gpu` = -1.91 "
                           "(Welch 95 % CI -3.40 to -0.41"),
                       (1, "`meda-all-slim-16k-64d` - `meda-slim-8k-64d` = +0.32 "
                           "(Welch 95 % CI -0.63 to +1.28"),
                       (1, "`meda-all-slim-16k-64d` - `meda-gpu` = +0.30 "
                           "(Welch 95 % CI -0.49 to +1.08"),
                       (3, "`meda-all-slim-16k-64d` - `meda-slim-8k-64d` = -0.09 "
                           "(Welch 95 % CI -1.97 to +1.79"),
                       (4, "`meda-all-slim-16k-64d` - `meda-slim-8k-64d` = +0.69 "
                           "(Welch 95 % CI -0.78 to +2.16"),
                       (1, "`meda-20k` - `meda` = -0.24 (Welch 95 % CI -1.06 to +0.58"),
                       (3, "`meda-20k` - `meda` = -0.15 (Welch 95 % CI -1.97 to +1.66"),
                       (4, "`meda-20k` - `meda` = +1.22 (Welch 95 % CI -0.68 to +3.11"),
                       (4, "`meda-20k` - `adasyn` = +4.12 (Welch 95 % CI +2.30 to +5.93"),
                       (4, "`meda-gpu` - `meda-20k` = -0.89 (Welch 95 % CI -2.17 to +0.38"),
                       (1, "`meda-gpu-guidance` - `meda-gpu` = -0.09 "
                           "(Welch 95 % CI -1.54 to +1.36"),
                       (3, "`meda-gpu-guidance` - `meda-gpu` = -1.03 "
                           "(Welch 95 % CI -2.55 to +0.50"),
                       (1, "`meda-gpu-guidance` - `meda-guidance` = -0.41 "
                           "(Welch 95 % CI -1.87 to +1.04"),
                       (3, "`meda-gpu-guidance` - `ros` = +2.58 (Welch 95 % CI +0.86 to +4.30"),
                       (1, "`borderline` - `meda` = -3.34 (Welch 95 % CI -4.32 to -2.36"),
                       (3, "`borderline` - `ros` = -1.02 (Welch 95 % CI -2.61 to +0.58"),
                       (3, "`borderline` - `meda` = -4.14 (Welch 95 % CI -5.51 to -2.76"),
                       (3, "`none` - `ros` = -11.42 (Welch 95 % CI -13.57 to -9.27"),
                       (4, "`none` - `ros` = -12.58 (Welch 95 % CI -15.06 to -10.11"),
                       (4, "`borderline` - `ros` = -0.91 (Welch 95 % CI -2.13 to +0.31"),
                       (4, "`borderline` - `meda` = -4.37 (Welch 95 % CI -6.17 to -2.56"),
                       (1, "`none` - `ros` = -4.56 (Welch 95 % CI -7.09 to -2.04"),
                       (1, "`meda-cosine-4k` - `meda` = +0.17 "
                           "(Welch 95 % CI -0.74 to +1.09"),
                       (3, "`meda-cosine-4k` - `meda` = -0.02 "
                           "(Welch 95 % CI -1.78 to +1.74"),
                       (1, "`meda-4k` - `meda` = -0.55 (Welch 95 % CI -1.61 to +0.52"),
                       (1, "`meda-cosine` - `meda` = -0.08 (Welch 95 % CI -0.89 to +0.74"),
                       (3, "`meda-4k` - `meda` = -0.01 (Welch 95 % CI -1.81 to +1.79"),
                       (3, "`meda-cosine` - `meda` = +0.24 (Welch 95 % CI -1.67 to +2.15"),
                       (4, "`meda-4k` - `meda` = -0.14 (Welch 95 % CI -2.42 to +2.14"),
                       (4, "`meda-cosine` - `meda` = +0.20 (Welch 95 % CI -1.59 to +2.00"),
                       (0, "`meda-paper` - `ros` = -8.52 (Welch 95 % CI -10.88 to -6.15"),
                       (5, "`meda-paper` - `ros` = -8.15 (Welch 95 % CI -9.74 to -6.57"),
                       (3, "`meda-paper` - `ros` = -8.65 (Welch 95 % CI -11.10 to -6.20"),
                       (4, "`meda-paper` - `ros` = -9.38 (Welch 95 % CI -11.57 to -7.19"),
                       (1, "`meda-paper` - `ros` = -2.68 (Welch 95 % CI -3.64 to -1.71"),
                       (1, "`meda-decode-full-slim-8k` - `ros` = -0.69 "
                           "(Welch 95 % CI -1.68 to +0.30"),
                       (3, "`meda-decode-full-slim-8k` - `ros` = -2.66 "
                           "(Welch 95 % CI -6.31 to +0.99"),
                       (4, "`meda-decode-full-slim-8k` - `ros` = -2.03 "
                           "(Welch 95 % CI -5.35 to +1.30"),
                       (5, "`meda-decode` - `ros` = -4.04 (Welch 95 % CI -7.40 to -0.67"),
                       (0, "`meda-decode-full-slim-8k` - `ros` = -1.03 "
                           "(Welch 95 % CI -3.03 to +0.97"),
                       (0, "`meda-decode-full-slim-8k` - `meda-decode-full` = +2.98 "
                           "(Welch 95 % CI +0.62 to +5.34"),
                       (0, "`meda-decode-full-slim-16k` - `ros` = -0.84 "
                           "(Welch 95 % CI -4.24 to +2.57"),
                       (5, "`meda-decode-full-slim-16k` - `ros` = -0.94 "
                           "(Welch 95 % CI -3.76 to +1.88"),
                       (0, "`meda-decode-full-slim-8k-64d` - `ros` = +2.07 "
                           "(Welch 95 % CI +0.63 to +3.50"),
                       (0, "`meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-8k` = +3.10 "
                           "(Welch 95 % CI +1.25 to +4.96"),
                       (1, "`meda` - `ros` = +2.56 (Welch 95 % CI +1.67 to +3.46"),
                       (1, "`meda` - `ros-augment` = +0.59 "
                           "(Welch 95 % CI -0.23 to +1.42"),
                       (1, "`meda` - `smote` = +3.20 (Welch 95 % CI +1.66 to +4.75"),
                       (1, "`meda-gpu` - `ros` = +2.47 (Welch 95 % CI +1.76 to +3.18"),
                       (1, "`meda-gpu` - `meda` = -0.09 (Welch 95 % CI -0.93 to +0.74"),
                       (3, "`meda-gpu` - `meda` = +0.49 (Welch 95 % CI -1.11 to +2.09"),
                       (0, "`meda` - `meda-scale1` = +1.53 (Welch 95 % CI -1.89 to +4.95"),
                       (3, "`meda` - `meda-scale1` = +2.98 (Welch 95 % CI +1.33 to +4.62"),
                       (4, "`meda` - `meda-scale1` = +1.25 (Welch 95 % CI -1.01 to +3.52"),
                       (1, "`meda` - `meda-scale1` = +0.29 (Welch 95 % CI -1.00 to +1.59"),
                       (1, "`meda-filter` - `meda` = -0.38 (Welch 95 % CI -1.26 to +0.50"),
                       (3, "`meda` - `meda-noaug` = +0.34 (Welch 95 % CI -1.20 to +1.88"),
                       (4, "`meda-gpu` - `ros` = +3.78 (Welch 95 % CI +2.56 to +5.00"),
                       (1, "`meda-decode-full-slim-16k` - `ros` = -0.29 "
                           "(Welch 95 % CI -1.57 to +0.98"),
                       (3, "`meda-decode-full-slim-16k` - `ros` = -1.42 "
                           "(Welch 95 % CI -3.46 to +0.61"),
                       (4, "`meda-decode-full-slim-16k` - `ros` = -1.13 "
                           "(Welch 95 % CI -5.05 to +2.80"),
                       (1, "`meda-decode-full-slim-8k-64d` - `ros` = -0.35 "
                           "(Welch 95 % CI -1.10 to +0.40"),
                       (1, "`meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-16k` = -0.06 "
                           "(Welch 95 % CI -1.32 to +1.21"),
                       (3, "`meda-decode-full-slim-8k-64d` - `ros` = -1.82 "
                           "(Welch 95 % CI -3.56 to -0.08"),
                       (4, "`meda-decode-full-slim-8k-64d` - `ros` = +1.26 "
                           "(Welch 95 % CI -1.41 to +3.93"),
                       (3, "`meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-16k` = -0.40 "
                           "(Welch 95 % CI -2.30 to +1.50"),
                       (4, "`meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-16k` = +2.39 "
                           "(Welch 95 % CI -1.71 to +6.49"),
                       (0, "`meda-slim-8k-64d` - `meda-slim-8k` = +0.12 "
                           "(Welch 95 % CI -1.30 to +1.55"),
                       (5, "`meda-slim-8k-64d` - `meda-slim-8k` = +0.81 "
                           "(Welch 95 % CI -0.98 to +2.60"),
                       (5, "`meda-decode-full-slim-8k-64d` - `ros` = -1.59 "
                           "(Welch 95 % CI -3.52 to +0.33"),
                       (5, "`meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-8k` = -0.44 "
                           "(Welch 95 % CI -2.45 to +1.58"),
                       (5, "`meda-decode-full-slim-8k` - `ros` = -1.16 "
                           "(Welch 95 % CI -2.55 to +0.24"),
                       (5, "`meda-decode-full-slim-8k` - `meda-decode-full` = +1.84 "
                           "(Welch 95 % CI -0.28 to +3.96"),
                       (5, "`meda-all-images` - `meda` = -0.32 "
                           "(Welch 95 % CI -2.02 to +1.38"),
                       (5, "`meda-gpu` - `ros-augment` = +1.86 (Welch 95 % CI +0.44 to +3.27"),
                       (5, "`meda` - `ros` = +1.24 (Welch 95 % CI -0.38 to +2.86"),
                       (5, "`meda` - `ros-augment` = +0.44 "
                           "(Welch 95 % CI -1.35 to +2.22"),
                       (5, "`meda-filter` - `meda` = +0.08 "
                           "(Welch 95 % CI -1.60 to +1.76"),
                       (5, "`meda-full` - `meda` = -0.08 "
                           "(Welch 95 % CI -1.86 to +1.70"),
                       (5, "`meda-decode-full` - `ros` = -3.00 (Welch 95 % CI -5.04 to -0.96"),
                       (3, "`meda-decode-full` - `ros` = -3.99 (Welch 95 % CI -5.70 to -2.29"),
                       (4, "`meda-decode-full` - `ros` = -2.97 (Welch 95 % CI -4.23 to -1.71"),
                       (1, "`meda-decode-full` - `ros` = -1.60 (Welch 95 % CI -2.77 to -0.43"),
                       (1, "`meda-decode` - `ros` = -1.87 (Welch 95 % CI -2.76 to -0.99"),
                       (3, "`meda-decode` - `ros` = -5.48 (Welch 95 % CI -9.13 to -1.83"),
                       (4, "`meda-decode` - `ros` = -2.78 (Welch 95 % CI -5.37 to -0.19"),
                       (3, "`meda-decode-full-slim-8k` - `meda-decode-full` = +1.33 "
                           "(Welch 95 % CI -2.32 to +4.98"),
                       (4, "`meda-decode-full-slim-8k` - `meda-decode-full` = +0.95 "
                           "(Welch 95 % CI -2.40 to +4.29"),
                       (5, "`meda-filter-phase23` - `meda-filter` = +0.76 "
                           "(Welch 95 % CI -0.91 to +2.42"),
                       (0, "`meda-all-6k` - `meda` = +1.29 (Welch 95 % CI -1.15 to +3.73"),
                       (0, "`meda-all-6k` - `adasyn` = +3.50 (Welch 95 % CI +0.85 to +6.16"),
                       (5, "`meda-all-6k` - `meda` = +0.73 (Welch 95 % CI -1.12 to +2.59"),
                       (1, "`meda-all-6k` - `meda` = +0.20 (Welch 95 % CI -0.64 to +1.05"),
                       (1, "`meda-all-6k` - `ros-augment` = +0.80 "
                           "(Welch 95 % CI +0.20 to +1.40"),
                       (3, "`meda-all-6k` - `meda` = -0.21 (Welch 95 % CI -1.59 to +1.16"),
                       (0, "`cvae` - `ros` = -13.30 (Welch 95 % CI -15.41 to -11.18"),
                       (5, "`cvae` - `ros` = -8.79 (Welch 95 % CI -9.89 to -7.68"),
                       (0, "`deepsmote` - `ros` = -11.57 (Welch 95 % CI -14.29 to -8.85"),
                       (5, "`deepsmote` - `ros` = -8.03 (Welch 95 % CI -10.11 to -5.95"),
                       (0, "`cvae` - `meda` = -15.54 (Welch 95 % CI -18.01 to -13.07"),
                       (5, "`cvae` - `meda` = -10.02 (Welch 95 % CI -11.65 to -8.39"),
                       (0, "`borderline` - `ros` = -1.14 (Welch 95 % CI -3.04 to +0.77"),
                       (5, "`borderline` - `ros` = -1.83 (Welch 95 % CI -4.40 to +0.75"),
                       (0, "`borderline` - `meda` = -3.38 (Welch 95 % CI -5.72 to -1.05"),
                       (5, "`borderline` - `meda` = -3.06 (Welch 95 % CI -5.71 to -0.41"),
                       (0, "`none` - `ros` = -13.21 (Welch 95 % CI -16.04 to -10.38"),
                       (5, "`none` - `ros` = -9.81 (Welch 95 % CI -12.44 to -7.18"),
                       (0, "`balanced` - `ros` = +11.17 (Welch 95 % CI +9.75 to +12.60"),
                       (5, "`balanced` - `ros` = +9.35 (Welch 95 % CI +8.45 to +10.26"),
                       (1, "`balanced` - `ros` = +11.38 (Welch 95 % CI +10.70 to +12.07"),
                       (3, "`balanced` - `ros` = +11.46 (Welch 95 % CI +9.84 to +13.07"),
                       (4, "`balanced` - `ros` = +12.44 (Welch 95 % CI +11.22 to +13.67"),
                       (1, "`meda-lgm` - `meda` = -0.18 (Welch 95 % CI -1.04 to +0.69"),
                       (3, "`meda-lgm` - `meda` = +0.31 (Welch 95 % CI -1.16 to +1.78"),
                       (4, "`meda-lgm` - `meda` = +0.69 (Welch 95 % CI -1.24 to +2.62"),
                       (3, "`meda-phase23` - `meda` = +0.27 (Welch 95 % CI -1.10 to +1.64"),
                       (4, "`meda-phase23` - `meda` = -0.00 (Welch 95 % CI -2.14 to +2.13"),
                       (0, "`meda-lgm` - `meda` = +0.17 (Welch 95 % CI -1.96 to +2.31"),
                       (0, "`meda-interp` - `meda` = +0.66 (Welch 95 % CI -1.92 to +3.24"),
                       (5, "`meda-interp` - `meda` = -0.16 (Welch 95 % CI -2.09 to +1.77"),
                       (1, "`meda-interp` - `meda` = +0.22 (Welch 95 % CI -0.69 to +1.13"),
                       (3, "`meda-interp` - `meda` = +0.02 (Welch 95 % CI -1.35 to +1.39"),
                       (4, "`meda-interp` - `meda` = +0.07 (Welch 95 % CI -1.87 to +2.00"),
                       (5, "`meda-lgm` - `meda` = +0.40 (Welch 95 % CI -1.36 to +2.16"),
                       (0, "`meda-phase23` - `meda` = +0.96 (Welch 95 % CI -1.35 to +3.26"),
                       (5, "`meda-phase23` - `meda` = +0.68 (Welch 95 % CI -1.23 to +2.58"),
                       (1, "`meda-phase23` - `meda` = -0.18 (Welch 95 % CI -1.00 to +0.64")):
        assert f"- seed {seed}: {line}" in out


def test_fashion_ablation_lines_over_seeds_of_results_md(capsys):
    """The lines of the Fashion-MNIST over-seeds table of RESULTS.md for the
    training budgets, the paper's parts and the displacement scale (against
    the default, the budgets also against shifted copies), for the cosine
    schedule's 4000 updates and the half-width autoencoder (against the
    default; the latter with a 64-d latent space also against the 32-d one
    and SMOTE and ADASYN), for the paper's reading (against ROS) and for
    decoded synthesis (against ROS and its trainings against each other),
    for Borderline-SMOTE and no resampling (against ROS; the former also
    against the default) and for 20,000 updates on the subsample (against
    the default, the GPU budget and shifted copies) are what the report
    prints from the raw file."""
    path = RESULTS / "fashion_mnist_paper_cpu_e10.jsonl"
    assert report.main([str(path), "--against", "ros", "--across-seeds",
                        "meda-gpu:meda,meda-gpu:ros-augment,meda-all-6k:meda,"
                        "meda-all-6k:ros-augment,meda-lgm:meda,meda-phase23:meda,"
                        "meda-interp:meda,meda-phase4:meda,meda-filter:meda,"
                        "meda-full:meda,meda:meda-scale1,"
                        "meda-all-images:meda,"
                        "meda-phase4-guidance:meda-guidance,"
                        "meda-decode-full-slim-16k:ros,meda-decode-full-slim-8k-64d:ros,"
                        "meda-decode-full-slim-8k-64d:meda-decode-full-slim-16k,"
                        "meda-paper:ros,meda-decode-full-slim-8k:ros,"
                        "meda-decode-full-slim-16k:meda-decode-full-slim-8k,"
                        "meda-decode-full-slim-8k-64d:meda-decode-full-slim-8k,"
                        "meda-decode-full:ros,meda-decode-full-slim-8k:meda-decode-full,"
                        "meda-decode:ros,meda-decode-full:meda-decode,"
                        "meda-slim-8k-64d:meda,meda-slim-8k-64d:smote,"
                        "meda-slim-8k-64d:adasyn,meda-slim-8k:meda,"
                        "meda-slim-8k-64d:meda-slim-8k,meda-cosine-4k:meda,"
                        "meda-4k:meda,meda-cosine:meda,"
                        "meda-all-slim-16k-64d:meda-slim-8k-64d,"
                        "meda-all-slim-16k-64d:meda,meda-all-slim-16k-64d:meda-gpu,"
                        "borderline:ros,none:ros,borderline:meda,"
                        "meda-20k:meda,meda-gpu:meda-20k,meda-20k:ros-augment"]) == 0
    out = capsys.readouterr().out
    out = out[out.index("over seeds"):]
    shown = (RESULTS.parent / "RESULTS.md").read_text()
    for line in ("| `meda-gpu` - `meda` | 5 | +0.72 | -0.14 to +1.58 | 4 | 0 | 0 |",
                 "| `meda-gpu` - `ros-augment` | 5 | +0.92 | +0.16 to +1.68 | 5 | 1 | 0 |",
                 "| `meda-all-6k` - `meda` | 5 | +0.39 | -0.38 to +1.16 | 3 | 0 | 0 |",
                 "| `meda-all-6k` - `ros-augment` | 5 | +0.59 | +0.01 to +1.18 | 4 | 1 | 0 |",
                 "| `meda-lgm` - `meda` | 5 | +0.28 | -0.12 to +0.67 | 4 | 0 | 0 |",
                 "| `meda-phase23` - `meda` | 5 | +0.34 | -0.24 to +0.93 | 3 | 0 | 0 |",
                 "| `meda-interp` - `meda` | 5 | +0.16 | -0.22 to +0.54 | 4 | 0 | 0 |",
                 "| `meda-phase4` - `meda` | 5 | +0.03 | -0.67 to +0.74 | 3 | 0 | 0 |",
                 "| `meda-filter` - `meda` | 5 | -0.05 | -0.56 to +0.47 | 3 | 0 | 0 |",
                 "| `meda` - `meda-scale1` | 5 | +1.28 | -0.07 to +2.64 | 5 | 1 | 0 |",
                 "| `meda-all-images` - `meda` | 5 | -0.07 | -0.58 to +0.44 | 2 | 0 | 0 |",
                 "| `meda-full` - `meda` | 5 | +0.21 | -0.39 to +0.81 | 3 | 0 | 0 |",
                 "| `meda-phase4-guidance` - `meda-guidance` | 5 | -0.02 | -0.68 to +0.64 "
                 "| 2 | 0 | 0 |",
                 "| `meda-decode-full-slim-16k` - `ros` | 5 | -0.92 | -1.44 to -0.41 "
                 "| 0 | 0 | 0 |",
                 "| `meda-decode-full-slim-8k-64d` - `ros` | 5 | -0.09 | -2.22 to +2.05 "
                 "| 2 | 1 | 1 |",
                 "| `meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-16k` | 5 | +0.84 "
                 "| -1.24 to +2.92 | 2 | 0 | 0 |",
                 "| `meda-paper` - `ros` | 5 | -7.48 | -10.85 to -4.10 | 0 | 0 | 5 |",
                 "| `meda-decode-full-slim-8k` - `ros` | 5 | -1.51 | -2.52 to -0.51 "
                 "| 0 | 0 | 0 |",
                 "| `meda-decode-full-slim-16k` - `meda-decode-full-slim-8k` | 5 | +0.59 "
                 "| +0.02 to +1.16 | 5 | 0 | 0 |",
                 "| `meda-decode-full-slim-8k-64d` - `meda-decode-full-slim-8k` | 5 | +1.43 "
                 "| -0.66 to +3.51 | 4 | 1 | 0 |",
                 "| `meda-decode-full` - `ros` | 5 | -3.12 | -4.34 to -1.89 | 0 | 0 | 5 |",
                 "| `meda-decode-full-slim-8k` - `meda-decode-full` | 5 | +1.60 "
                 "| +0.54 to +2.66 | 5 | 1 | 0 |",
                 "| `meda-decode` - `ros` | 5 | -3.92 | -5.90 to -1.94 | 0 | 0 | 5 |",
                 "| `meda-decode-full` - `meda-decode` | 5 | +0.80 | -0.11 to +1.71 "
                 "| 4 | 0 | 0 |",
                 "| `meda-slim-8k-64d` - `meda` | 5 | +0.31 | -0.18 to +0.79 | 3 | 0 | 0 |",
                 "| `meda-slim-8k-64d` - `smote` | 5 | +3.08 | +2.63 to +3.54 | 5 | 5 | 0 |",
                 "| `meda-slim-8k-64d` - `adasyn` | 5 | +3.04 | +2.54 to +3.54 "
                 "| 5 | 5 | 0 |",
                 "| `meda-slim-8k` - `meda` | 5 | +0.12 | -0.15 to +0.39 | 3 | 0 | 0 |",
                 "| `meda-slim-8k-64d` - `meda-slim-8k` | 5 | +0.19 | -0.37 to +0.75 "
                 "| 4 | 0 | 0 |",
                 "| `meda-cosine-4k` - `meda` | 5 | +0.21 | -0.12 to +0.53 | 4 | 0 | 0 |",
                 "| `meda-4k` - `meda` | 5 | -0.15 | -0.44 to +0.15 | 1 | 0 | 0 |",
                 "| `meda-cosine` - `meda` | 5 | +0.22 | -0.01 to +0.45 | 4 | 0 | 0 |",
                 "| `meda-all-slim-16k-64d` - `meda-slim-8k-64d` | 5 | -0.10 | -0.90 to +0.70 "
                 "| 2 | 0 | 0 |",
                 "| `meda-all-slim-16k-64d` - `meda-gpu` | 5 | -0.51 | -1.70 to +0.68 "
                 "| 2 | 0 | 1 |",
                 "| `borderline` - `ros` | 5 | -1.13 | -1.64 to -0.63 | 0 | 0 | 0 |",
                 "| `none` - `ros` | 5 | -10.32 | -14.62 to -6.01 | 0 | 0 | 5 |",
                 "| `borderline` - `meda` | 5 | -3.66 | -4.35 to -2.96 | 0 | 0 | 5 |",
                 "| `meda-20k` - `meda` | 5 | +0.54 | -0.32 to +1.40 | 3 | 0 | 0 |",
                 "| `meda-gpu` - `meda-20k` | 5 | +0.18 | -0.61 to +0.97 | 4 | 0 | 0 |",
                 "| `meda-20k` - `ros-augment` | 5 | +0.75 | +0.03 to +1.47 | 5 | 0 | 0 |"):
        assert line in out
        assert line in shown


#: Lines of the table of the twenty further digits splits (seeds 10-29).
MORE_DIGITS_LINES = (
    "| `meda` - `ros` | 20 | +0.97 | +0.58 to +1.37 | 17 | 11 | 0 |",
    "| `meda` - `adasyn` | 19 | +1.57 | +1.06 to +2.08 | 18 | 13 | 0 |",
    "| `meda-guidance` - `meda` | 20 | +0.19 | -0.14 to +0.52 | 13 | 2 | 1 |",
    "| `meda` - `meda-scale1` | 20 | +0.37 | +0.15 to +0.58 | 18 | 4 | 0 |",
    "| `meda-interp` - `meda` | 20 | +0.05 | -0.28 to +0.37 | 9 | 1 | 1 |",
    "| `meda-noaug` - `ros` | 20 | +0.64 | +0.43 to +0.84 | 18 | 3 | 0 |",
    "| `meda-phase4` - `meda` | 20 | -0.11 | -0.25 to +0.04 | 8 | 0 | 1 |",
    "| `meda-guidance` - `ros` | 20 | +1.16 | +0.86 to +1.46 | 19 | 11 | 0 |",
)


def _report_commands(heading):
    """Each report command of the RESULTS.md section under ``heading``, as
    report arguments on the raw file here, with the section's text after the
    code block that holds it."""
    import shlex

    text = (RESULTS.parent / "RESULTS.md").read_text()
    section = text[text.index(heading):]
    section = section[:section.index("\n## ")]
    out = []
    for block in section.split("```\n")[1::2]:
        code = block.replace("\\\n", " ")
        for line in code.splitlines():
            if not line.startswith("python benchmarks/report.py"):
                continue
            args = shlex.split(line)[2:]
            name = args[0].removeprefix("benchmarks/results/")
            args[0] = str(RESULTS / name)
            out.append((name, args, section[section.index(block) + len(block):]))
    return out


def _digits_report_tables():
    """Each report command of the digits section of RESULTS.md, as report
    arguments on the raw file here, with the over-seeds table shown after it."""
    out = []
    for name, args, after in _report_commands("## Digits, paper profile"):
        shown = after[after.index("| difference | seeds |"):]
        out.append((name, args, shown[:shown.index("\n\n")].strip()))
    return out


def test_digits_over_seeds_tables_of_results_md(capsys):
    """The digits section's over-seeds tables of RESULTS.md are what the report
    prints from their raw files, with the commands printed above them there."""
    tables = _digits_report_tables()
    assert [name for name, _, _ in tables] == ["digits_paper_cpu.jsonl",
                                               "digits_paper_cpu_more.jsonl"]
    for _, args, shown in tables:
        assert report.main(args) == 0
        out = capsys.readouterr().out
        printed = out[out.index("| difference |", out.index("over seeds")):].strip()
        assert printed == shown
    first, more = tables[0][2], tables[1][2]
    for line in ("| `meda-guidance` - `meda` | 10 | +0.54 | +0.10 to +0.97 | 8 | 2 | 0 |",
                 "| `meda` - `ros` | 10 | +1.24 | +0.27 to +2.21 | 8 | 5 | 0 |",
                 "| `meda-guidance` - `ros` | 10 | +1.78 | +0.67 to +2.88 | 9 | 7 | 0 |",
                 "| `meda-paper` - `ros` | 10 | -1.47 | -2.23 to -0.70 | 1 | 0 | 7 |",
                 "| `meda-guidance1` - `meda-guidance` | 10 | -0.00 | -0.18 to +0.18 | 5 | 0 "
                 "| 0 |",
                 "| `meda-interp` - `meda` | 10 | +0.35 | -0.27 to +0.97 | 6 | 1 | 1 |"):
        assert line in first
    for line in MORE_DIGITS_LINES:
        assert line in more


def test_fashion_30_epoch_table_of_results_md(capsys):
    """The 30-epoch section's table and pair lines in RESULTS.md are what its
    report command prints from the raw file, and every row there has five
    30-epoch CNNs."""
    [(name, args, after)] = _report_commands(
        "## Fashion-MNIST, paper protocol, CPU, 30-epoch CNN")
    assert name == "fashion_mnist_paper_cpu_e30.jsonl"
    assert report.main(args) == 0
    out = capsys.readouterr().out
    printed = out[out.index("| sampler | seed |"):].strip()
    shown = after[after.index("| sampler | seed |"):]
    assert printed == shown[:shown.index("\n\nWith the 30-epoch CNN")].strip()
    raw = (RESULTS / "fashion_mnist_paper_cpu_e30.jsonl").read_text().splitlines()
    rows = [json.loads(x) for x in raw]
    assert {r["epochs"] for r in rows} == {30}
    assert all(len(r["f1_per_classifier"]) == 5 for r in rows)
    assert "| `meda` | 5 | 5 | 84.53 ± 1.30 | `ros` | +1.77 | +0.12 to +3.41 | 0.04 |" in printed
    assert "`meda` - `smote` = +2.14 (Welch 95 % CI -0.12 to +4.40, p 0.06)" in printed
    assert "`meda` - `adasyn` = +3.49 (Welch 95 % CI +1.90 to +5.08, p 0.00)" in printed
    assert "| `meda` | 0 | 5 | 84.54 ± 0.87 | `smote` | +3.73 | +2.38 to +5.08 | 0.00 |" in printed
    assert "seed 0: `meda` - `ros` = +3.85 (Welch 95 % CI +2.38 to +5.33, p 0.00)" in printed
    assert "seed 0: `meda` - `adasyn` = +4.11 (Welch 95 % CI +1.96 to +6.26, p 0.00)" in printed
    assert "| `meda` | 1 | 5 | 82.87 ± 0.47 | `ros` | +1.90 | +0.95 to +2.85 | 0.00 |" in printed
    assert "seed 1: `meda` - `smote` = +2.22 (Welch 95 % CI +1.46 to +2.98, p 0.00)" in printed
    assert "seed 1: `meda` - `adasyn` = +2.60 (Welch 95 % CI +1.28 to +3.93, p 0.00)" in printed
    assert "| `meda` | 3 | 5 | 83.66 ± 0.50 | `ros` | +3.63 | +2.15 to +5.10 | 0.00 |" in printed
    # Seed 3 has only ROS and the default so far; the text says so beside the table.
    assert "seed 3: `meda` - `smote`" not in printed
    assert "on\nseed 3 only `ros` has run with this CNN so far" in after
    assert {(r["seed"], r["sampler"]) for r in rows} == {
        (seed, sampler) for seed in (0, 5, 1) for sampler in ("ros", "smote", "adasyn", "meda")
    } | {(3, "ros"), (3, "meda")}
