"""
=================================================
What each over-sampler adds to a minority class
=================================================

The same imbalanced digits over-sampled by imbalanced-learn's
``RandomOverSampler`` and ``SMOTE`` and by the six samplers of this package.
Each row of a panel shows new samples of one minority class (the 10 real
ones are in the first panel). All samplers share the API, so the loop is the
same for all of them.

Random over-sampling repeats real images; ``AugmentedOverSampler`` repeats
them shifted by a pixel; SMOTE blends two real images of the class pixel by
pixel, which on images gives double strokes; ``CVAESampler``,
``CVAESeTredSampler``, ``DeepSMOTESampler`` and ``MGVAESampler`` decode new
latent codes, so their images are smooth; ``MEDALUDESampler`` adds to a real
image the change its decoder makes, and shifts the result by up to a pixel.
Every deep sampler trains far shorter than its defaults here (a second or
two each), so its images are rougher than they would be. The user guide's
page on the other samplers says what each one does.
"""

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
# The samplers' n_jobs=None follows this setting.
import torch

torch.set_num_threads(1)

import time

import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.datasets import load_digits

from imblearn_meda import (
    AugmentedOverSampler,
    CVAESampler,
    CVAESeTredSampler,
    DeepSMOTESampler,
    MEDALUDESampler,
    MGVAESampler,
)
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.plotting import plot_sample_grid

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=10, majority_count=100)
train, _ = make_imbalance_split(y, counts, random_state=0)
X, y = X[train], y[train]
minority = sorted(c for c, n in counts.items() if n == 10)

samplers = {
    "RandomOverSampler": RandomOverSampler(random_state=0),
    # 8x8 digits touch their border: shift by one pixel at most, and fill
    # the uncovered pixels with the background rather than the edge.
    "AugmentedOverSampler": AugmentedOverSampler(max_shift=1, padding="constant",
                                                 random_state=0),
    "SMOTE": SMOTE(random_state=0),
    "CVAESampler": CVAESampler(epochs=40, random_state=0),
    "CVAESeTredSampler": CVAESeTredSampler(epochs=40, random_state=0),
    "DeepSMOTESampler": DeepSMOTESampler(epochs=40, random_state=0),
    "MGVAESampler": MGVAESampler(epochs=30, finetune_epochs=60, random_state=0),
    "MEDALUDESampler": MEDALUDESampler(pretrain_epochs=40, random_state=0),
}

# %%
# Resample with each, and draw the new samples
# --------------------------------------------

is_minority = np.isin(y, minority)
fig, axes = plt.subplots(3, 3, figsize=(12, 11), layout="constrained")
axes = axes.ravel()
plot_sample_grid(X[is_minority], y[is_minority], classes=minority,
                 n_per_class=6, ax=axes[0], title="real", random_state=0)
for ax, (name, sampler) in zip(axes[1:], samplers.items()):
    start = time.perf_counter()
    X_res, y_res = sampler.fit_resample(X, y)
    seconds = time.perf_counter() - start
    plot_sample_grid(X_res[len(X):], y_res[len(X):], classes=minority,
                     n_per_class=6, ax=ax, title=f"{name} ({seconds:.1f} s)",
                     random_state=0)
plt.show()
