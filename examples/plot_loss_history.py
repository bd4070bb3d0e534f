"""
=======================================
Training curves of the four phases
=======================================

Every fit records one row per epoch of Phases 1-3 (the mean of each loss
term) and one row per over-sampled class and generation of Phase 4 (how many
individuals passed each classifier, their fitness, the mean variance, the
share of majority-guided variation and how far the class's Gaussian moved)
in ``history_``.
:func:`~imblearn_meda.plotting.plot_loss_history` draws one panel per phase,
as Figs. 11-13 of the paper do. ``phase_seconds_`` says where the fit spent
its time.
"""

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
# The samplers' n_jobs=None follows this setting.
import torch

torch.set_num_threads(1)

import matplotlib.pyplot as plt
import numpy as np

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import (
    exponential_counts,
    load_digits_images,
    make_imbalance_split,
)
from imblearn_meda.plotting import plot_loss_history

# %%
# A long tail of digits
# ---------------------
# The digits as an ``(n, 1, 8, 8)`` image array, cut to a long-tailed profile:
# class 0 keeps 150 images, class 9 keeps 10, the others lie in between on an
# exponential curve. Every class but the largest is over-sampled.

X, y = load_digits_images()
train, _ = make_imbalance_split(y, exponential_counts(150, 15, 10),
                                random_state=0)
X, y = X[train], y[train]
print("images per class:", np.bincount(y).tolist())

# Two outer iterations, so Phases 2-4 each run twice and their curves are laid
# end to end. The L-GM loss (``mixture="refit"``) and Phases 2-4
# (``phase2_epochs``, ``phase3_epochs``, ``n_generations``) are off by
# default; they are switched on here so that every term has a curve.
sampler = MEDALUDESampler(
    pretrain_epochs=40, n_iterations=2, phase2_epochs=4, phase3_epochs=4,
    mixture="refit", n_generations=4, population_size=300, random_state=0,
).fit(X, y)

print("first row:", sampler.history_[0])
print("last row: ", sampler.history_[-1])

# %%
# The curves
# ----------
# Phase 1: the weighted total and its parts (``rec`` reconstruction, ``gm``
# the L-GM loss, which can go negative through its log-determinant term,
# ``ltt`` and ``img`` the two classifiers' cross-entropies). Phases 2 and 3:
# their own terms (Phase 2's ``rec`` is the reconstruction of the real batch,
# weighted by ``rec2``). Phase 4: the counts ``gm1`` (draws the latent
# classifier accepts) and ``gm2`` (those the image classifier accepts too),
# the mean similarity to real images of the accepted draws and of the most
# diverse ones kept, the mean variance, the guidance share, and ``moved``
# and ``start_moved`` (how far the centre is from where the evolution
# started, after each generation and at the start of this Phase 4), each
# averaged over the classes.

plot_loss_history(sampler.history_,
                  title="MEDALUDESampler on long-tailed digits")
plt.show()

# %%
# Where the time goes
# -------------------
# Phase 1 dominates, as it does at real size: on the paper's Fashion-MNIST
# protocol, at 3000 Phase-1 updates, it takes 266 of the 340 seconds of a
# 2-core CPU fit (see :ref:`choosing`).

for phase, seconds in sampler.phase_seconds_.items():
    print(f"{phase}: {seconds:.1f} s")
print("Phase-1 epochs:", sampler.pretrain_epochs_,
      "on", sampler.n_train_, "training images")
