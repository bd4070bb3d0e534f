"""Golden outputs: a fixed random_state gives the same output bits as recorded.

Each case fits one sampler on a small data set and compares a SHA-256 digest
of ``fit_resample``'s output with the digest recorded in
``tests/data/golden_outputs.json``. Moving code between modules must not
change a single bit; a change of the method must re-record the digests, on
purpose, with

    python tests/test_golden.py --update

Float results depend on the torch build and on the CPU's vector instructions,
so the digests are only compared where both match the recording.
"""

import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits, make_classification

GOLDEN = Path(__file__).with_name("data") / "golden_outputs.json"

_FAST = dict(pretrain_epochs=2, n_iterations=1, phase2_epochs=1, phase3_epochs=1,
             n_generations=2, filter_synthetic=True, population_size=64, latent_dim=8,
             batch_size=64, device="cpu")

#: name -> (sampler class, parameters, data set)
CASES = {
    "meda-residual-digits": ("MEDALUDESampler", dict(random_state=7, **_FAST), "digits"),
    # The defaults' path: no filter, no Phases 2-4, no majority guidance, the
    # image classifier not trained.
    "meda-defaults-digits": ("MEDALUDESampler",
                             dict(random_state=7, pretrain_epochs=2, latent_dim=8,
                                  batch_size=64, device="cpu"),
                             "digits"),
    "meda-decode-digits": ("MEDALUDESampler",
                           dict(random_state=7, synthesis="decode", **_FAST), "digits"),
    "meda-lgm-tabular": ("MEDALUDESampler",
                         dict(random_state=3, mixture="lgm", **_FAST), "tabular"),
    "cvae-digits": ("CVAESampler", dict(epochs=2, latent_dim=4, batch_size=64,
                                        random_state=1, device="cpu"), "digits"),
    "deepsmote-digits": ("DeepSMOTESampler", dict(epochs=2, batch_size=64,
                                                  random_state=2, device="cpu"), "digits"),
    "deepsmote-residual-digits": ("DeepSMOTESampler",
                                  dict(epochs=2, batch_size=64, random_state=2,
                                       synthesis="residual", device="cpu"), "digits"),
    "augment-digits": ("AugmentedOverSampler", dict(random_state=4, flip=True), "digits"),
}


def _data(name):
    if name == "digits":
        X, y = load_digits(return_X_y=True)
        keep = np.concatenate([np.flatnonzero(y == c)[:n]
                               for c, n in {0: 60, 1: 30, 2: 12}.items()])
        return X[keep], y[keep]
    return make_classification(n_samples=120, n_features=5, n_informative=3,
                               n_redundant=0, n_classes=3, n_clusters_per_class=1,
                               weights=[0.6, 0.3, 0.1], random_state=0)


def platform():
    return {"torch": torch.__version__, "cpu": torch.backends.cpu.get_cpu_capability()}


def digests():
    """The digest of every case, computed in this process with one thread."""
    import imblearn_meda

    torch.set_num_threads(1)
    out = {}
    for name, (cls, params, data) in CASES.items():
        X, y = _data(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            X_res, y_res = getattr(imblearn_meda, cls)(**params).fit_resample(X, y)
        blob = np.ascontiguousarray(X_res).tobytes() + np.ascontiguousarray(y_res).tobytes()
        out[name] = hashlib.sha256(blob).hexdigest()
    return out


def test_outputs_match_the_recorded_bits():
    recorded = json.loads(GOLDEN.read_text())
    if recorded["platform"] != platform():
        pytest.skip(f"digests recorded on {recorded['platform']}, this is {platform()}")
    # A fresh interpreter: the digests do not depend on what ran before.
    out = subprocess.run([sys.executable, __file__, "--print"], capture_output=True,
                         text=True, check=True)
    assert json.loads(out.stdout) == recorded["digests"]


if __name__ == "__main__":
    if "--update" in sys.argv:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps({"platform": platform(), "digests": digests()},
                                     indent=1) + "\n")
    elif "--print" in sys.argv:
        print(json.dumps(digests()))
