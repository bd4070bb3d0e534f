"""Tests of the benchmark runner (benchmarks/run.py and its modules) and its final CNN."""

import json
import sys
import types

import numpy as np
import pytest
import torch

from benchmarks import figures, protocol, run, samplers, tables
from benchmarks.classifier import SmallCNN, train_and_score
from benchmarks.config import GENERATIVE
from imblearn_meda.datasets import paper_minority_classes

REQUIRED_KEYS = {
    "dataset", "seed", "sampler", "accuracy", "precision", "recall", "specificity",
    "f1", "gmean", "auc", "fit_seconds", "classifier_seconds", "device",
}
PERCENT_KEYS = ("accuracy", "precision", "recall", "specificity", "f1", "gmean")


@pytest.fixture(autouse=True)
def _one_torch_thread():
    # Tiny models: one thread is faster, and far faster on a shared machine.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _read(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """One tiny run on digits shared by several tests."""
    out = tmp_path_factory.mktemp("bench") / "rows.jsonl"
    argv = ["--dataset", "digits", "--samplers", "none,ros,balanced", "--seeds", "0,5",
            "--epochs", "2", "--device", "cpu", "--threads", "1", "--out", str(out)]
    status = run.main(argv)
    return status, out


def test_main_writes_one_row_per_seed_and_sampler(digits_run):
    status, out = digits_run
    assert status == 0
    rows = _read(out)
    assert [(r["seed"], r["sampler"]) for r in rows] == [
        (0, "none"), (0, "ros"), (0, "balanced"),
        (5, "none"), (5, "ros"), (5, "balanced"),
    ]
    for r in rows:
        assert REQUIRED_KEYS <= set(r)
        assert r["dataset"] == "digits" and r["device"] == "cpu"
        assert r["threads"] == 1  # --threads 1, recorded: thread counts change fits
        for key in PERCENT_KEYS:
            assert 0.0 <= r[key] <= 100.0
        # percent, not fractions: a 2-epoch CNN on digits beats 10 % accuracy
        assert r["accuracy"] > 1.0
        assert 0.0 <= r["auc"] <= 1.0
        assert r["fit_seconds"] >= 0 and r["classifier_seconds"] > 0
        assert r["epochs"] == 2 and 1 <= r["best_epoch"] <= 2


def test_digits_paper_profile_counts(digits_run):
    rows = _read(digits_run[1])
    for r in rows:
        minority = paper_minority_classes(r["seed"])
        assert r["minority_classes"] == sorted(minority)
        counts = {int(c): n for c, n in r["train_counts"].items()}
        assert counts == {c: (10 if c in minority else 100) for c in range(10)}
        assert r["n_train"] == 550 and r["n_val"] == 200 and r["n_test"] == 500
        expected = {"none": 550, "ros": 1000, "balanced": 1000}[r["sampler"]]
        assert r["n_train_resampled"] == expected
        assert "note" not in r  # digits has enough real images for the ceiling


def test_table_printed_and_table_only(digits_run, capsys):
    out = digits_run[1]
    assert run.main(["--table-only", str(out)]) == 0
    table = capsys.readouterr().out
    lines = [line for line in table.splitlines() if line.startswith("| `")]
    assert [line.split("|")[1].strip() for line in lines] == ["`none`", "`ros`", "`balanced`"]
    assert all(" ± " in line for line in lines)  # two seeds: mean ± std
    assert "**digits**, profile `paper`" in table


