"""
=============================================
Real and synthetic digits side by side
=============================================

Fit :class:`~imblearn_meda.MEDALUDESampler` on an imbalanced version of
scikit-learn's digits and look at what it makes: a grid of real minority
images next to synthetic ones from the default residual synthesis and from
the paper's literal synthesis (decoded draws), drawn with
:func:`~imblearn_meda.plotting.plot_sample_grid`.

The training here is far shorter than the defaults (a few seconds instead of
a few tens of seconds), so the decoder is rough; the contrast between the two
syntheses is the point.
"""

# %%
# Imbalanced digits
# -----------------
# The five minority classes of the paper's protocol for seed 0 keep 10
# training images each, the other classes 100; 50 images of every class are
# held out.

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
import torch

torch.set_num_threads(1)

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.plotting import plot_sample_grid

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=10, majority_count=100)
train, _ = make_imbalance_split(y, counts, random_state=0)
X, y = X[train], y[train]
minority = sorted(c for c, n in counts.items() if n == 10)
print("training images per class:", np.bincount(y).tolist())

# %%
# Fit, with either synthesis
# --------------------------
# The two samplers differ only in ``synthesis``; training is the same.
# ``fit_resample`` returns the real samples first, then the new ones.

sampler = MEDALUDESampler(
    pretrain_epochs=40, n_iterations=1, phase2_epochs=3, phase3_epochs=3,
    n_generations=3, population_size=300, random_state=0,
)
decoding = clone(sampler).set_params(synthesis="decode")

X_res, y_res = sampler.fit_resample(X, y)
X_dec, y_dec = decoding.fit_resample(X, y)
n = len(X)
print("after resampling:", np.bincount(y_res).tolist())

# %%
# The grid
# --------
# One row per minority class. Residual samples keep the strokes of the real
# digit they start from and change its shape; decoded draws are smooth
# averages of the class.

is_minority = np.isin(y, minority)
fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
plot_sample_grid(X[is_minority], y[is_minority], classes=minority, ax=axes[0],
                 title="real", random_state=0)
plot_sample_grid(X_res[n:], y_res[n:], classes=minority, ax=axes[1],
                 title="synthesis='residual' (default)", random_state=0)
plot_sample_grid(X_dec[n:], y_dec[n:], classes=minority, ax=axes[2],
                 title="synthesis='decode' (the paper's)", random_state=0)
plt.show()

# %%
# Without refitting
# -----------------
# A fitted sampler draws more samples of any class with ``sample``; a new
# ``random_state`` gives a new draw.

X_more, y_more = sampler.sample({minority[0]: 8}, random_state=1)
plot_sample_grid(X_more, y_more, title=f"8 more of class {minority[0]}")
plt.show()
