"""
===========================================
Where the synthetic samples lie: t-SNE maps
===========================================

t-SNE maps of the real and synthetic minority digits, embedded together with
:func:`~imblearn_meda.plotting.plot_tsne` (dots: real, crosses: synthetic, one
colour per class), as in Fig. 6 of the paper: one map for the default
residual synthesis, one for the paper's decoded draws, from the same
training.
"""

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
# The samplers' n_jobs=None follows this setting.
import torch

torch.set_num_threads(1)

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from threadpoolctl import threadpool_limits

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.plotting import plot_tsne

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=10, majority_count=100)
train, _ = make_imbalance_split(y, counts, random_state=0)
X, y = X[train], y[train]

residual = MEDALUDESampler(pretrain_epochs=40, random_state=0)
decoded = clone(residual).set_params(synthesis="decode")

# %%
# The maps show the classes that were over-sampled; each has 10 real images
# and 90 synthetic ones. A residual sample is a real image plus the change the
# decoder makes when the image's code moves, so its crosses gather around the
# real images they start from, as random over-sampling's copies would, but
# spread. Decoded draws come from the class Gaussian as a whole and fill the
# space between the real images, smoothed by the decoder.

fig, axes = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
for ax, sampler, name in zip(axes, [residual, decoded], ["residual", "decode"]):
    X_res, y_res = sampler.fit_resample(X, y)
    X_syn, y_syn = X_res[len(X):], y_res[len(X):]
    real = np.isin(y, np.unique(y_syn))
    # t-SNE's OpenMP threads spin on busy shared cores just as torch's do.
    with threadpool_limits(limits=1):
        plot_tsne(X[real], y[real], X_syn, y_syn, ax=ax,
                  title=f"synthesis={name!r}: real (o) and synthetic (x)")
plt.show()

# %%
# The share of draws that both classifiers accepted during synthesis, per
# class, is kept in ``acceptance_``; rejected draws are replaced by new ones.

for label, share in residual.acceptance_.items():
    print(f"class {label}: {share:.0%} of the residual draws accepted")
