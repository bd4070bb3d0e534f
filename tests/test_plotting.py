"""Tests of imblearn_meda.plotting (Agg backend, tiny data)."""

import copy
import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from imblearn_meda.plotting import (  # noqa: E402
    plot_loss_history,
    plot_sample_grid,
    plot_tsne,
)


@pytest.fixture(autouse=True)
def _close_figures_one_thread():
    # t-SNE's OpenMP threads can spin for many seconds on a busy shared machine.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
    plt.close("all")


def _images(n_per_class=5, classes=(0, 1, 2), shape=(1, 6, 5), seed=0):
    rng = np.random.RandomState(seed)
    y = np.repeat(classes, n_per_class)
    X = rng.rand(len(y), *shape) * 255
    return X, y


def test_sample_grid_is_one_mosaic_with_a_row_per_class():
    X, y = _images(n_per_class=5)
    fig = plot_sample_grid(X, y, n_per_class=4, class_names=["a", "b", "c"], title="t")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.images) == 1
    mosaic = ax.images[0].get_array()
    # 3 rows of 6-pixel images, 4 columns of 5-pixel images, 1-pixel gaps
    assert mosaic.shape == (3 * 7 - 1, 4 * 6 - 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert ax.get_title() == "t"
    assert mosaic.min() >= 0.0 and mosaic.max() <= 1.0


def test_sample_grid_shapes_and_missing_cells():
    X, y = _images(n_per_class=2, shape=(3, 4, 4))
    fig = plot_sample_grid(X, y, n_per_class=3, classes=[2, 0])
    mosaic = fig.axes[0].images[0].get_array()
    assert mosaic.shape == (2 * 5 - 1, 3 * 5 - 1, 3)  # RGB
    # the third column is blank: only two images per class
    assert np.all(np.asarray(mosaic)[:4, 10:14] == 1.0)
    # flattened grey input with image_shape, drawn into a given axes
    Xg, yg = _images(shape=(1, 4, 6))
    fig2, ax = plt.subplots()
    out = plot_sample_grid(Xg.reshape(len(Xg), -1), yg, image_shape=(1, 4, 6),
                           n_per_class=2, ax=ax)
    assert out is fig2 and fig2.axes[0].images[0].get_array().shape == (3 * 5 - 1, 2 * 7 - 1)
    with pytest.raises(ValueError):
        plot_sample_grid(Xg, yg, n_per_class=0)
    with pytest.raises(ValueError):
        plot_sample_grid(Xg, yg[:-1])


def test_sample_grid_random_state_picks_reproducibly():
    X, y = _images(n_per_class=20)
    a = plot_sample_grid(X, y, n_per_class=3, random_state=1).axes[0].images[0].get_array()
    b = plot_sample_grid(X, y, n_per_class=3, random_state=1).axes[0].images[0].get_array()
    c = plot_sample_grid(X, y, n_per_class=3).axes[0].images[0].get_array()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_tsne_real_dots_synthetic_crosses():
    rng = np.random.RandomState(0)
    Xr = np.r_[rng.randn(12, 16), rng.randn(12, 16) + 5]
    yr = np.repeat([3, 7], 12)
    Xs = np.r_[rng.randn(8, 16), rng.randn(8, 16) + 5]
    ys = np.repeat([3, 7], 8)
    fig = plot_tsne(Xr, yr, Xs, ys, max_per_class=10, class_names={3: "three", 7: "seven"},
                    title="tsne")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.collections) == 4  # (real, synthetic) x 2 classes
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [10, 8, 10, 8]  # real capped at max_per_class
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["three real", "three synthetic", "seven real", "seven synthetic"]
    assert ax.get_title() == "tsne"


def test_tsne_default_classes_are_the_synthetic_ones():
    rng = np.random.RandomState(1)
    Xr, yr = rng.randn(30, 9), np.repeat([0, 1, 2], 10)
    Xs, ys = rng.randn(6, 9), np.full(6, 2)
    ax = plot_tsne(Xr, yr, Xs, ys).axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [10, 6]
    with pytest.raises(ValueError):
        plot_tsne(Xr, yr, rng.randn(6, 4), ys)


