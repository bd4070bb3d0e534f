"""
=======================================
Training curves of the four phases
=======================================

Every fit records one row per epoch of Phases 1-3 (the mean of each loss
term) and one row per class and generation of Phase 4 (how many individuals
passed each classifier, their fitness, the mean variance) in ``history_``.
:func:`~imblearn_meda.plotting.plot_loss_history` draws one panel per phase,
as Figs. 11-13 of the paper do. ``phase_seconds_`` says where the fit spent
its time.
"""

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
import torch

torch.set_num_threads(1)

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.plotting import plot_loss_history

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=10, majority_count=100)
train, _ = make_imbalance_split(y, counts, random_state=0)
X, y = X[train], y[train]

# Two outer iterations, so Phases 2-4 each run twice and their curves are laid
# end to end.
sampler = MEDALUDESampler(
    pretrain_epochs=40, n_iterations=2, phase2_epochs=4, phase3_epochs=4,
    n_generations=4, population_size=300, random_state=0,
).fit(X, y)

print(sampler.history_[0])
print(sampler.history_[-1])

# %%
# The curves
# ----------
# Phase 1: the weighted total and its parts (``rec`` reconstruction, ``gm``
# the L-GM loss, which can go negative through its log-determinant term,
# ``ltt`` and ``img`` the two classifiers' cross-entropies). Phases 2 and 3:
# their own terms. Phase 4: the counts ``gm1`` (draws the latent classifier
# accepts) and ``gm2`` (those the image classifier accepts too), the mean
# similarity to real images of the accepted draws and of the most diverse
# ones kept, and the mean variance, each averaged over the classes.

plot_loss_history(sampler.history_, title="MEDALUDESampler on digits")
plt.show()

# %%
# Where the time goes
# -------------------
# Phase 1 dominates, as it does at real size: on the paper's Fashion-MNIST
# protocol it takes about 150 of the 210 seconds of a CPU fit (see
# :ref:`choosing`).

for phase, seconds in sampler.phase_seconds_.items():
    print(f"phase {phase}: {seconds:.1f} s")