def test_render_table_mean_std_and_notes():
    rows = [
        {"dataset": "d", "profile": "paper", "quick": False, "seed": s, "sampler": "x",
         "accuracy": a, "precision": 50.0, "recall": 50.0, "specificity": 90.0,
         "f1": 40.0, "gmean": 60.0, "auc": u, "fit_seconds": 1.0,
         "classifier_seconds": 2.0}
        for s, a, u in [(0, 90.0, 0.9), (1, 92.0, 0.95)]
    ]
    rows.append(dict(rows[0], sampler="y", auc=None, note="class 3: only 4 of 9"))
    rows.append(dict(rows[0], dataset="e"))
    table = tables.render_table(rows)
    x_line = next(line for line in table.splitlines() if line.startswith("| `x`"))
    cells = [c.strip() for c in x_line.strip("|").split("|")]
    assert cells[1] == "0,1"
    assert cells[2] == "91.00 ± 1.41"  # sample std of 90 and 92
    assert cells[3] == "50.00 ± 0.00"
    assert cells[8] == "0.9250 ± 0.0354"
    y_line = next(line for line in table.splitlines() if line.startswith("| `y`"))
    assert "n/a" in y_line and "±" not in y_line.split("|")[3]
    assert "- `y`, seed 0: class 3: only 4 of 9" in table
    assert table.count("| sampler |") == 2  # datasets d and e get a table each


def test_help_states_quick_reductions(capsys):
    with pytest.raises(SystemExit) as exc:
        run.main(["--help"])
    assert exc.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--dataset", "--data-dir", "--seeds", "--samplers", "--profile",
                   "--quick", "--device", "--out", "--figures", "--table-only",
                   "--sampler-params"):
        assert option in text
    assert "--quick reduces exactly" in text and "2000" in text


def test_unknown_sampler_is_refused(tmp_path):
    with pytest.raises(SystemExit):
        run.main(["--samplers", "nope", "--out", str(tmp_path / "x.jsonl")])


def _args(**kw):
    ns = run.build_parser().parse_args([])
    for k, v in kw.items():
        setattr(ns, k, v)
    return ns


def test_classifier_epochs_and_seeds_of_a_row():
    from benchmarks.runner import classifier_epochs, classifier_seed_list

    assert classifier_epochs(_args(), 1000) == 30
    assert classifier_epochs(_args(epochs=7, quick=True), 1000) == 7
    # quick: 5 epochs, unless that is fewer than 200 updates (8 batches: 25 epochs)
    assert classifier_epochs(_args(quick=True), 1000) == 25
    assert classifier_epochs(_args(quick=True), 128 * 50) == 5
    assert classifier_seed_list(5, _args(classifier_seeds=3, classifier_seed_offset=2)) == [
        2005, 3005, 4005]


def test_quick_profile_and_balanced_shortfall():
    source = protocol.load_source("digits")
    # quick scales MNIST-like counts to at most 500 and keeps >= 10 per class
    assert protocol.quick_counts({0: 5000, 1: 50}) == {0: 500, 1: 10}
    assert protocol.quick_counts({0: 100, 1: 3}) == {0: 100, 1: 3}
    counts, minority = protocol.profile_counts("gamo", source, 0, 20)
    assert counts[0] == 100 and counts[9] == 1 and minority == list(range(1, 10))
    counts, _ = protocol.profile_counts("exp:10", source, 0, 20)
    assert counts[0] == 100 and counts[9] == 10
    with pytest.raises(SystemExit):
        protocol.profile_counts("counts:1,2", source, 0, 20)
    # A majority count that eats the pool: the ceiling says what it could not fill.
    split = protocol.make_split(source, 0, "counts:105," + ",".join(["5"] * 9), False)
    X, y, note = protocol.draw_balanced(source, split, 0)
    assert note is not None and "extra real images available" in note
    assert np.bincount(y)[0] == 105 and len(X) == len(y)
    assert np.bincount(y)[1:].max() <= 105 and "class 8" in note