def test_loss_history_one_axes_per_phase_one_line_per_key():
    history = (
        [{"phase": "phase1", "epoch": e, "loss": 1.0 / (e + 1), "rec": 0.1, "gm": 0.2}
         for e in range(4)]
        + [{"phase": "phase2", "iteration": t, "epoch": e, "loss": 0.5, "img": 0.3}
           for t in range(2) for e in range(2)]
        + [{"phase": "phase4", "class_index": k, "generation": g, "gm1": 10 * k,
            "fitness_mean": 0.7, "stopped": 1, "note": "text"}
           for k in (1, 2) for g in range(2)]
    )
    fig = plot_loss_history(history, title="losses")
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["phase1", "phase2", "phase4"]
    assert [line.get_label() for line in axes[0].lines] == ["loss", "rec", "gm"]
    assert [line.get_label() for line in axes[1].lines] == ["loss", "img"]
    assert [line.get_label() for line in axes[2].lines] == ["gm1", "fitness_mean"]
    assert axes[0].get_xlabel() == "epoch"
    np.testing.assert_array_equal(axes[0].lines[0].get_xdata(), [0, 1, 2, 3])
    # epochs restart with each outer iteration: laid end to end
    assert axes[1].get_xlabel() == "step"
    np.testing.assert_array_equal(axes[1].lines[0].get_xdata(), [1, 2, 3, 4])
    # Phase 4 logs one entry per class and generation: averaged over classes
    np.testing.assert_array_equal(axes[2].lines[0].get_xdata(), [0, 1])
    np.testing.assert_array_equal(axes[2].lines[0].get_ydata(), [15, 15])
    assert axes[2].get_xlabel() == "generation (mean over class_index)"
    assert [ax.get_yscale() for ax in axes] == ["linear"] * 3
    big = [dict(e, gm1=1000) if e["phase"] == "phase4" else e for e in history]
    assert plot_loss_history(big).axes[2].get_yscale() == "symlog"
    fig2 = plot_loss_history(history, keys=["loss"])
    assert [len(ax.lines) for ax in fig2.axes] == [1, 1, 0]
    with pytest.raises(ValueError):
        plot_loss_history([])


def test_importing_plotting_does_not_import_matplotlib_or_torch():
    # A fresh interpreter: matplotlib (and torch) load only when a figure is drawn.
    code = ("import sys, imblearn_meda.plotting\n"
            "print('matplotlib' in sys.modules, 'torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False False"


def test_class_samples_show_real_reconstructed_decoded_and_emitted(fitted_digits, digits):
    from imblearn_meda.plotting import plot_class_samples

    sampler = fitted_digits[0]
    X, y = digits
    fig = plot_class_samples(sampler, X, y, n_per_class=3, random_state=4)
    assert len(fig.axes) == 2 * 4 * 3  # over-sampled classes 1 and 2, four groups of 3
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles == ["real", "reconstructed", "decoded draws", "emitted"]
    # The emitted group shows what sample() returns for the same seed.
    emitted, _ = sampler.sample({1: 3}, random_state=4)
    scale = (emitted - X.min()) / (X.max() - X.min())
    shown = fig.axes[9].get_images()[0].get_array()
    np.testing.assert_allclose(shown, scale[0].reshape(8, 8), atol=1e-6)
    # Decoded draws follow the correlation factors of covariance='full'.
    correlated = copy.deepcopy(sampler)
    h = sampler.means_.shape[1]
    tril = np.tril(np.ones((h, h))) / np.sqrt(np.arange(1, h + 1))[:, None]
    correlated.correlation_factors_ = np.tile(tril, (len(sampler.classes_), 1, 1))
    other = plot_class_samples(correlated, X, y, n_per_class=3, random_state=4)

    def first_decoded(figure):
        return figure.axes[6].get_images()[0].get_array()

    assert not np.allclose(first_decoded(fig), first_decoded(other))
    with pytest.raises(ValueError, match="images"):
        plot_class_samples(type("T", (), {"image_shape_": None})(), X, y)
