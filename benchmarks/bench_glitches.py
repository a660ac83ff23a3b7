"""Glitches in the lookback: each forecaster with and without ``core.glitches``, on the same signals in one run.

Sums of 2-5 harmonics (amplitudes 0.2..1, real periods 5..60), lookback 100, horizon 10, passed as
float32. One interior sample (index 5..97) is pushed to 1.5, 3 or 5 times the row's peak; or three
samples are pushed to 4 times it, on top of noise of std 0.05; and two trains of pulses, which are
signal, not glitches (a pulse every 25 or every 50 samples, on a cosine); and windows of the bundled El
Nino and CO2 series with one, or three in a row, pushed to 5 times the peak. MSE in units of each
lookback's peak deviation from its mean, 200 signals per case; "plain" is the same forecaster reading
the lookback as it is.

    python benchmarks/bench_glitches.py [--n 200] [--seed 99]
"""

import argparse

import numpy as np
import torch
from _common import ROOT  # noqa: F401 - puts the repository on sys.path

from core import forecasters, linear_prediction, sinusoids
from core.evaluation import suite
from core.linear_prediction import normalise

LOOKBACK, HORIZON = 100, 10
NAMES = ["linear", "esprit", "fft_gru", "lstm", "seq2seq", "linear_net"]


def cases(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(LOOKBACK + HORIZON, dtype=float)

    def harmonics() -> np.ndarray:
        x = np.zeros((n, len(t)))
        for row in x:
            for _ in range(rng.integers(2, 6)):
                row += rng.uniform(0.2, 1) * np.cos(2 * np.pi * t / rng.uniform(5, 60) + rng.uniform(0, 2 * np.pi))
        return x

    out = {}
    for size in (1.5, 3, 5):
        x = harmonics()
        x[np.arange(n), rng.integers(5, 98, n)] += rng.choice([-1, 1], n) * size * np.abs(x).max(1)
        out[f"one spike, {size}x the peak"] = x
    x = harmonics() + rng.normal(0, 0.05, (n, len(t)))
    for row in x:
        row[rng.choice(np.arange(5, 98), 3, replace=False)] += rng.choice([-1, 1], 3) * 4 * np.abs(row).max()
    out["three spikes, 4x, 5% noise"] = x
    for period in (25, 50):
        phase = rng.integers(0, period, (n, 1))
        out[f"pulses every {period} (signal)"] = ((t + phase) % period == 0) + 0.3 * np.cos(2 * np.pi * t / 13 + phase)
    # Windows of two bundled real series (each scaled by its lookback), with a burst of 1 or 3 bad readings.
    for name, title, width in (("elnino", "El Niño", 1), ("co2", "CO2", 3)):
        x = np.concatenate([suite(name, n=n, seed=seed).history, suite(name, n=n, seed=seed).future], 1)
        start, push = rng.integers(5, 96, n), rng.choice([-1, 1], n) * 5 * np.abs(x[:, :LOOKBACK]).max(1)
        for k in range(width):
            x[np.arange(n), start + k] += push
        out[f"{title} windows, {'one bad reading' if width == 1 else f'{width} bad readings in a row'}, 5x"] = x
    return out


def plain(name: str, history: np.ndarray) -> np.ndarray:
    """The forecaster reading the lookback as it is (what it did before ``core.glitches``)."""
    if name == "linear":
        return linear_prediction.forecast(history, HORIZON)[0]
    if name == "esprit":
        return sinusoids.forecast(history, HORIZON)
    model = forecasters.load(name)
    return model._run(lambda h: model.model(h, HORIZON), history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--seed", type=int, default=99)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"| case | naive | {' | '.join(f'`{m}` plain / with' for m in NAMES)} |")
    print("| --- " * (2 + len(NAMES)) + "|")
    for label, x in cases(args.n, args.seed).items():
        history = x[:, :LOOKBACK].astype(np.float32).astype(np.float64)
        future = x[:, LOOKBACK:]
        _, _, scale = normalise(history)

        def mse(forecast: np.ndarray, future: np.ndarray = future, scale: np.ndarray = scale) -> str:
            return f"{(((forecast - future) / scale) ** 2).mean():.2g}"

        cells = [mse(np.repeat(history[:, -1:], HORIZON, 1))]
        for name in NAMES:
            cells.append(f"{mse(plain(name, history))} / {mse(forecasters.load(name).predict(history, HORIZON))}")
        print(f"| {label} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