def test_custom_sampler_rows_flushed_and_figures(tmp_path, monkeypatch):
    """A module:Class sampler gets random_state; earlier rows are already on disk
    when it runs; failures are reported without losing the other rows."""
    out = tmp_path / "rows.jsonl"
    seen = {}

    class Dup:
        def __init__(self, random_state=None):
            self.random_state = random_state

        def fit_resample(self, X, y):
            seen["random_state"] = self.random_state
            seen["lines_on_disk"] = len(_read(out))
            self.history_ = [{"phase": 1, "epoch": e, "loss": 1.0 / (e + 1)}
                             for e in range(3)]
            minority = np.flatnonzero(np.isin(y, [1, 2, 4, 8, 9]))
            return np.vstack([X, X[minority]]), np.r_[y, y[minority]]

    class Broken:
        def fit_resample(self, X, y):
            raise RuntimeError("boom")

    module = types.ModuleType("_bench_test_plugins")
    module.Dup, module.Broken = Dup, Broken
    monkeypatch.setitem(sys.modules, "_bench_test_plugins", module)
    figs = tmp_path / "figs"
    status = run.main([
        "--samplers", "none,_bench_test_plugins:Broken,_bench_test_plugins:Dup",
        "--seeds", "0", "--epochs", "1", "--device", "cpu", "--threads", "1",
        "--out", str(out), "--figures", str(figs),
    ])
    assert status == 1  # Broken failed
    rows = _read(out)
    assert [r["sampler"] for r in rows] == ["none", "_bench_test_plugins:Dup"]
    assert seen == {"random_state": 0, "lines_on_disk": 1}
    names = sorted(p.name for p in figs.iterdir())
    assert "digits-seed0-real-samples.png" in names
    assert "digits-seed0-_bench_test_plugins_Dup-samples.png" in names
    assert "digits-seed0-_bench_test_plugins_Dup-losses.png" in names
    assert "digits-seed0-_bench_test_plugins_Dup-classes.png" not in names  # no decoder
    assert "cnn-f1.png" in names


@pytest.mark.filterwarnings("ignore::UserWarning")  # a two-epoch model fails its filter
def test_row_figures_of_a_sampler_with_a_decoder_show_its_classes(tmp_path, fitted_digits):
    from types import SimpleNamespace

    sampler, X_res, y_res = fitted_digits
    n = len(X_res) - sum(sampler.sampling_strategy_.values())  # the real rows come first
    X, y = X_res[:n], y_res[:n]
    minority = sorted(c for c, k in sampler.sampling_strategy_.items() if k > 0)
    source = SimpleNamespace(name="digits", class_names=[str(c) for c in range(10)])
    split = SimpleNamespace(X_train=X, y_train=y, minority_classes=minority)
    saved = figures.save_figures(tmp_path, source, split, 0, "meda", sampler,
                                 X_res[n:], y_res[n:])
    names = sorted(p.name for p in saved)
    assert "digits-seed0-meda-classes.png" in names
    assert all((tmp_path / name).stat().st_size > 0 for name in names)


