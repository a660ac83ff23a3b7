"""Series that are in no evaluation suite and no training world: what users bring that nothing here has seen.

The suites (``core.evaluation``) are what the models are scored on, and their kinds are now mostly inside
the networks' training worlds. These are not: a break in the window (a kink, a level shift), counts,
white noise, periods shorter than 4 or longer than the window, seasons that grow. The Signal Lab draws
them for the other pages, and ``benchmarks/bench_shapes.py`` scores every forecaster on them.

``draw(kind, n, length, seed)`` -> ``[n, length]`` float64 in the shape's own units (not scaled: a
forecaster scales what it is given). Each kind has a random stream of its own, so a kind's series for a
seed do not depend on which other kinds were drawn. Times that are not periods (where a kink or a jump
falls, how far a growth runs) are fractions of ``length``; periods (a week of 7, a month of 12) are
samples, whatever the length.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Shape(NamedTuple):
    description: str  # what it is, as a sentence a student reads
    make: Callable[[np.random.Generator, int, np.ndarray], np.ndarray]  # (rng, n, t) -> [n, len(t)]


def _uniform(rng: np.random.Generator, n: int):
    return lambda lo, hi: rng.uniform(lo, hi, (n, 1))


def _noise(rng: np.random.Generator, n: int, t: np.ndarray, sigma: float) -> np.ndarray:
    return sigma * rng.standard_normal((n, len(t)))


def _sine(rng: np.random.Generator, n: int, t: np.ndarray, lo: float, hi: float) -> np.ndarray:
    u = _uniform(rng, n)
    return np.sin(2 * np.pi * t / u(lo, hi) + u(0, 2 * np.pi))


def _kink(rng, n, t):
    u, length = _uniform(rng, n), len(t)
    knee = u(0.36, 0.86) * length
    return np.cumsum(np.where(t < knee, u(-1, 1), u(-1, 1)), 1) / length + _noise(rng, n, t, 0.02)


def _level_shift(rng, n, t):
    u = _uniform(rng, n)
    return np.where(t > u(0.18, 0.86) * len(t), u(-1, 1), 0.0) + _noise(rng, n, t, 0.05)


def _weekly(rng, n, t):
    u = _uniform(rng, n)
    return u(0.3, 1) * _sine(rng, n, t, 7, 7) + u(-2, 2) * t / len(t) + _noise(rng, n, t, 0.1)


def _monthly_growth(rng, n, t):
    u = _uniform(rng, n)
    season = sum(u(0, 0.3) * np.cos(2 * np.pi * k * t / 12 + u(0, 2 * np.pi)) for k in (1, 2, 3))
    return season + np.log1p(t / len(t) * u(1, 55)) + _noise(rng, n, t, 0.03)


def _growing_season(rng, n, t):
    u = _uniform(rng, n)
    return np.exp(t / len(t) * u(0.2, 2.2)) * (1 + u(0.1, 0.4) * _sine(rng, n, t, 12, 12))


def _damped(rng, n, t):
    u = _uniform(rng, n)
    return sum(np.exp(-t / len(t) * u(0.55, 3.3)) * _sine(rng, n, t, 8, 40) for _ in range(2))


def _beats(rng, n, t):
    u = _uniform(rng, n)
    period = u(10, 30)
    return np.sin(2 * np.pi * t / period) + np.sin(2 * np.pi * t / (period * u(1.01, 1.06)) + u(0, 2 * np.pi))


def _rounded(rng, n, t):
    return np.round(4 * _sine(rng, n, t, 6, 50))


def _fast(rng, n, t):
    return _sine(rng, n, t, 2.2, 4) + _noise(rng, n, t, 0.02)


def _slow(rng, n, t):
    return _sine(rng, n, t, 150, 400) + _noise(rng, n, t, 0.01)


def _very_noisy(rng, n, t):
    return _sine(rng, n, t, 8, 60) + _noise(rng, n, t, 0.5)


def _heavy_tails(rng, n, t):
    u = _uniform(rng, n)
    return sum(u(0.2, 1) * _sine(rng, n, t, 5, 60) for _ in range(3)) + 0.05 * rng.standard_t(2, (n, len(t)))


def _ar1(rng, n, t):
    x, shocks, phi = np.zeros((n, len(t))), rng.standard_normal((n, len(t))), _uniform(rng, n)(0.8, 0.98)
    for k in range(1, len(t)):
        x[:, k] = phi[:, 0] * x[:, k - 1] + shocks[:, k]
    return x


def _white(rng, n, t):
    return _noise(rng, n, t, 1.0)


def _counts(rng, n, t):
    return rng.poisson(3 * (1 + 0.8 * _sine(rng, n, t, 10, 30))).astype(float)


def _intermittent(rng, n, t):
    return (rng.random((n, len(t))) < 0.15) * rng.gamma(2, 2, (n, len(t)))


def _levels(rng, n, t):
    regime = np.cumsum(rng.random((n, len(t))) < 0.05, 1)
    return rng.standard_normal((n, len(t)))[np.arange(n)[:, None], regime] + _noise(rng, n, t, 0.03)


# The order is the benchmark's table's.
KINDS: dict[str, Shape] = {
    "kinked line, 2% noise": Shape("A straight line that changes slope once", _kink),
    "level shift, 5% noise": Shape("A flat series that jumps to a new level once", _level_shift),
    "weekly season on a trend, 10% noise": Shape("A 7-sample cycle on a straight rise or fall", _weekly),
    "monthly season on log growth, 3% noise": Shape(
        "A 12-sample cycle of 3 harmonics on a growth that slows",
        _monthly_growth,
    ),
    "season times exponential growth": Shape("A 12-sample cycle whose size grows with the level", _growing_season),
    "two damped sines": Shape("Two sines dying away", _damped),
    "beats: two sines 1-6% apart": Shape("Two sines of nearly the same period, swelling and fading together", _beats),
    "sine rounded to 9 levels": Shape("A sine read by a coarse instrument", _rounded),
    "fast sine, period 2.2-4, 2% noise": Shape("A sine of under 4 samples per cycle", _fast),
    "slow sine, period 150-400, 1% noise": Shape("A sine longer than the window: it looks like a curve", _slow),
    "sine, 50% noise": Shape("A sine under noise half its size", _very_noisy),
    "three sines, Student-t noise": Shape("Three sines under noise with rare large values (heavy tails)", _heavy_tails),
    "AR(1), phi 0.8-0.98": Shape("Each value a fraction of the last plus a random shock", _ar1),
    "white noise": Shape("Nothing but independent random values: nothing to foresee", _white),
    "counts: Poisson, mean 3, seasonal": Shape("Small whole numbers whose rate follows a cycle", _counts),
    "intermittent demand": Shape("Mostly zeros, sometimes a random amount", _intermittent),
    "random levels, 5% chance of a jump, 3% noise": Shape("Flat stretches that jump at random times", _levels),
}


def draw(kind: str, n: int = 1, length: int = 110, seed: int = 0) -> np.ndarray:
    """``n`` series of shape ``kind`` (a key of ``KINDS``), ``length`` samples each: [n, length] float64."""
    if kind not in KINDS:
        raise ValueError(f"unknown shape {kind!r}; the shapes are: {', '.join(KINDS)}")
    if int(n) != n or n < 1 or int(length) != length or length < 2:
        raise ValueError(f"n must be >= 1 series and length >= 2 samples, got n={n}, length={length}")
    rng = np.random.default_rng([int(seed), list(KINDS).index(kind)])
    return KINDS[kind].make(rng, int(n), np.arange(int(length), dtype=float))
