"""Folders of image files (one subfolder per class), and digits as images."""

from __future__ import annotations

import numbers
import os
import warnings

import numpy as np


def load_image_folder(path, side=64, grey=False):
    """Load images stored as one subfolder per class.

    Parameters
    ----------
    path : str or path-like
        Root directory.  Each subdirectory is a class, named after it; files
        directly under ``path`` are ignored.
    side : int, default=64
        Every image is resized (Pillow, LANCZOS) to ``side`` x ``side``.  The
        aspect ratio is not kept.
    grey : bool, default=False
        Convert to one grey channel instead of three RGB channels.

    Returns
    -------
    X : ndarray of uint8, shape (n, C, side, side)
        ``C`` is 1 when ``grey`` else 3.
    y : ndarray of int64, shape (n,)
        Index of each image's class in ``class_names``.
    class_names : list of str
        Subfolder names, sorted.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a directory or has no subdirectories.
    ValueError
        If a class folder holds no image Pillow can open, or ``side`` is not a
        positive integer.

    Warns
    -----
    UserWarning
        For each class folder with files Pillow cannot open (they are skipped).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not isinstance(side, numbers.Integral) or isinstance(side, bool) or side < 1:
        raise ValueError(f"side must be a positive integer, got {side!r}")
    side = int(side)
    root = os.fspath(path)
    if not os.path.isdir(root):
        raise FileNotFoundError(f"image folder {root!r} does not exist")
    class_names = sorted(
        e.name for e in os.scandir(root) if e.is_dir() and not e.name.startswith(".")
    )
    if not class_names:
        raise FileNotFoundError(
            f"image folder {root!r} has no class subdirectories"
        )
    mode = "L" if grey else "RGB"
    images, labels = [], []
    for label, name in enumerate(class_names):
        class_dir = os.path.join(root, name)
        files = sorted(e.name for e in os.scandir(class_dir) if e.is_file())
        skipped = []
        n_before = len(images)
        for fname in files:
            fpath = os.path.join(class_dir, fname)
            try:
                with Image.open(fpath) as img:
                    img = ImageOps.exif_transpose(img)
                    img = img.convert(mode)
                    img = img.resize((side, side), Image.Resampling.LANCZOS)
                    arr = np.asarray(img, dtype=np.uint8)
            except (UnidentifiedImageError, OSError, ValueError):
                skipped.append(fname)
                continue
            arr = arr[None, :, :] if grey else arr.transpose(2, 0, 1)
            images.append(arr)
            labels.append(label)
        if skipped:
            shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            warnings.warn(
                f"skipped {len(skipped)} file(s) in {class_dir!r} that are not "
                f"readable images: {shown}",
                UserWarning,
                stacklevel=2,
            )
        if len(images) == n_before:
            raise ValueError(f"class folder {class_dir!r} holds no readable images")
    X = np.stack(images).astype(np.uint8, copy=False)
    y = np.asarray(labels, dtype=np.int64)
    return X, y, class_names


def load_digits_images():
    """Return scikit-learn's 8x8 digits as images.

    Returns
    -------
    X : ndarray of float64, shape (1797, 1, 8, 8)
        Pixel values in [0, 16], exactly as :func:`sklearn.datasets.load_digits`
        gives them.
    y : ndarray of int64, shape (1797,)
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = np.asarray(digits.data, dtype=np.float64).reshape(-1, 1, 8, 8)
    y = np.asarray(digits.target, dtype=np.int64)
    return X, y