def test_cnn_spread_has_a_panel_per_seed_and_a_dot_per_cnn(tmp_path):
    from matplotlib.collections import PathCollection

    rows = [{"dataset": "d", "profile": "paper", "quick": False, "seed": seed,
             "sampler": name, "f1": 80.0, "f1_per_classifier": [79.0, 81.0],
             "classifier_seeds": [seed, seed + 1000]}
            for seed in (0, 5) for name in ("ros", "meda")]
    rows.append(dict(rows[0], f1=84.0, classifier_seeds=[2000], f1_per_classifier=[84.0]))
    fig = figures.plot_cnn_spread(rows)
    assert [ax.get_title() for ax in fig.axes] == ["d, seed 0", "d, seed 5"]
    dots = [[len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]
            for ax in fig.axes]
    assert dots == [[3, 2], [2, 2]]  # ros of seed 0 pooled with its third CNN
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == ["ros", "meda"]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert run.main(["--table-only", str(path), "--figures", str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / "cnn-f1.png").stat().st_size > 0
    assert figures.plot_cnn_spread([{"dataset": "d", "seed": 0, "sampler": "x"}]) is None


def test_resume_skips_done_rows(tmp_path):
    out = tmp_path / "rows.jsonl"
    base = ["--samplers", "none", "--seeds", "0", "--epochs", "1", "--device", "cpu",
            "--threads", "1", "--out", str(out)]
    assert run.main(base) == 0
    assert run.main(base[:1] + ["none,ros"] + base[2:] + ["--resume"]) == 0
    assert [r["sampler"] for r in _read(out)] == ["none", "ros"]


@pytest.mark.parametrize("shape", [(1, 8, 8), (1, 28, 28), (3, 32, 32), (3, 64, 64)])
def test_small_cnn_sizes_from_image_shape(shape):
    model = SmallCNN(shape, n_classes=7).eval()
    with torch.no_grad():
        assert model(torch.zeros(2, *shape)).shape == (2, 7)


def test_classifier_is_seeded_and_leaves_global_rng_alone():
    rng = np.random.RandomState(0)
    X = rng.rand(60, 1, 8, 8).astype(np.float32) * 16
    y = np.arange(60) % 3
    X[y == 1, :, :4] += 8  # something learnable
    state = torch.get_rng_state()
    kw = dict(n_classes=3, epochs=3, batch_size=16)
    a = train_and_score(X[:40], y[:40], X[40:50], y[40:50], X[50:], 3, **kw)
    b = train_and_score(X[:40], y[:40], X[40:50], y[40:50], X[50:], 3, **kw)
    assert torch.equal(state, torch.get_rng_state())
    np.testing.assert_array_equal(a["y_score"], b["y_score"])
    assert a["y_score"].shape == (10, 3)
    np.testing.assert_allclose(a["y_score"].sum(1), 1.0, rtol=1e-5)
    best = max(h["val_accuracy"] for h in a["history"])
    assert a["best_val_accuracy"] == best
    assert a["history"][a["best_epoch"] - 1]["val_accuracy"] == best


def test_classifier_seeds_average_several_cnns(tmp_path, digits_run):
    """--classifier-seeds 2: the row's F1 is the mean of the two CNNs' F1, and
    the first CNN is the one a single-seed run trains."""
    out = tmp_path / "rows.jsonl"
    argv = ["--dataset", "digits", "--samplers", "ros", "--seeds", "0", "--epochs", "2",
            "--device", "cpu", "--threads", "1", "--classifier-seeds", "2",
            "--out", str(out)]
    assert run.main(argv) == 0
    (row,) = _read(out)
    assert row["classifier_seeds"] == [0, 1000]
    assert len(row["f1_per_classifier"]) == 2 and len(row["best_epoch"]) == 2
    assert row["f1"] == pytest.approx(np.mean(row["f1_per_classifier"]))
    # macro F1 is the mean of the classes' F1, for each CNN and so for their mean
    assert len(row["f1_per_class"]) == 10
    assert row["f1"] == pytest.approx(np.mean(row["f1_per_class"]), abs=1e-3)
    single = next(r for r in _read(digits_run[1]) if r["seed"] == 0 and r["sampler"] == "ros")
    assert single["classifier_seeds"] == [0]
    assert row["f1_per_classifier"][0] == pytest.approx(single["f1"])


def test_classifier_seed_offset_adds_the_next_cnns(tmp_path):
    """--classifier-seed-offset 1 trains the CNN that a two-CNN run trains
    second, on the same resampled set; --resume does not count a row with other
    CNN seeds as done."""
    out = tmp_path / "rows.jsonl"
    base = ["--dataset", "digits", "--samplers", "ros", "--seeds", "0", "--epochs", "2",
            "--device", "cpu", "--threads", "1", "--out", str(out)]
    assert run.main(base + ["--classifier-seeds", "2"]) == 0
    assert run.main(base + ["--classifier-seed-offset", "1", "--resume"]) == 0
    pair, second = _read(out)
    assert second["classifier_seeds"] == [1000]
    assert second["f1"] == pytest.approx(pair["f1_per_classifier"][1])
    assert run.main(base + ["--classifier-seed-offset", "1", "--resume"]) == 0
    assert len(_read(out)) == 2


def test_table_only_pools_rows_that_add_cnns(tmp_path, capsys):
    """A row of CNNs 0-1 in one file and a row of CNN 2 in another are one
    three-CNN row in the table: every metric is the mean over the three CNNs."""
    base = {"dataset": "d", "profile": "paper", "quick": False, "seed": 0, "sampler": "x",
            "epochs": 2, "sampler_params": {}, "precision": 50.0, "recall": 50.0,
            "specificity": 90.0, "gmean": 60.0, "auc": 0.9, "fit_seconds": 1.0}
    first = dict(base, accuracy=90.0, f1=80.0, f1_per_classifier=[79.0, 81.0],
                 classifier_seeds=[0, 1000], best_epoch=[1, 2], classifier_seconds=4.0,
                 f1_per_class=[70.0, 90.0])
    later = dict(base, accuracy=93.0, f1=83.0, classifier_seeds=[2000], best_epoch=2,
                 classifier_seconds=2.0, fit_seconds=3.0, f1_per_class=[73.0, 93.0])
    (row,) = tables.pool_classifier_runs([first, later])
    assert row["accuracy"] == pytest.approx(91.0) and row["f1"] == pytest.approx(81.0)
    assert row["f1_per_classifier"] == [79.0, 81.0, 83.0]
    assert row["classifier_seeds"] == [0, 1000, 2000] and row["best_epoch"] == [1, 2, 2]
    assert row["classifier_seconds"] == 6.0 and row["fit_seconds"] == 2.0
    assert row["f1_per_class"] == pytest.approx([71.0, 91.0])
    (no_classes,) = tables.pool_classifier_runs([first, dict(later, f1_per_class=None)])
    assert "f1_per_class" not in no_classes
    files = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path, r in zip(files, [first, later]):
        path.write_text(json.dumps(r) + "\n")
    assert run.main(["--table-only", *map(str, files)]) == 0
    (line,) = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("| `x`")]
    assert [c.strip() for c in line.strip("|").split("|")][2:4] == ["91.00", "50.00"]


