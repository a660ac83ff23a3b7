"""Every default forecaster on shapes outside every training family, against repeating the last value.

The suites in ``core.evaluation`` are what the models are scored on; these are not in any suite or any
training world (jumps, kinks, counts, white noise, periods beyond the window, ...), the kinds of series
a user may bring. Each shape: ``--n`` series of 110 samples from one seeded generator, scaled by the
lookback (centred on its mean, peak deviation 1) like the real windows, passed as float32; MSE over
the 10 samples after a lookback of 100, as a multiple of repeating the last value's (``naive``). The
``mean`` column is the lookback's mean held flat, the best guess where nothing can be foreseen.
``!``: some single series' MSE is above 4.

    python benchmarks/bench_shapes.py [--n 300] [--seed 2027] [--models naive,linear,...]
"""

import argparse

import numpy as np
import torch
from _common import ROOT  # noqa: F401  (puts the repository on sys.path)

from core import forecasters
from core.linear_prediction import normalise

LOOKBACK, HORIZON = 100, 10
LENGTH = LOOKBACK + HORIZON


def shapes(n: int, seed: int) -> dict[str, np.ndarray]:
    """Each shape's ``[n, LENGTH]`` series, drawn in this order from one generator."""
    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH, dtype=float)

    def u(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, (n, 1))

    def noise(sigma: float) -> np.ndarray:
        return sigma * rng.standard_normal((n, LENGTH))

    def sine(lo: float, hi: float) -> np.ndarray:
        return np.sin(2 * np.pi * t / u(lo, hi) + u(0, 2 * np.pi))

    out = {}
    knee = rng.integers(40, 95, (n, 1))
    out["kinked line, 2% noise"] = np.cumsum(np.where(t < knee, u(-1, 1), u(-1, 1)), 1) / LENGTH + noise(0.02)
    out["level shift, 5% noise"] = np.where(t > rng.integers(20, 95, (n, 1)), u(-1, 1), 0.0) + noise(0.05)
    out["weekly season on a trend, 10% noise"] = u(0.3, 1) * sine(7, 7) + u(-2, 2) * t / LENGTH + noise(0.1)
    season = sum(u(0, 0.3) * np.cos(2 * np.pi * k * t / 12 + u(0, 2 * np.pi)) for k in (1, 2, 3))
    out["monthly season on log growth, 3% noise"] = season + np.log1p(t * u(0.01, 0.5)) + noise(0.03)
    out["season times exponential growth"] = np.exp(t * u(0.002, 0.02)) * (1 + u(0.1, 0.4) * sine(12, 12))
    out["two damped sines"] = sum(np.exp(-t * u(0.005, 0.03)) * sine(8, 40) for _ in range(2))
    period = u(10, 30)
    out["beats: two sines 1-6% apart"] = np.sin(2 * np.pi * t / period) + np.sin(
        2 * np.pi * t / (period * u(1.01, 1.06)) + u(0, 2 * np.pi)
    )
    out["sine rounded to 9 levels"] = np.round(4 * sine(6, 50))
    out["fast sine, period 2.2-4, 2% noise"] = sine(2.2, 4) + noise(0.02)
    out["slow sine, period 150-400, 1% noise"] = sine(150, 400) + noise(0.01)
    out["sine, 50% noise"] = sine(8, 60) + noise(0.5)
    out["three sines, Student-t noise"] = sum(u(0.2, 1) * sine(5, 60) for _ in range(3)) + 0.05 * rng.standard_t(
        2, (n, LENGTH)
    )
    x, shocks, phi = np.zeros((n, LENGTH)), rng.standard_normal((n, LENGTH)), u(0.8, 0.98)
    for k in range(1, LENGTH):
        x[:, k] = phi[:, 0] * x[:, k - 1] + shocks[:, k]
    out["AR(1), phi 0.8-0.98"] = x
    out["white noise"] = noise(1.0)
    out["counts: Poisson, mean 3, seasonal"] = rng.poisson(3 * (1 + 0.8 * sine(10, 30))).astype(float)
    out["intermittent demand"] = (rng.random((n, LENGTH)) < 0.15) * rng.gamma(2, 2, (n, LENGTH))
    regime = np.cumsum(rng.random((n, LENGTH)) < 0.05, 1)
    levels = rng.standard_normal((n, LENGTH))[np.arange(n)[:, None], regime]
    out["random levels, 5% chance of a jump, 3% noise"] = levels + noise(0.03)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--models", default=",".join(k for k in forecasters.available() if not k.endswith("-final")))
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.models.split(",")
    loaded = {name: forecasters.load(name) for name in names}
    print(f"MSE / repeating the last value's, {args.n} series per shape, seed {args.seed}, float32 input\n")
    print("| shape | `naive` MSE | mean | " + " | ".join(f"`{name}`" for name in names) + " |")
    print("| --- " * (len(names) + 3) + "|")
    for shape, x in shapes(args.n, args.seed).items():
        _, mean, scale = normalise(x[:, :LOOKBACK])
        x = (x - mean) / scale
        history, future = x[:, :LOOKBACK].astype(np.float32), x[:, LOOKBACK:]
        naive = ((history[:, -1:] - future) ** 2).mean()
        cells = [f"{((history.mean(1, keepdims=True) - future) ** 2).mean() / naive:.2f}"]
        for forecaster in loaded.values():
            rows = ((np.asarray(forecaster.predict(history, HORIZON), dtype=float) - future) ** 2).mean(1)
            cells.append(f"{rows.mean() / naive:.2f}{'!' if rows.max() > 4 else ''}")
        print(f"| {shape} | {naive:.3g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
