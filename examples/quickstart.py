"""Quickstart: MEDALUDESampler against SMOTE, ADASYN and random over-sampling.

scikit-learn's digits (8x8 grey images, embedded, nothing to download) are made
imbalanced on purpose: the five minority classes of the MEDA_LUDE paper's
protocol for seed 0 (2, 8, 4, 9, 1) keep 10 training images each, the other
classes keep all of theirs (about 90). Every sampler runs inside an
imbalanced-learn ``Pipeline`` with the same classifier, and the script prints
macro F1 and G-mean on a held-out, balanced test half.

Run it with ``python examples/quickstart.py`` (a few minutes on 2 CPU cores).
"""

import time
import warnings

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.svm import SVC

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import paper_minority_classes
from imblearn_meda.metrics import imbalanced_scores

SEED = 0
N_MINORITY = 10  # training images kept per minority class


def make_data():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=SEED
    )
    rng = np.random.RandomState(SEED)
    keep = np.ones(len(y_train), dtype=bool)
    for c in paper_minority_classes(SEED):
        idx = np.flatnonzero(y_train == c)
        keep[rng.permutation(idx)[N_MINORITY:]] = False
    return X_train[keep], X_test, y_train[keep], y_test


def classifier():
    # One classifier for every row: an RBF SVM, a strong default on digits.
    return SVC(random_state=SEED)


def main():
    X_train, X_test, y_train, y_test = make_data()
    print("training images per class:", np.bincount(y_train).tolist())
    print("test images per class:    ", np.bincount(y_test).tolist())
    samplers = {
        "no resampling": None,
        "RandomOverSampler": RandomOverSampler(random_state=SEED),
        "SMOTE": SMOTE(random_state=SEED),
        "ADASYN": ADASYN(random_state=SEED),
        "MEDALUDESampler": MEDALUDESampler(random_state=SEED, verbose=1),
    }
    rows = []
    for name, sampler in samplers.items():
        steps = [("clf", classifier())]
        if sampler is not None:
            steps.insert(0, ("sampler", sampler))
        pipe = Pipeline(steps)
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                pipe.fit(X_train, y_train)
        except (RuntimeError, ValueError) as exc:
            rows.append((name, None, None, time.perf_counter() - start, str(exc)))
            continue
        seconds = time.perf_counter() - start
        scores = imbalanced_scores(y_test, pipe.predict(X_test))
        rows.append((name, scores["f1"], scores["gmean"], seconds, ""))

    print()
    print(f"| {'sampler':<18} | macro F1 (%) | G-mean (%) | fit (s) |")
    print(f"|{'-' * 20}|{'-' * 14}|{'-' * 12}|{'-' * 9}|")
    for name, f1, gmean, seconds, error in rows:
        if f1 is None:
            print(f"| {name:<18} | failed: {error[:60]}")
            continue
        print(f"| {name:<18} | {100 * f1:12.2f} | {100 * gmean:10.2f} | {seconds:7.1f} |")
    scored = {name: f1 for name, f1, *_ in rows if f1 is not None}
    baselines = [scored[n] for n in ("RandomOverSampler", "SMOTE", "ADASYN") if n in scored]
    if baselines and "MEDALUDESampler" in scored:
        gap = 100 * (scored["MEDALUDESampler"] - max(baselines))
        print(f"\nMEDALUDESampler macro F1 minus the best of ROS/SMOTE/ADASYN: {gap:+.2f} points")


if __name__ == "__main__":
    main()
