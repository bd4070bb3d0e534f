"""The one final classifier every benchmark row is scored with.

The paper trains "the final classifier" on each balanced training set but does
not describe it, so the benchmarks fix one small CNN and use it, unchanged, for
every sampler: differences between rows then come from the training sets only.

Architecture (sized from the image shape ``(C, H, W)``):

* ``n_blocks`` blocks of ``Conv3x3 -> BatchNorm -> ReLU -> MaxPool2``, one block
  per halving while the smaller side is at least 8 (8x8 digits: 1 block,
  28x28: 2, 32x32: 3, 64x64 and larger: 4), channels 32, 64, 128, 128;
* ``Flatten -> Linear(., 128) -> ReLU -> Dropout(0.25) -> Linear(128, K)``.

Training: Adam (lr 1e-3), cross-entropy, mini-batches of 128, a fixed number of
epochs. After each epoch the model is scored on the validation set; the state
of the epoch with the best validation accuracy (the first one on ties) is kept
and scored on the test set. Inputs are divided by a scale (by default the
maximum of the training images) and clipped to ``[0, 1]``.

Every random choice (weight initialisation, shuffling, dropout) comes from the
``seed`` argument inside :func:`torch.random.fork_rng`, so the global torch
random state of the caller is left as it was and two runs with one seed give
the same model (on CPU; cuDNN may add small non-determinism on a GPU).
"""

from __future__ import annotations

import time

import numpy as np
import torch
from torch import nn

__all__ = ["SmallCNN", "resolve_device", "train_and_score"]

_CHANNELS = (32, 64, 128, 128)


def resolve_device(device="auto"):
    """Return ``"cuda"`` or ``"cpu"`` for ``"auto"``, ``"cpu"`` or ``"cuda"``."""
    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for but torch sees no CUDA device")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}")
    return device


def n_blocks_for(height, width):
    """Number of conv/pool blocks for an ``height`` x ``width`` image."""
    side, n = min(height, width), 0
    while side >= 8 and n < len(_CHANNELS):
        side //= 2
        n += 1
    return max(n, 1) if min(height, width) >= 2 else 0


class SmallCNN(nn.Module):
    """Small CNN sized from ``image_shape = (C, H, W)``; see the module doc."""

    def __init__(self, image_shape, n_classes, hidden=128, dropout=0.25):
        super().__init__()
        c, h, w = (int(s) for s in image_shape)
        layers, in_ch = [], c
        for out_ch in _CHANNELS[: n_blocks_for(h, w)]:
            layers += [
                nn.Conv2d(in_ch, out_ch, kernel_size=3, padding=1),
                nn.BatchNorm2d(out_ch),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            in_ch, h, w = out_ch, h // 2, w // 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(in_ch * h * w, hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.head(self.features(x))


def _as_images(X, image_shape):
    X = np.asarray(X)
    return X.reshape((X.shape[0], *image_shape))


@torch.no_grad()
def _predict_proba(model, X, device, batch_size=512):
    model.eval()
    out = []
    for start in range(0, len(X), batch_size):
        xb = X[start : start + batch_size].to(device, non_blocking=True)
        out.append(torch.softmax(model(xb), dim=1).cpu())
    return torch.cat(out).numpy() if out else np.empty((0, 0), dtype=np.float32)


def train_and_score(
    X_train,
    y_train,
    X_val,
    y_val,
    X_test,
    seed,
    *,
    n_classes,
    image_shape=None,
    epochs=30,
    batch_size=128,
    lr=1e-3,
    scale=None,
    device="cpu",
):
    """Train the small CNN on a training set and score the best epoch on test.

    Parameters
    ----------
    X_train, X_val, X_test : ndarray of shape (n, C, H, W) or (n, C*H*W)
        Images on any pixel scale (flattened ones need ``image_shape``).
    y_train, y_val : ndarray of int of shape (n,)
        Labels in ``0 .. n_classes - 1``.
    seed : int
        Seed of the initial weights, the shuffling and the dropout.
    n_classes : int
        Number of output classes.
    image_shape : tuple (C, H, W), optional
        Taken from ``X_train.shape[1:]`` when ``X_train`` is 4-D.
    epochs, batch_size, lr : training settings.
    scale : float, optional
        Inputs are divided by it and clipped to [0, 1]. Default: the maximum of
        ``X_train``; the runner passes the maximum of the real training images
        so that synthetic outliers cannot change it.
    device : {"cpu", "cuda"}

    Returns
    -------
    result : dict
        ``y_pred`` (test predictions), ``y_score`` (test class probabilities),
        ``best_epoch`` (1-based), ``best_val_accuracy`` (fraction),
        ``history`` (per-epoch ``{"epoch", "loss", "val_accuracy"}``) and
        ``seconds`` (wall time of training and scoring).
    """
    t0 = time.perf_counter()
    if image_shape is None:
        if np.ndim(X_train) != 4:
            raise ValueError("image_shape is needed for flattened images")
        image_shape = tuple(np.shape(X_train)[1:])
    image_shape = tuple(int(s) for s in image_shape)
    if scale is None:
        scale = float(np.max(X_train)) if len(X_train) else 1.0
    scale = float(scale) if scale and scale > 0 else 1.0

    def to_tensor(X):
        X = _as_images(np.asarray(X, dtype=np.float32), image_shape) / scale
        return torch.from_numpy(np.clip(X, 0.0, 1.0).astype(np.float32, copy=False))

    Xtr, Xva, Xte = to_tensor(X_train), to_tensor(X_val), to_tensor(X_test)
    ytr = torch.as_tensor(np.asarray(y_train), dtype=torch.long)
    yva = np.asarray(y_val)
    on_cuda = device == "cuda"
    fork_devices = [torch.cuda.current_device()] if on_cuda else []

    with torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(int(seed))
        gen = torch.Generator().manual_seed(int(seed))
        model = SmallCNN(image_shape, n_classes).to(device)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = nn.CrossEntropyLoss()
        best_acc, best_epoch, best_state, history = -1.0, 0, None, []
        if on_cuda:
            Xtr, ytr = Xtr.to(device), ytr.to(device)
        for epoch in range(1, int(epochs) + 1):
            model.train()
            order = torch.randperm(len(Xtr), generator=gen)
            total, seen = 0.0, 0
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                if len(idx) < 2:  # BatchNorm needs two samples in training mode
                    continue
                if on_cuda:
                    idx = idx.to(device)
                xb, yb = Xtr[idx], ytr[idx]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
                seen += len(idx)
            val_acc = (
                float(np.mean(_predict_proba(model, Xva, device).argmax(1) == yva))
                if len(yva)
                else float("nan")
            )
            history.append(
                {"epoch": epoch, "loss": total / max(seen, 1), "val_accuracy": val_acc}
            )
            # Without a validation set the last epoch is kept.
            if best_state is None or val_acc > best_acc or not len(yva):
                best_acc, best_epoch = val_acc, epoch
                best_state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        if best_state is not None:
            model.load_state_dict(best_state)
        y_score = _predict_proba(model, Xte, device)
    y_pred = y_score.argmax(axis=1) if len(y_score) else np.empty(0, dtype=np.int64)
    return {
        "y_pred": y_pred,
        "y_score": y_score,
        "best_epoch": best_epoch,
        "best_val_accuracy": best_acc,
        "history": history,
        "seconds": time.perf_counter() - t0,
    }

