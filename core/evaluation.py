"""Fixed, seeded evaluation suites and the metrics every comparison in the app is made of.

Suites (lookback 100, horizon 10). Synthetic ones are sums of harmonics, peak-normalised:
    easy           3..6 components, whole periods 2..99, no noise (the notebook study)
    final          3..44 components, whole periods 10..99, no noise (the study's final training run)
    noisy          ``final`` plus N(0, 0.1) noise
    float-periods  3..10 components, real-valued periods 2..100, no noise
    amp-mod        3..10 components, real periods 10..100, each amplitude following a 1 -> r -> 1 envelope
    noise-1/5/20   ``final`` plus N(0, sigma) noise, sigma = 0.01 / 0.05 / 0.2
Real suites are windows of the bundled series (``core.datasets``), each centred on its lookback's mean
and scaled by its lookback's peak deviation, as a user's series would be seen by a forecaster:
    sunspots, co2, elnino
Shape suites are series that are not sums of a few harmonics at all, the kinds users bring that no
network here was trained on (scaled by their lookback like the real windows):
    trends     straight, quadratic and exponential trends, half of them with a small seasonal cycle
    walks      random walks, AR(1) and quasi-periodic AR(2) processes: the future is partly unknowable
    waveforms  square, sawtooth and triangle waves, clipped sines and chirps: periodic, not sinusoidal
Synthetic signals are drawn in float64 and real windows are float64 too; ``Suite.as_float32`` gives
them as users pass them (float32), which is how the CLI and the README's tables score forecasters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from core import datasets, shapes
from core.forecasters import Forecaster
from core.linear_prediction import normalise
from core.signals import SignalSpec, generate

LOOKBACK, HORIZON = 100, 10
_FINAL = {"components": (3, 44), "periods": (10, 99)}
SYNTHETIC: dict[str, SignalSpec] = {
    "easy": SignalSpec(components=(3, 6), periods=(2, 99)),
    "final": SignalSpec(**_FINAL),
    "noisy": SignalSpec(**_FINAL, noise=0.1),
    "float-periods": SignalSpec(components=(3, 10), periods=(2, 100), integer_periods=False),
    "amp-mod": SignalSpec(components=(3, 10), periods=(10, 100), integer_periods=False, modulation=True),
    "noise-1": SignalSpec(**_FINAL, noise=0.01),
    "noise-5": SignalSpec(**_FINAL, noise=0.05),
    "noise-20": SignalSpec(**_FINAL, noise=0.2),
}
REAL: dict[str, str] = {
    "sunspots": "Sunspots (yearly, 1700-2008)",
    "co2": "Mauna Loa CO2 (monthly, 1958-2001)",
    "elnino": "El Nino sea surface temperature (monthly, 1950-2010)",
}
SHAPES = ("trends", "walks", "waveforms")
SUITES: list[str] = [*SYNTHETIC, *REAL, *SHAPES]
SUITE_SEEDS = {name: 1001 + i for i, name in enumerate(SUITES)}
# One line per suite for the pages (the module docstring says the same at more length).
DESCRIPTIONS: dict[str, str] = {
    "easy": "3..6 components, whole periods 2..99",
    "final": "3..44 components, whole periods 10..99",
    "noisy": "final plus noise of std 0.1",
    "float-periods": "3..10 components, any real period 2..100",
    "amp-mod": "amplitudes that swell and fade inside the window",
    "noise-1": "final plus noise of std 0.01",
    "noise-5": "final plus noise of std 0.05",
    "noise-20": "final plus noise of std 0.2",
    "sunspots": "windows of the yearly sunspot numbers",
    "co2": "windows of the monthly Mauna Loa CO2 record",
    "elnino": "windows of the monthly El Nino sea temperatures",
    "trends": "straight, quadratic and exponential trends, half with a small seasonal cycle",
    "walks": "random walks, AR(1) and quasi-periodic AR(2) processes",
    "waveforms": "square, sawtooth and triangle waves, clipped sines, chirps",
}


@dataclass
class Suite:
    """A batch of test signals split at the lookback, with how many components each has."""

    name: str
    history: np.ndarray  # [n, lookback]
    future: np.ndarray  # [n, horizon]
    components: np.ndarray  # [n] int (0 for real and shape windows: not a count of harmonics)

    def as_float32(self) -> Suite:
        """The same windows rounded to float32, the dtype users' arrays and ``generate`` arrive in."""
        f32 = lambda a: a.astype(np.float32).astype(np.float64)  # noqa: E731
        return Suite(self.name, f32(self.history), f32(self.future), self.components)


