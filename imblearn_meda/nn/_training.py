"""One training loop for every network of the package, and its history.

A sampler writes its loss for one batch (``step``); :func:`train_epochs`
owns the rest: shuffled batches, the optimiser step, the mean losses per
epoch in :class:`History`, and the progress bar.
"""

from __future__ import annotations

import contextlib
import math
import time

import torch
from tqdm.auto import tqdm


class History(list):
    """The log of a fit: one dict per epoch (or generation).

    A plain list of dicts that can also be sliced by key, as
    ``history[:, "loss"]`` (the values of the rows that have the key) or
    ``history[-5:, ("phase", "loss")]`` (tuples of several keys).
    """

    def __getitem__(self, index):
        if isinstance(index, tuple) and len(index) == 2:
            rows, key = index
            picked = list.__getitem__(self, rows)
            if isinstance(picked, dict):
                picked = [picked]
            if isinstance(key, (tuple, list)):
                return [tuple(r[k] for k in key) for r in picked
                        if all(k in r for k in key)]
            return [r[key] for r in picked if key in r]
        out = list.__getitem__(self, index)
        return History(out) if isinstance(index, slice) else out

    def where(self, **match):
        """The rows whose values equal ``match`` (``history.where(phase=2)``)."""
        return History(r for r in self if all(r.get(k) == v for k, v in match.items()))


def progress(total, desc, verbose):
    """A progress bar shown when ``verbose`` is true."""
    return tqdm(total=total, desc=desc, disable=not verbose, leave=False)


def shuffled_batches(n, batch_size, device):
    """Index tensors of one epoch: a random permutation cut into batches."""
    perm = torch.randperm(n, device=device)
    for start in range(0, n, batch_size):
        yield perm[start:start + batch_size]


def auto_epochs(value, n_samples, batch_size, target_steps, low, high):
    """Resolve an ``"auto"`` epoch count: about ``target_steps`` updates,
    clipped to ``[low, high]`` epochs."""
    if value != "auto":
        return int(value)
    steps_per_epoch = max(1, math.ceil(n_samples / batch_size))
    return int(min(max(math.ceil(target_steps / steps_per_epoch), low), high))


def train_epochs(step, batches, epochs, optimizer, history, *, desc, verbose,
                 meta=None, after_step=None):
    """Train for ``epochs`` passes and log the mean losses of each.

    Parameters
    ----------
    step : callable
        ``step(batch) -> (loss, parts, weight)``: the loss tensor to
        minimise, a dict of named loss tensors to log, and the number of
        samples the batch stands for (the weight of its losses in the
        epoch's means).
    batches : callable
        ``batches()`` returns one epoch's iterable of batches.
    epochs : int
    optimizer : torch.optim.Optimizer
    history : list
        One row per epoch is appended: ``meta``, ``epoch``, ``loss`` and
        the parts, each the weighted mean over the epoch's batches.
    desc : str
        Label of the progress bar.
    verbose : int
        Show the progress bar when true.
    meta : dict, optional
        Keys copied into every row (``phase``, ``iteration``).
    after_step : callable, optional
        Called after every optimiser step (e.g. to project parameters back
        into their bounds).
    """
    with progress(epochs, desc, verbose) as bar:
        for epoch in range(epochs):
            names, sums, total = None, None, 0
            for batch in batches():
                loss, parts, weight = step(batch)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                if after_step is not None:
                    after_step()
                # Summed on the device: no host synchronisation per batch.
                values = torch.stack([loss.detach(), *(p.detach() for p in parts.values())])
                if sums is None:
                    names, sums = ["loss", *parts], torch.zeros_like(values)
                sums += weight * values
                total += weight
            row = dict(meta or {})
            row["epoch"] = epoch
            if sums is not None:
                row.update(zip(names, (sums / max(total, 1)).tolist()))
            history.append(row)
            bar.set_postfix({k: f"{v:.4g}" for k, v in row.items()
                             if k not in ("phase", "iteration", "epoch")})
            bar.update(1)


class StageClock:
    """Wall-clock seconds per stage of a fit; CUDA work is waited for at the
    end of each stage, so the seconds are the stage's own."""

    def __init__(self, device, stages=()):
        self.device = device
        self.seconds = dict.fromkeys(stages, 0.0)

    @contextlib.contextmanager
    def __call__(self, stage):
        start = time.perf_counter()
        yield
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - start
