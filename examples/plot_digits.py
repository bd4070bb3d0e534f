"""Look at what MEDALUDESampler makes: sample grids, a t-SNE map, loss curves.

Fits the sampler on the quickstart's imbalanced digits (classes 2, 8, 4, 9, 1
keep 10 training images) and saves three PNG files in the current folder:

- ``digits_samples.png``: real minority images above, synthetic ones below;
- ``digits_tsne.png``: t-SNE of real (dots) and synthetic (crosses) minority
  samples, like Fig. 6 of the paper;
- ``digits_losses.png``: the losses of Phases 1-3 and the Phase-4 statistics
  per outer iteration, like Figs. 11-13 of the paper.

Needs matplotlib (``pip install matplotlib``).
"""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

from imblearn_meda import MEDALUDESampler  # noqa: E402
from imblearn_meda.datasets import paper_minority_classes  # noqa: E402
from imblearn_meda.plotting import (  # noqa: E402
    plot_loss_history,
    plot_sample_grid,
    plot_tsne,
)


def main():
    X, y = load_digits(return_X_y=True)
    minority = paper_minority_classes(0)
    rng = np.random.RandomState(0)
    keep = np.ones(len(y), dtype=bool)
    for c in minority:
        keep[rng.permutation(np.flatnonzero(y == c))[10:]] = False
    X, y = X[keep], y[keep]

    sampler = MEDALUDESampler(random_state=0, verbose=1)
    X_res, y_res = sampler.fit_resample(X, y)
    X_syn, y_syn = X_res[len(X):], y_res[len(X):]
    real = np.isin(y, minority)

    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(6, 8))
    plot_sample_grid(X[real], y[real], classes=minority, ax=top, title="real")
    plot_sample_grid(X_syn, y_syn, classes=minority, ax=bottom,
                     title="MEDALUDESampler", random_state=0)
    fig.savefig("digits_samples.png", dpi=100, bbox_inches="tight")
    plot_tsne(X[real], y[real], X_syn, y_syn).savefig(
        "digits_tsne.png", dpi=100, bbox_inches="tight")
    plot_loss_history(sampler.history_).savefig(
        "digits_losses.png", dpi=100, bbox_inches="tight")
    print("saved digits_samples.png, digits_tsne.png, digits_losses.png")


if __name__ == "__main__":
    main()