def real_windows(values: np.ndarray, n: int, lookback: int, horizon: int, seed: int) -> np.ndarray:
    """``n`` windows of ``lookback + horizon`` samples from a real series, each scaled by its lookback.

    Starts are drawn without replacement while the series has enough (with replacement after), so a
    short series gives overlapping windows rather than an error. Scaling by the lookback alone (centre on
    its mean, peak deviation 1) is what a forecaster can do in use: the future is never looked at.
    """
    length = lookback + horizon
    starts_available = len(values) - length + 1
    if starts_available < 1:
        raise ValueError(f"the series has {len(values)} samples; a window needs {length}")
    rng = np.random.default_rng(seed)
    starts = rng.choice(starts_available, size=n, replace=n > starts_available)
    windows = np.stack([values[s : s + length] for s in np.sort(starts)])
    _, mean, scale = normalise(windows[:, :lookback])
    return (windows - mean) / scale


def shape_series(name: str, n: int, length: int, seed: int) -> np.ndarray:
    """``n`` series of one shape suite, ``[n, length]`` float64, before scaling (see the module docstring).

    Every row draws its kind and parameters from one seeded numpy generator, so a seed gives the same
    series on every machine. Rates, periods and noise are per sample (sample rate 1).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(length, dtype=np.float64)
    u = lambda lo, hi: rng.uniform(lo, hi, (n, 1))  # noqa: E731
    kind = rng.integers(0, 3, (n, 1))
    phase = u(0, 2 * np.pi)
    if name == "trends":
        span = t / length
        shape = np.where(
            kind == 0,
            u(-1, 1) * span,
            np.where(kind == 1, u(-1, 1) * span**2 + u(-1, 1) * span, np.exp(u(-3, 3) * span)),
        )
        shape = shape - shape.mean(1, keepdims=True)
        size = np.abs(shape).max(1, keepdims=True) + 1e-12
        season = (rng.random((n, 1)) < 0.5) * u(0, 0.3) * np.cos(2 * np.pi * t / u(4, 24) + phase)
        return shape / size + season + u(0, 0.03) * rng.standard_normal((n, length))
    if name == "walks":
        steps = rng.standard_normal((n, length))
        walk = steps.cumsum(1)
        phi = u(0.5, 0.99)
        radius, angle = u(0.8, 0.98), 2 * np.pi / u(5, 40)
        ar1, ar2 = np.zeros((n, length)), np.zeros((n, length))
        for k in range(1, length):  # the recurrences, all rows at once
            ar1[:, k] = phi[:, 0] * ar1[:, k - 1] + steps[:, k]
            ar2[:, k] = 2 * radius[:, 0] * np.cos(angle[:, 0]) * ar2[:, k - 1] + steps[:, k]
            if k > 1:
                ar2[:, k] -= radius[:, 0] ** 2 * ar2[:, k - 2]
        return np.where(kind == 0, walk, np.where(kind == 1, ar1, ar2))
    if name == "waveforms":
        period = u(6, 50)
        cycle = (t / period + phase / (2 * np.pi)) % 1.0  # 0..1 within each period
        choice = rng.integers(0, 5, (n, 1))
        chirp = np.cos(2 * np.pi * (t / u(20, 60) + u(0.5, 2) * t**2 / (2 * length * 30)) + phase)
        wave = np.select(
            [choice == 0, choice == 1, choice == 2, choice == 3],
            [
                np.where(cycle < 0.5, 1.0, -1.0),  # square
                2 * cycle - 1,  # sawtooth
                1 - 4 * np.abs(cycle - 0.5),  # triangle
                np.clip(u(1.2, 3) * np.cos(2 * np.pi * cycle), -1, 1),  # clipped sine
            ],
            chirp,
        )
        return wave + 0.01 * rng.standard_normal((n, length))
    raise ValueError(f"unknown shape suite {name!r}; choose one of: {', '.join(SHAPES)}")


def suite(name: str, n: int = 1000, seed: int | None = None, lookback: int = LOOKBACK, horizon: int = HORIZON) -> Suite:
    """The first ``n`` signals of suite ``name`` (the same ones for the same ``seed``, on any machine)."""
    if name not in SUITES:
        raise ValueError(f"unknown suite {name!r}; choose one of: {', '.join(SUITES)}")
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n}")
    seed = SUITE_SEEDS[name] if seed is None else seed
    if name in REAL:
        x = real_windows(datasets.load_bundled(REAL[name]).values, n, lookback, horizon, seed)
        return Suite(name, x[:, :lookback], x[:, lookback:], np.zeros(len(x), dtype=int))
    if name in SHAPES:
        x = shape_series(name, n, lookback + horizon, seed)
        _, mean, scale = normalise(x[:, :lookback])
        x = (x - mean) / scale
        return Suite(name, x[:, :lookback], x[:, lookback:], np.zeros(len(x), dtype=int))
    spec = SignalSpec.from_dict({**SYNTHETIC[name].to_dict(), "length": lookback + horizon})
    x, comps = generate(spec, n, seed=seed, dtype=torch.float64, return_components=True)
    x = x.numpy()
    return Suite(name, x[:, :lookback], x[:, lookback:], comps.active.sum(1).numpy())


# The seed the shapes outside every training family are drawn with (bench_shapes and the Arena's map).
SHAPE_SEED = 2027


def shape_suite(
    kind: str, n: int = 1000, seed: int | None = None, lookback: int = LOOKBACK, horizon: int = HORIZON
) -> Suite:
    """``n`` series of shape ``kind`` (``core.shapes.KINDS``), split at the lookback and scaled by it.

    Scaled like the real windows (centred on the lookback's mean, its peak deviation 1). The shapes are
    in no suite and no training world; this is how they are scored (``robustness(..., make=shape_suite)``,
    ``benchmarks/bench_shapes.py``).
    """
    x = shapes.draw(kind, n, lookback + horizon, SHAPE_SEED if seed is None else seed)
    _, mean, scale = normalise(x[:, :lookback])
    x = (x - mean) / scale
    return Suite(kind, x[:, :lookback], x[:, lookback:], np.zeros(len(x), dtype=int))


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


def robustness(
    models: dict[str, Forecaster],
    suites: list[str],
    n: int = 256,
    float32: bool = True,
    make: Callable[..., Suite] = suite,
) -> dict[str, dict[str, Scores]]:
    """Every model on every suite: ``{suite: {model: Scores}}``, inputs rounded to float32 by default.

    ``make(name, n=n)`` gives each suite's signals: ``suite`` by default, ``shape_suite`` for the shapes
    outside every training family (``suites`` are then keys of ``core.shapes.KINDS``).
    A model that refuses a suite (a lookback it was not built for, say) is left out of that suite.
    """
    out: dict[str, dict[str, Scores]] = {}
    for name in suites:
        data = make(name, n=n)
        if float32:
            data = data.as_float32()
        out[name] = {}
        for model_name, model in models.items():
            try:
                out[name][model_name] = score(model, data.history, data.future, model_name)
            except ValueError:
                continue
    return out


def robustness_table(results: dict[str, dict[str, Scores]], baseline: str = "naive") -> str:
    """Markdown: a row per model, a column per suite, MSE (bold: best in the column; * worse than baseline)."""
    suites = list(results)
    models = list(dict.fromkeys(m for per_suite in results.values() for m in per_suite))
    lines = ["| forecaster | " + " | ".join(suites) + " |", "|" + " --- |" * (len(suites) + 1)]
    for model in models:
        cells = []
        for name in suites:
            scores = results[name].get(model)
            if scores is None:
                cells.append("-")
                continue
            best = min(s.mse for s in results[name].values())
            base = results[name].get(baseline)
            cell = f"{scores.mse:.3g}"
            cell = f"**{cell}**" if scores.mse == best else cell
            cells.append(cell + ("\\*" if base is not None and scores.mse > base.mse else ""))
        lines.append(f"| `{model}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def readable_ratio(ratio: float) -> str:
    """An MSE ratio as words a student reads at a glance: '3.2x worse', '20x better', '~10¹¹x better'."""
    if not np.isfinite(ratio) or ratio <= 0:
        return "-"
    if 0.95 <= ratio <= 1.05:
        return "about the same"
    factor, word = (ratio, "worse") if ratio > 1 else (1 / ratio, "better")
    if factor >= 1000:
        return f"~10{str(round(np.log10(factor))).translate(_SUPERSCRIPT)}x {word}"
    return f"{factor:.2g}x {word}"
