"""Loaders for image data sets and the class-imbalance protocols of the benchmarks.

Nothing in this package downloads anything: every loader reads files from a path
that the caller provides.  Images are returned channel-first, ``(n, C, H, W)``,
and labels as ``int64``.

The package also holds the helpers that turn a balanced data set into the
imbalanced training sets used by the published experiments:

* the MEDA_LUDE protocol, where ``m`` minority classes are drawn with
  ``np.random.seed(s); np.random.permutation(K)[:m]`` and every minority class
  keeps ``minority_count`` training images while every majority class keeps
  ``majority_count`` (see :func:`paper_minority_classes` and
  :func:`paper_counts`);
* the GAMO / DeepSMOTE protocol with fixed per-class counts
  (:func:`gamo_counts`);
* a generic long-tail profile (:func:`exponential_counts`).

:func:`make_imbalance_split` draws the training and validation indices for any
of these count profiles.

This package does not import torch.
"""

from ._cifar import load_cifar10
from ._folder import load_digits_images, load_image_folder
from ._idx import default_fashion_mnist_dir, load_idx, read_idx
from ._protocols import (
    exponential_counts,
    gamo_counts,
    make_imbalance_split,
    paper_counts,
    paper_minority_classes,
)

__all__ = [
    "read_idx",
    "load_idx",
    "default_fashion_mnist_dir",
    "load_cifar10",
    "load_image_folder",
    "load_digits_images",
    "paper_minority_classes",
    "gamo_counts",
    "exponential_counts",
    "make_imbalance_split",
    "paper_counts",
]
