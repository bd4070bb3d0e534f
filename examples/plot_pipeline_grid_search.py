"""
=====================================================
Tuning MEDALUDESampler inside a pipeline
=====================================================

:class:`~imblearn_meda.MEDALUDESampler` is an imbalanced-learn over-sampler,
so it goes into an :class:`imblearn.pipeline.Pipeline` in front of any
classifier. Inside the pipeline it only resamples the training folds: the
validation folds and the test set are scored on real images only. Its
parameters are tuned like any other step's, here ``synthesis`` with
``GridSearchCV`` and macro F1.

The grid and the training are tiny (two values, two folds, a few epochs) so
that the example runs in well under a minute; a real search would use the
default epochs and more folds.
"""

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
# The samplers' n_jobs=None follows this setting.
import torch

torch.set_num_threads(1)

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import SVC

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.metrics import imbalanced_scores

# %%
# Data: imbalanced training set, balanced test set
# ------------------------------------------------
# The minority classes keep 20 training images each (so that each of the two
# folds still has 10), the others 100; 50 images of every class are the test
# set.

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=20, majority_count=100)
train, test = make_imbalance_split(y, counts, n_val_per_class=50, random_state=0)
X_train, y_train, X_test, y_test = X[train], y[train], X[test], y[test]
print("training images per class:", np.bincount(y_train).tolist())

# %%
# The search
# ----------
# Parameters of a pipeline step are addressed as ``<step>__<parameter>``.

pipe = Pipeline([
    ("sampler", MEDALUDESampler(pretrain_epochs=25, random_state=0)),
    ("clf", SVC()),
])
search = GridSearchCV(
    pipe,
    param_grid={"sampler__synthesis": ["residual", "decode"]},
    scoring="f1_macro",
    cv=StratifiedKFold(n_splits=2, shuffle=True, random_state=0),
)
search.fit(X_train, y_train)

for params, mean, std in zip(search.cv_results_["params"],
                             search.cv_results_["mean_test_score"],
                             search.cv_results_["std_test_score"]):
    print(f"{params}: macro F1 {100 * mean:.2f} +/- {100 * std:.2f}")
print("best:", search.best_params_)

# %%
# Scored on the held-out test set
# -------------------------------
# ``GridSearchCV`` refits the best pipeline on the whole training set.
# :func:`~imblearn_meda.metrics.imbalanced_scores` gives the paper's macro
# metrics; SVC has no probabilities here, so the AUC is left out.

scores = imbalanced_scores(y_test, search.predict(X_test))
print({name: round(100 * value, 2) for name, value in scores.items()
       if name != "auc"})
