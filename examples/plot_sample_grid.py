"""
=============================================
Real and synthetic digits side by side
=============================================

Fit :class:`~imblearn_meda.MEDALUDESampler` on an imbalanced version of
scikit-learn's digits twice, with the defaults and with the paper's literal
reading (:data:`~imblearn_meda.meda.PAPER_SETTINGS`), and look at what each
makes: grids of real minority images next to the new ones
(:func:`~imblearn_meda.plotting.plot_sample_grid`), then, per class, real
images, their reconstructions, decoded draws of the class's Gaussian and
the emitted samples (:func:`~imblearn_meda.plotting.plot_class_samples`).

The training here is far shorter than the defaults (a few seconds instead of
minutes), so the decoders are rough; the contrast between the two settings
is the point.
"""

# %%
# Imbalanced digits
# -----------------
# The five minority classes of the paper's protocol for seed 0 keep 10
# training images each, the other classes 100; 50 images of every class are
# held out.

# This page is built on two shared CPU cores: one torch thread per process
# avoids the spin-waiting of torch's thread pool when the cores are busy.
# The samplers' n_jobs=None follows this setting.
import torch

torch.set_num_threads(1)

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from imblearn_meda import MEDALUDESampler
from imblearn_meda.datasets import make_imbalance_split, paper_counts
from imblearn_meda.meda import PAPER_SETTINGS
from imblearn_meda.plotting import plot_class_samples, plot_sample_grid

X, y = load_digits(return_X_y=True)
counts = paper_counts(y, seed=0, minority_count=10, majority_count=100)
train, _ = make_imbalance_split(y, counts, random_state=0)
X, y = X[train], y[train]
minority = sorted(c for c, n in counts.items() if n == 10)
print("training images per class:", np.bincount(y).tolist())

# %%
# The defaults and the paper's reading
# ------------------------------------
# ``PAPER_SETTINGS`` switches every departure of the defaults off: decoded
# draws instead of residual synthesis, the learned L-GM Gaussians, Phase 1's
# image loss into the decoder, Phase 2's random-partner reconstruction, no
# shift, and switches Phases 2-4 on, here with three epochs of Phases 2 and 3
# and three generations instead of the paper's five.
# Both samplers get the same short training (``SHORT``); the rest of their
# settings are the defaults or the paper's.

print(PAPER_SETTINGS)

SHORT = dict(pretrain_epochs=40, n_iterations=1, population_size=300, random_state=0)
default = MEDALUDESampler(**SHORT)
paper = MEDALUDESampler(**{**PAPER_SETTINGS, "phase2_epochs": 3, "phase3_epochs": 3,
                           "n_generations": 3}, **SHORT)

# ``fit_resample`` returns the real samples first, then the new ones.
X_def, y_def = default.fit_resample(X, y)
X_pap, y_pap = paper.fit_resample(X, y)
n = len(X)
print("after resampling:", np.bincount(y_def).tolist())

# %%
# The new samples
# ---------------
# One row per minority class. The defaults' samples keep the strokes of the
# real digit they start from, change its shape and shift it by up to a pixel.
# The paper's reading decodes every sample; with this little training its
# decoded images are noisy versions of the class.

is_minority = np.isin(y, minority)
fig, axes = plt.subplots(1, 3, figsize=(12, 4), layout="constrained")
plot_sample_grid(X[is_minority], y[is_minority], classes=minority, ax=axes[0],
                 title="real", random_state=0)
plot_sample_grid(X_def[n:], y_def[n:], classes=minority, ax=axes[1],
                 title="defaults", random_state=0)
plot_sample_grid(X_pap[n:], y_pap[n:], classes=minority, ax=axes[2],
                 title="PAPER_SETTINGS", random_state=0)
plt.show()

# %%
# What the autoencoder makes of each class
# ----------------------------------------
# :func:`~imblearn_meda.plotting.plot_class_samples` shows, per over-sampled
# class, real images, the autoencoder's reconstructions of them, decoded
# draws of the class's Gaussian, and samples the sampler emits. The
# reconstructions show how much detail the decoder keeps, the decoded draws
# what the class's Gaussian holds. The paper's synthesis emits decoded draws
# (of the evolved Gaussian); the defaults' residual synthesis adds each real
# image's detail back. Under the paper's reading even the reconstructions are
# noisy at this training length: the user guide's page on the defaults says
# which of its choices costs what.

plot_class_samples(default, X, y, classes=minority, n_per_class=5,
                   title="defaults")
plt.show()

plot_class_samples(paper, X, y, classes=minority, n_per_class=5,
                   title="PAPER_SETTINGS")
plt.show()

# %%
# Without refitting
# -----------------
# A fitted sampler draws more samples of any class with ``sample``: a new
# draw at every call, the same draw for the same ``random_state``.

X_more, y_more = default.sample({minority[0]: 8}, random_state=1)
plot_sample_grid(X_more, y_more, title=f"8 more of class {minority[0]}")
plt.show()
