"""Fixed, seeded evaluation suites and the metrics every comparison in the app is made of.

Suites (DESIGN.md; lookback 100, horizon 10):
    easy   3..6 components, integer periods 2..99, no noise (the notebook study)
    final  3..44 components, integer periods 10..99, no noise (the study's final training run)
    noisy  ``final`` plus N(0, 0.1) noise
Signals are drawn in float64 so that linear prediction shows its real precision.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.forecasters import Forecaster
from core.signals import SignalSpec, generate

LOOKBACK, HORIZON = 100, 10
SUITES: dict[str, SignalSpec] = {
    "easy": SignalSpec(components=(3, 6), periods=(2, 99), length=LOOKBACK + HORIZON),
    "final": SignalSpec(components=(3, 44), periods=(10, 99), length=LOOKBACK + HORIZON),
    "noisy": SignalSpec(components=(3, 44), periods=(10, 99), noise=0.1, length=LOOKBACK + HORIZON),
}
SUITE_SEEDS = {"easy": 1001, "final": 1002, "noisy": 1003}


@dataclass
class Suite:
    """A batch of test signals split at the lookback, with how many components each has."""

    name: str
    history: np.ndarray  # [n, lookback]
    future: np.ndarray  # [n, horizon]
    components: np.ndarray  # [n] int


def suite(name: str, n: int = 1000, seed: int | None = None, lookback: int = LOOKBACK, horizon: int = HORIZON) -> Suite:
    """The first ``n`` signals of suite ``name`` (the same ones for the same ``seed``, on any machine)."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; choose one of: {', '.join(SUITES)}")
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    spec = SignalSpec.from_dict({**SUITES[name].to_dict(), "length": lookback + horizon})
    x, comps = generate(
        spec, n, seed=SUITE_SEEDS[name] if seed is None else seed, dtype=torch.float64, return_components=True
    )
    x = x.numpy()
    return Suite(name, x[:, :lookback], x[:, lookback:], comps.active.sum(1).numpy())


@dataclass
class Scores:
    """Per-signal, per-step squared and absolute errors of one forecaster on one batch."""

    name: str
    squared: np.ndarray  # [n, horizon]
    absolute: np.ndarray  # [n, horizon]

    @property
    def mse(self) -> float:
        return float(self.squared.mean())

    @property
    def mae(self) -> float:
        return float(self.absolute.mean())

    @property
    def per_signal(self) -> np.ndarray:
        return self.squared.mean(1)

    def per_horizon(self, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
        """MSE at each horizon step and the half-width of its ~95% confidence interval (normal approx.)."""
        mean = self.squared.mean(0)
        half = z * self.squared.std(0, ddof=1) / np.sqrt(len(self.squared)) if len(self.squared) > 1 else 0 * mean
        return mean, half

    def worst(self, k: int = 10) -> np.ndarray:
        """Indices of the ``k`` signals with the largest MSE, worst first."""
        return np.argsort(-self.per_signal, kind="stable")[:k]

    def by_components(self, components: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(component counts present, mean per-signal MSE at each count)."""
        counts = np.unique(components)
        return counts, np.array([self.per_signal[components == c].mean() for c in counts])


def score(forecaster: Forecaster, history: np.ndarray, future: np.ndarray, name: str | None = None) -> Scores:
    """Forecast every row of ``history`` over ``future``'s horizon and keep the errors."""
    error = forecaster.predict(history, future.shape[1]) - future
    return Scores(name or forecaster.name, error**2, np.abs(error))


def leaderboard(results: dict[str, Scores], baseline: str = "naive", reference: str = "linear") -> list[dict]:
    """Rows sorted by MSE: MSE, MAE, and MSE as a multiple of ``baseline``'s and ``reference``'s (NaN if absent)."""
    base = results[baseline].mse if baseline in results else np.nan
    ref = results[reference].mse if reference in results else np.nan
    rows = [
        {"model": name, "mse": s.mse, "mae": s.mae, f"vs_{baseline}": s.mse / base, f"vs_{reference}": s.mse / ref}
        for name, s in results.items()
    ]
    return sorted(rows, key=lambda row: row["mse"])


def markdown_table(results: dict[str, Scores], baseline: str = "naive") -> str:
    """Leaderboard: MSE, MAE, MSE relative to ``baseline``, and MSE at each horizon step."""
    horizon = next(iter(results.values())).squared.shape[1]
    head = f"| model | MSE | MAE | vs {baseline} | " + " | ".join(f"h{k + 1}" for k in range(horizon)) + " |"
    lines = [head, "|" + " --- |" * (4 + horizon)]
    for row in leaderboard(results, baseline):
        rel = "-" if np.isnan(row[f"vs_{baseline}"]) else f"{row[f'vs_{baseline}']:.3g}x"
        steps = " | ".join(f"{v:.3g}" for v in results[row["model"]].per_horizon()[0])
        lines.append(f"| {row['model']} | {row['mse']:.3g} | {row['mae']:.3g} | {rel} | {steps} |")
    return "\n".join(lines)


def to_json(suite_name: str, results: dict[str, Scores], data: Suite) -> dict:
    out = {"suite": suite_name, "n": int(len(data.history)), "models": {}}
    for name, s in results.items():
        mean, half = s.per_horizon()
        counts, by_count = s.by_components(data.components)
        out["models"][name] = {
            "mse": s.mse,
            "mae": s.mae,
            "per_horizon_mse": mean.tolist(),
            "per_horizon_ci95": np.asarray(half).tolist(),
            "mse_by_components": dict(zip(map(int, counts), by_count.tolist())),
        }
    return out
