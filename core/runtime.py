"""Where torch runs: the device, chosen once, and the CPU thread count, set deliberately."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch


def pick_device(preference: str | torch.device | None = "auto") -> torch.device:
    """``"auto"``/None -> cuda > mps > cpu; an explicit name must be available or this raises."""
    if preference in (None, "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(preference)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but no CUDA GPU is available (torch sees none)")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("device 'mps' was asked for but Apple's MPS backend is not available")
    return device


def describe(device: torch.device) -> str:
    """A line for people: which GPU, or the CPU and its thread count."""
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    if device.type == "mps":
        return "GPU: Apple MPS"
    return f"CPU ({torch.get_num_threads()} torch thread{'s' if torch.get_num_threads() != 1 else ''})"


MAX_THREADS = 256


def parse_threads(value: object, source: str) -> int:
    """A thread count from a flag or the environment, or ValueError naming where it came from."""
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ValueError(
            f"{source} must be a whole number of threads between 1 and {MAX_THREADS}, got {value!r}"
        ) from None
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"{source} must be between 1 and {MAX_THREADS}, got {n}")
    return n


def configure_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads: ``HARMONICS_THREADS`` env var, else ``threads``, else 1.

    One thread is the default because the app, a training run and a second run share a small CPU: on a
    2-core machine under that load two threads were measured ~5x slower than one (each waits for a
    core), while on the same machine idle they were 0.6-1.05x the time. ``benchmarks/bench_models.py``
    measures it; raise it for a lone run or a many-core CPU. A bad value in the
    environment (0, -3, abc) must not take every page down: it is reported once and 1 is used.
    """
    env = os.environ.get("HARMONICS_THREADS")
    n = 1
    if env is not None:
        try:
            n = parse_threads(env, "HARMONICS_THREADS")
        except ValueError as exc:
            warnings.warn(f"{exc}; using 1 thread", stacklevel=2)
    elif threads is not None:
        n = parse_threads(threads, "threads")
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n


REPO_ROOT = Path(__file__).resolve().parents[1]
PRETRAINED = REPO_ROOT / "checkpoints" / "pretrained"


def runs_root() -> Path:
    """Where the user's training runs live: ``HARMONICS_CHECKPOINTS`` if set, else ``checkpoints/``."""
    return Path(os.environ.get("HARMONICS_CHECKPOINTS", REPO_ROOT / "checkpoints"))
