"""Print the versions a bug report needs."""

import platform
from importlib.metadata import PackageNotFoundError, version


def show_versions():
    """Print Python, platform, CUDA and dependency versions.

    Examples
    --------
    >>> from imblearn_meda import show_versions
    >>> show_versions()  # doctest: +SKIP
    """
    import torch

    print(f"python: {platform.python_version()} ({platform.platform()})")
    print(f"torch CUDA available: {torch.cuda.is_available()}")
    if torch.cuda.is_available():
        print(f"CUDA device: {torch.cuda.get_device_name(0)}")
    for dist in ("imblearn-meda", "torch", "numpy", "scikit-learn",
                 "imbalanced-learn", "sklearn-compat", "imagehash", "pillow", "joblib",
                 "tqdm"):
        try:
            print(f"{dist}: {version(dist)}")
        except PackageNotFoundError:
            print(f"{dist}: not installed")
