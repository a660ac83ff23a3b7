"""One place for bounded, typed checks at every boundary (CLI, config files, checkpoints, uploads, env).

Why: a typo such as ``--lookback 10000000`` must become one line naming the field, the value and the
allowed range *before* anything is allocated, not an out-of-memory kill of the whole machine. Every
check raises ``ValueError`` (never TypeError), so a caller catching ValueError is enough.
"""

from __future__ import annotations

import math
import re

# Memory bound for one model or batch: float32 values a single allocation may imply.
MAX_VALUES = 2**24  # 16M float32 values = 64 MB
MAX_WIDTH = 4096  # hidden sizes, layers and other integer model options
MAX_PARAMS = 2**27  # 128M weights = 512 MB: far above any model here, far below an OOM kill
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")


def check_int(name: str, value: object, low: int, high: int) -> int:
    """A whole number in [low, high] (bools and non-integral floats refused), or ValueError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or isinstance(value, float)
        and not (math.isfinite(value) and value == int(value))
    ):
        raise ValueError(f"{name} must be a whole number between {low:,} and {high:,}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:,} and {high:,}, got {int(value):,}")
    return int(value)


def check_number(name: str, value: object, low: float, high: float, *, open_low: bool = False) -> float:
    """A finite real in [low, high] (or (low, high] with ``open_low``); NaN and inf refused by name."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number between {low:g} and {high:g}, got {value!r}")
    if not (low < value if open_low else low <= value) or value > high:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}], got {value!r}")
    return float(value)


def check_run_id(run_id: object) -> str:
    """A run folder name: letters, digits, '-' and '_' only, so it never escapes the runs folder."""
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise ValueError(
            f"a run id must be 1 to 100 letters, digits, '-' or '_' (starting with a letter or digit), got {run_id!r}"
        )
    return run_id


def check_memory(what: str, values: int, limit: int = MAX_VALUES) -> None:
    """Refuse a shape whose element count exceeds ``limit`` before torch tries to allocate it."""
    if values > limit:
        raise ValueError(
            f"{what} would hold {values:,} values ({values * 4 / 2**20:,.0f} MB as float32); "
            f"the limit is {limit:,} ({limit * 4 / 2**20:,.0f} MB)"
        )


def check_model_options(name: str, options: object, signature_params: dict | None = None) -> dict:
    """Integer model options, each within [0, MAX_WIDTH], and (given a signature) only known names.

    MAX_WIDTH bounds the memory a model can imply (a recurrent layer grows with hidden**2): a checkpoint
    claiming ``hidden = 200000`` once asked for 640 GB.
    """
    if not isinstance(options, dict):
        raise ValueError(f"{name} must be a JSON object of whole numbers, got {type(options).__name__}")
    if signature_params is not None:
        unknown = sorted(str(k) for k in options if k not in signature_params)
        if unknown:
            raise ValueError(f"{name} has unknown option(s) {unknown}; known: {sorted(signature_params)}")
    out = {}
    for key, value in options.items():
        out[str(key)] = check_int(f"{name} {key!r}", value, 0, MAX_WIDTH)
    return out


def check_model_size(name: str, options: dict, lookback: int = 100, horizon: int = 10) -> None:
    """Refuse options whose implied weight count (an upper estimate) exceeds MAX_PARAMS.

    Each width is bounded alone, but ``layers=4096`` with ``hidden=4096`` is still 550 GB: the estimate
    (gated recurrent layers ~ 8 * hidden^2 per layer, plus a dense lookback x horizon map) catches it.
    """
    layers = max(1, int(options.get("layers", 1)))
    width = max([v for k, v in options.items() if k not in ("layers", "lookback", "horizon")] or [0])
    estimate = 8 * width * width * layers + 8 * width * (lookback + horizon) + lookback * horizon
    if estimate > MAX_PARAMS:
        raise ValueError(
            f"{name}: {options} implies about {estimate:,} weights ({estimate * 4 / 2**30:,.1f} GB); "
            f"the limit is {MAX_PARAMS:,} ({MAX_PARAMS * 4 / 2**30:.1f} GB): use fewer or narrower layers"
        )
