"""Devices, seeding without touching global random states, and pickles
that move between GPU and CPU machines."""

from __future__ import annotations

import contextlib
import numbers
import warnings

import numpy as np
import torch


def resolve_device(device):
    """``"auto"`` -> CUDA when available, else CPU; otherwise a checked device."""
    check_device(device)
    if isinstance(device, torch.device):
        device = str(device)
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was asked for, but CUDA is not available on this "
            "machine; use device='auto' or 'cpu'."
        )
    if dev.type == "cuda" and dev.index is not None and \
            dev.index >= torch.cuda.device_count():
        raise ValueError(
            f"device={device!r} was asked for, but this machine has "
            f"{torch.cuda.device_count()} CUDA device(s)."
        )
    return dev


def seed_from(random_state):
    """An int seed for torch from a sampler's ``random_state``.

    ``None`` takes fresh OS entropy instead of drawing from numpy's global
    generator, so that fitting never moves the global numpy state.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0] & 0x7FFFFFFF)
    if isinstance(random_state, numbers.Integral):
        return int(random_state) & 0x7FFFFFFF
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    raise ValueError(
        f"random_state={random_state!r} must be None, an int or a numpy RandomState."
    )


@contextlib.contextmanager
def seeded(seed, device):
    """Run a block with torch seeded by ``seed``, restoring the global RNG after.

    ``torch.random.fork_rng`` saves and restores the CPU generator (and the
    CUDA generator of ``device``), so a fit is reproducible for a given seed
    and the caller's own torch random stream is left exactly where it was.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices, device_type="cuda"):
        torch.manual_seed(seed)
        yield


def check_cuda_pickle(state, owner):
    """Move a pickled sampler's tensors to a device this machine has."""
    fitted_on = state.get("_fitted_device")
    if fitted_on is not None and fitted_on.startswith("cuda"):
        if torch.cuda.is_available():
            device = torch.device(fitted_on)
            if device.index is not None and device.index >= torch.cuda.device_count():
                return torch.device("cuda:0")
            return device
        warnings.warn(
            f"This {owner} was fitted on {fitted_on}, which this machine does not "
            "have; it was loaded on the CPU and will run there.",
            UserWarning,
            stacklevel=3,
        )
    return torch.device("cpu")


#: Device types the samplers run on; anything else is refused by name.
SUPPORTED_DEVICES = ("auto", "cpu", "cuda", "cuda:N")


def check_device(device):
    """Refuse a device the samplers cannot use, listing the ones they can."""
    dev = device.type if isinstance(device, torch.device) else device
    if isinstance(dev, str):
        base, _, index = dev.partition(":")
        if dev == "auto" or (base in ("cpu", "cuda") and (not index or index.isdigit())):
            return
    raise ValueError(
        f"device={device!r} is not supported; use one of "
        f"{', '.join(repr(d) for d in SUPPORTED_DEVICES)} (N: a CUDA device index) "
        "or the matching torch.device."
    )


def resolve_n_threads(n_jobs):
    """CPU threads for torch: ``n_jobs`` with scikit-learn's conventions.

    ``None``: torch's current setting, but no more than the physical cores
    this process may use (``joblib.cpu_count`` reads CPU affinity and
    container quotas, which torch's default ignores). Inside a joblib worker
    torch's setting is already the worker's share. ``-1``: every logical
    core this process may use; ``-2``: all but one, and so on.
    """
    from joblib import cpu_count

    if n_jobs == 0:
        raise ValueError("n_jobs=0 asks for no thread at all; use None, -1 or a "
                         "positive number of threads.")
    if n_jobs is None:
        return max(1, min(torch.get_num_threads(), cpu_count(only_physical_cores=True)))
    if n_jobs < 0:
        return max(1, cpu_count() + 1 + n_jobs)
    return int(n_jobs)


@contextlib.contextmanager
def torch_threads(n_jobs):
    """Run a block with torch's intra-op threads set from ``n_jobs``, and
    restore torch's setting afterwards."""
    before = torch.get_num_threads()
    wanted = resolve_n_threads(n_jobs)
    if wanted != before:
        torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)
