"""Phase 1's training budget and learning-rate schedule, compared by how well
the trained autoencoder reconstructs images it never saw.

For each configuration, fits ``MEDALUDESampler(n_iterations=0, **params)``
(Phase 1 and the refit of the Gaussians; no new samples are drawn) on the
paper-protocol split of ``--seed`` and reports:

* ``rec_minority`` / ``rec_majority``: the mean squared error per pixel of
  ``D(E(x))`` against ``x`` over the official test images of the minority /
  majority classes (images on the networks' ``[0, 1]`` scale), 100 times
  (lower: a decoder that generalises better);
* ``rec1_last``: Phase 1's training reconstruction error in its last epoch;
* ``phase1_s``: Phase 1's wall-clock seconds.

No classifier is trained, so a configuration costs one Phase 1 (2-5 minutes
on 2 CPU cores at the default size).

    python benchmarks/schedule_check.py --seed 2 --out schedule.jsonl
    python benchmarks/schedule_check.py --configs '{"lr2e-3": {"learning_rate": 2e-3}}'
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import COSINE, SLIM  # noqa: E402
from benchmarks.decoder_check import config_parser, set_up  # noqa: E402

#: The default's budget and a larger one, each with the constant rate and
#: with the cosine-annealed higher rate of the ``meda-cosine`` rows; and the
#: narrower autoencoder of ``meda-slim-8k`` at two budgets.
CONFIGS = {
    "constant-2400": {},
    "cosine-2400": dict(COSINE),
    "constant-4000": {"pretrain_updates": 4000},
    "cosine-4000": {**COSINE, "pretrain_updates": 4000},
    "slim-4000": {**SLIM, "pretrain_updates": 4000},
    "slim-8000": {**SLIM, "pretrain_updates": 8000},
}


@torch.no_grad()
def reconstruction_errors(sampler, X, batch_size=1000):
    """Per-image mean squared error of ``D(E(x))`` on the networks' scale."""
    Xn = sampler._scaler.to_net(X).reshape(len(X), *sampler.image_shape_)
    errors = []
    for start in range(0, len(Xn), batch_size):
        x = torch.as_tensor(np.ascontiguousarray(Xn[start:start + batch_size]),
                            dtype=torch.float32, device=sampler.device_)
        x_rec = sampler.decoder_(sampler.encoder_(x))
        errors.append(((x_rec - x) ** 2).flatten(1).mean(1).cpu().numpy())
    return np.concatenate(errors)


def main(argv=None):
    args = config_parser(__doc__.split("\n\n")[0]).parse_args(argv)
    configs, source, split = set_up(args, CONFIGS)

    from imblearn_meda import MEDALUDESampler

    minority = np.isin(source.y_test, split.minority_classes)
    X_test = source.X_test.reshape(len(source.X_test), -1)
    print(f"{args.dataset} seed {args.seed}: minority classes {split.minority_classes}",
          flush=True)
    for name, params in configs.items():
        full = {"n_iterations": 0, **params}
        sampler = MEDALUDESampler(random_state=args.seed, image_shape=source.image_shape,
                                  **full)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sampler.fit(split.X_train.reshape(len(split.X_train), -1), split.y_train)
        fit_s = time.perf_counter() - start
        errors = reconstruction_errors(sampler, X_test)
        row = {
            "name": name, "dataset": args.dataset, "seed": args.seed, "params": full,
            "threads": args.threads, "fit_s": round(fit_s, 3),
            "phase1_s": round(sampler.phase_seconds_["phase1"], 3),
            "updates": sampler.pretrain_epochs_ * -(-sampler.n_train_ // sampler.batch_size_),
            "rec_minority": round(100 * float(errors[minority].mean()), 4),
            "rec_majority": round(100 * float(errors[~minority].mean()), 4),
            "rec1_last": sampler.history_.where(phase="phase1")[-1].get("rec"),
        }
        print(json.dumps(row), flush=True)
        if args.out:
            with open(args.out, "a") as fh:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
