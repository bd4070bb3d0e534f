"""Tests of benchmarks/schedule_check.py: the held-out error and one tiny run."""

import json

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from benchmarks import schedule_check
from imblearn_meda import MEDALUDESampler


def test_reconstruction_errors_are_per_image_errors_on_the_networks_scale():
    X, y = load_digits(return_X_y=True)
    sampler = MEDALUDESampler(n_iterations=0, pretrain_updates=5, latent_dim=4,
                              random_state=0).fit(X[:200], y[:200])
    errors = schedule_check.reconstruction_errors(sampler, X[200:230], batch_size=7)
    x = torch.as_tensor(X[200:230] / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
    with torch.no_grad():
        expected = ((sampler.decoder_(sampler.encoder_(x)) - x) ** 2).flatten(1).mean(1)
    np.testing.assert_allclose(errors, expected.numpy(), rtol=1e-5)


def test_schedule_check_on_digits(tmp_path, capsys):
    out = tmp_path / "schedule.jsonl"
    configs = json.dumps({"constant": {"pretrain_updates": 20, "n_jobs": 1},
                          "cosine": {"pretrain_updates": 20, "n_jobs": 1,
                                     "pretrain_schedule": "cosine"}})
    assert schedule_check.main(["--dataset", "digits", "--seed", "2", "--configs", configs,
                                "--threads", "1", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["name"] for r in rows] == ["constant", "cosine"]
    assert rows[1]["params"] == {"n_iterations": 0, "pretrain_updates": 20, "n_jobs": 1,
                                 "pretrain_schedule": "cosine"}
    for r in rows:
        # Milliseconds: a tenth of a second would round a fast Phase 1 to zero.
        assert r["updates"] >= 20 and 0 < r["phase1_s"] <= r["fit_s"]
        assert r["rec_minority"] > 0 and r["rec_majority"] > 0 and r["rec1_last"] > 0
    # Same seed, same data: only the schedule differs, and it changes the fit.
    assert rows[0]["rec_minority"] != rows[1]["rec_minority"]
    assert "minority classes" in capsys.readouterr().out


#: (seed, torch threads) of each Fashion-MNIST run in RESULTS.md's Phase-1
#: budget section, in its order.
SCHEDULE_RUNS = [(2, 2), (1, 1), (3, 2), (4, 2), (0, 2), (5, 2), (6, 2), (7, 2), (8, 2), (9, 2),
                 (10, 2), (11, 2), (12, 2), (13, 2), (14, 1), (15, 2), (16, 2)]


def test_schedule_runs_are_every_raw_file_and_command_of_results_md():
    """Every raw file and every command of the section is checked below."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "benchmarks" / "results").glob("schedule_fashion_seed*.jsonl"))
    assert sorted(int(f.stem.removeprefix("schedule_fashion_seed")) for f in files) == sorted(
        seed for seed, _ in SCHEDULE_RUNS)
    text = (root / "benchmarks" / "RESULTS.md").read_text()
    commands = re.findall(r"^python benchmarks/schedule_check\.py --seed (\d+) --threads (\d+) ",
                          text, flags=re.M)
    assert [(int(s), int(t)) for s, t in commands] == SCHEDULE_RUNS


@pytest.mark.parametrize("seed, threads", SCHEDULE_RUNS)
def test_results_md_schedule_table_is_the_raw_file(seed, threads):
    """RESULTS.md's Phase-1 budget table, row for row, from its raw files."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    raw = root / "benchmarks" / "results" / f"schedule_fashion_seed{seed}.jsonl"
    rows = [json.loads(line) for line in raw.read_text().splitlines()]
    assert [r["name"] for r in rows] == list(schedule_check.CONFIGS)
    for r in rows:
        expected = {"n_iterations": 0, **schedule_check.CONFIGS[r["name"]]}
        assert r["params"] == expected and r["seed"] == seed and r["threads"] == threads
    text = (root / "benchmarks" / "RESULTS.md").read_text()
    for r in rows:
        line = (f"| {seed} | {r['updates']} | {r['phase1_s']:.0f} | {r['rec_minority']:.3f} | "
                f"{r['rec_majority']:.3f} | {100 * r['rec1_last']:.3f} |")
        table_rows = [t for t in text.splitlines()
                      if t.startswith(f"| `{r['name']}`") and f"| {seed} | " in t]
        assert len(table_rows) == 1 and table_rows[0].endswith(line), r["name"]
