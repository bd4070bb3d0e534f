"""Same random_state, same output, across two separate processes (CPU)."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import hashlib
    import numpy as np
    import torch
    from sklearn.datasets import load_digits
    from imblearn_meda import MEDALUDESampler

    torch.set_num_threads(1)
    X, y = load_digits(return_X_y=True)
    keep = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in {0: 60, 1: 12}.items()])
    sampler = MEDALUDESampler(
        pretrain_epochs=2, n_iterations=1, phase2_epochs=1, phase3_epochs=1,
        n_generations=1, population_size=64, latent_dim=8, batch_size=64,
        device="cpu", random_state=7,
    )
    X_res, y_res = sampler.fit_resample(X[keep], y[keep])
    print(hashlib.sha256(X_res.tobytes() + y_res.tobytes()).hexdigest(), len(y_res))
    """
)


def _run_once():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_same_random_state_same_output_across_processes():
    first, second = _run_once(), _run_once()
    digest, n = first.split()
    assert int(n) == 120  # 60 + 12 originals + 48 new
    assert first == second