def test_rows_measured_again_with_the_same_cnns_are_not_pooled():
    row = {"dataset": "d", "profile": "paper", "quick": False, "seed": 0, "sampler": "x",
           "epochs": 2, "sampler_params": {}, "f1": 80.0, "classifier_seeds": [0, 1000]}
    again = dict(row, f1=81.0, classifier_seeds=[1000, 2000])
    other_params = dict(row, sampler_params={"k": 1}, classifier_seeds=[2000])
    pooled = tables.pool_classifier_runs([row, again, other_params])
    assert [r["f1"] for r in pooled] == [80.0, 81.0, 80.0]
    assert all("same CNN seeds" in r["note"] for r in pooled[:2])
    assert "note" not in pooled[2]


def test_classifier_seed_offset_must_not_be_negative(tmp_path):
    with pytest.raises(SystemExit, match="classifier-seed-offset"):
        run.main(["--dataset", "digits", "--samplers", "ros", "--classifier-seed-offset", "-1",
                  "--out", str(tmp_path / "r.jsonl")])


def test_classifier_seeds_must_be_positive(tmp_path):
    with pytest.raises(SystemExit, match="classifier-seeds"):
        run.main(["--dataset", "digits", "--samplers", "ros", "--classifier-seeds", "0",
                  "--out", str(tmp_path / "r.jsonl")])


@pytest.mark.parametrize("quick", [False, True])
def test_named_ablations_build_their_samplers(quick):
    from imblearn_meda import DeepSMOTESampler, MEDALUDESampler

    expected = {
        "deepsmote": (DeepSMOTESampler, {"synthesis": "decode"}),
        "deepsmote-residual": (DeepSMOTESampler, {"synthesis": "residual"}),
        "meda": (MEDALUDESampler, {"synthesis": "residual"}),
        "meda-decode": (MEDALUDESampler, {"synthesis": "decode"}),
        "meda-phase23": (MEDALUDESampler, {"phase2_epochs": "auto",
                                           "phase3_epochs": "auto"}),
        "meda-phase4": (MEDALUDESampler, {"n_generations": 5}),
    }
    for name, (cls, params) in expected.items():
        sampler = samplers.build_sampler(name, 3, samplers.sampler_params(name, quick), "cpu", 0,
                                    (1, 8, 8))
        assert type(sampler) is cls
        got = sampler.get_params()
        assert {k: got[k] for k in params} == params
        assert got["random_state"] == 3 and got["image_shape"] == (1, 8, 8)
    assert "deepsmote-residual" in GENERATIVE
