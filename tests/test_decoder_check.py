"""Tests of benchmarks/decoder_check.py: the Fréchet distance and one tiny run."""

import json

import numpy as np
import pytest

from benchmarks import decoder_check


def test_frechet_distance_of_known_gaussians():
    rng = np.random.RandomState(0)
    a = rng.normal(size=(4000, 3))
    a -= a.mean(axis=0)
    assert decoder_check.frechet(a, a) < 1e-6
    # Equal covariances: the distance is the squared distance of the means.
    shifted = a + np.array([3.0, 0.0, 4.0])
    assert abs(decoder_check.frechet(a, shifted) - 25.0) < 1e-6
    # Equal means, scaled: trace(C1 + C2 - 2 sqrt(C1 C2)) = 3 (1 + 4 - 4).
    assert abs(decoder_check.frechet(a, 2 * a) - 3 * np.var(a, axis=0, ddof=1).mean()) < 1e-6


# 12 draws span fewer than the 128 feature dimensions: singular covariances.
@pytest.mark.filterwarnings("ignore:Matrix is singular")
def test_decoder_check_on_digits(tmp_path, capsys):
    out = tmp_path / "decoder.jsonl"
    configs = json.dumps({"short": {"pretrain_updates": 20, "n_jobs": 1}})
    assert decoder_check.main(["--dataset", "digits", "--seed", "2", "--configs", configs,
                               "--draws", "12", "--ref-per-class", "5", "--ref-epochs", "1",
                               "--threads", "1", "--reference", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["name"] for r in rows] == ["real_copies", "other_real_images", "short"]
    short = rows[-1]
    assert short["params"] == {"synthesis": "decode", "n_iterations": 0, "max_shift": 0,
                               "pretrain_updates": 20, "n_jobs": 1}
    minority = sorted(int(c) for c in short["per_class"])
    assert len(minority) == 5
    for r in rows:
        assert 0.0 <= r["oracle_acc"] <= 1.0 and np.isfinite(r["fd"]) and r["fd"] >= 0
        assert r["fd"] == np.mean([v[1] for v in r["per_class"].values()])
    assert short["rec1_last"] > 0
    assert "minority classes" in capsys.readouterr().out
