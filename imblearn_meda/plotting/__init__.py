"""Figures for over-sampled image data: sample grids, t-SNE maps, loss curves.

matplotlib is an optional dependency: it is imported inside each function, so
importing this module costs nothing and works without it. Every function
returns the :class:`matplotlib.figure.Figure` it drew on; when an ``ax`` is
given, that is ``ax.figure``.
"""

from ._grids import plot_class_samples, plot_sample_grid
from ._history import plot_loss_history
from ._tsne import plot_tsne

__all__ = ["plot_class_samples", "plot_sample_grid", "plot_tsne", "plot_loss_history"]
