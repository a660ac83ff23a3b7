"""One interface over everything that forecasts, classical and neural (DESIGN.md "public surface").

    >>> from core import forecasters
    >>> f = forecasters.load("linear")
    >>> f.predict(history, horizon=10)          # history [B, N] or [N] -> np.ndarray [B, 10]

The comparison page is then a loop over ``available()``, not a switch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core import spectral
from core.runtime import PRETRAINED, pick_device, runs_root
from core.training.checkpoints import load_model

CLASSICAL = ("naive", "fft", "linear")
NEURAL = ("linear_net", "lstm", "seq2seq", "fft_gru")

LABELS = {
    "naive": "Repeat last value",
    "fft": "DFT periodic extension",
    "linear": "Linear prediction",
    "linear_net": "Linear layer (learned)",
    "lstm": "LSTM (next-step)",
    "seq2seq": "GRU seq2seq + FFT",
    "fft_gru": "FFT-GRU",
}


def available() -> list[str]:
    """Names ``load`` accepts, classical first."""
    return [*CLASSICAL, *NEURAL]


class Forecaster:
    """Forecasts ``horizon`` values after each row of a history.

    lookback: None if any history length works, else the one length the model was trained on.
    trained_horizon: the horizon it was trained for (None: not trained).
    autoregressive: whether it can go past ``trained_horizon`` (by feeding itself).
    """

    name = ""
    lookback: int | None = None
    trained_horizon: int | None = None
    autoregressive = True

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)

    def predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        """``history [B, N]`` (or ``[N]``) -> ``[B, horizon]`` float64."""
        history = self._validate(history, horizon)
        return self._predict(history, int(horizon))

    def _validate(self, history: np.ndarray, horizon: int) -> np.ndarray:
        history = np.asarray(history, dtype=np.float64)
        if history.ndim == 1:
            history = history[None, :]
        if history.ndim != 2:
            raise ValueError(f"history must be [N] or [batch, N], got shape {history.shape}")
        if history.shape[0] == 0 or history.shape[1] == 0:
            raise ValueError("history is empty: give at least one sample to forecast from")
        if not np.all(np.isfinite(history)):
            raise ValueError("history contains NaN or infinite values: fill or cut the gaps first")
        if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
            raise ValueError(f"horizon must be a whole number of steps >= 1, got {horizon}")
        if self.lookback is not None and history.shape[1] != self.lookback:
            raise ValueError(
                f"{self.label} was trained on a lookback of {self.lookback} samples and only takes that; "
                f"got {history.shape[1]}"
            )
        if self.minimum_length > history.shape[1]:
            raise ValueError(f"{self.label} needs at least {self.minimum_length} samples of history")
        return history

    minimum_length = 1

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError


class Naive(Forecaster):
    """Repeat the last value: the floor any forecaster must beat."""

    name = "naive"

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return np.repeat(history[:, -1:], horizon, axis=1)


class FFT(Forecaster):
    """The DFT's periodic extension of the lookback, as forecasting libraries' FFT models do.

    window: taper before the DFT (``core.spectral.WINDOWS``); top_k: keep only the largest harmonics.
    """

    name = "fft"

    def __init__(self, window: str = "rectangular", top_k: int | None = None) -> None:
        spectral.window(window, 4)  # validates the name now, not at the first forecast
        if top_k is not None and top_k < 1:
            raise ValueError(f"top_k must keep at least 1 harmonic, got {top_k}")
        self.window, self.top_k = window, top_k

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return spectral.extend(history, horizon, window=self.window, top_k=self.top_k)


class LinearPrediction(Forecaster):
    """Least-squares linear prediction fitted on the lookback itself, in float64 (LESSONS.md 7).

    A sum of K sinusoids obeys an exact linear recurrence of order 2K, so fitting
    ``x[t] = sum_j a_j x[t-j]`` over the lookback and running it forward forecasts noise-free sums of
    harmonics essentially exactly. order: recurrence length (default: half the lookback, which was
    measured best on the `final` suite: ~1e-13 MSE at N=100 for orders 40..60). rank: keep only the
    ``rank`` largest singular values of the fit (a regulariser for noisy signals); rcond: relative cut
    for the minimum-norm solution (default: machine precision).
    """

    name = "linear"
    minimum_length = 3

    def __init__(self, order: int | None = None, rank: int | None = None, rcond: float | None = None) -> None:
        if order is not None and order < 1:
            raise ValueError(f"order must be >= 1, got {order}")
        if rank is not None and rank < 1:
            raise ValueError(f"rank must be >= 1, got {rank}")
        self.order, self.rank, self.rcond = order, rank, rcond

    def coefficients(self, history: np.ndarray) -> np.ndarray:
        """Recurrence coefficients per row: ``[B, N] -> [B, order]`` (oldest lag first)."""
        n = history.shape[1]
        order = min(self.order or n // 2, n - 1)
        rows = np.lib.stride_tricks.sliding_window_view(history[:, :-1], order, axis=1)  # [B, N-order, order]
        rows = torch.from_numpy(np.ascontiguousarray(rows))
        target = torch.from_numpy(np.ascontiguousarray(history[:, order:])).unsqueeze(-1)  # [B, N-order, 1]
        if self.rank is None:
            # LAPACK's gelsd (SVD-based minimum-norm least squares) keeps full float64 precision; an
            # explicit pseudo-inverse was measured 1e8x less accurate on the `final` suite.
            solution = torch.linalg.lstsq(rows, target, rcond=self.rcond, driver="gelsd").solution
            return solution.squeeze(-1).numpy()
        u, s, vt = torch.linalg.svd(rows, full_matrices=False)  # batched; keep the `rank` largest
        inv = torch.where(torch.arange(s.shape[1]) < self.rank, 1.0 / s.clamp_min(1e-300), torch.zeros_like(s))
        return (vt.transpose(1, 2) @ (inv.unsqueeze(-1) * (u.transpose(1, 2) @ target))).squeeze(-1).numpy()

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        a = self.coefficients(history)
        order = a.shape[1]
        buffer = np.concatenate([history[:, -order:], np.zeros((len(history), horizon))], axis=1)
        for t in range(horizon):
            buffer[:, order + t] = np.einsum("bi,bi->b", buffer[:, t : t + order], a)
        return buffer[:, order:]


class Neural(Forecaster):
    """A trained ``core.models`` network behind the common interface (inference mode, batched)."""

    def __init__(self, name: str, path: Path, device: torch.device) -> None:
        self.name = name
        self.path = path
        self.device = device
        self.model, self.checkpoint = load_model(path, device=device, expect=name)
        self.lookback = self.model.lookback if self.model.fixed_lookback else None
        self.trained_horizon = self.model.horizon

    @torch.inference_mode()
    def _run(self, fn, *arrays: np.ndarray, chunk: int = 4096) -> np.ndarray:
        out = []
        for i in range(0, len(arrays[0]), chunk):
            tensors = [torch.as_tensor(a[i : i + chunk], dtype=torch.float32, device=self.device) for a in arrays]
            out.append(fn(*tensors).double().cpu().numpy())
        return np.concatenate(out)

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return self._run(lambda h: self.model(h, horizon), history)

    def predict_teacher_forced(self, history: np.ndarray, future: np.ndarray) -> np.ndarray:
        """One-step-ahead predictions of ``future``, feeding the TRUE past at every step (next-step models)."""
        if not hasattr(self.model, "teacher_forced"):
            raise ValueError(f"{self.label} has no next-step (teacher-forced) view")
        future = np.atleast_2d(np.asarray(future, dtype=np.float64))
        history = self._validate(history, future.shape[1])
        if future.shape[0] != history.shape[0] or not np.all(np.isfinite(future)):
            raise ValueError("future must be finite and have one row per history row")
        return self._run(self.model.teacher_forced, history, future)


def resolve_checkpoint(name: str, checkpoint: str | Path | None) -> Path:
    """None -> the shipped pretrained model; a run id -> that run's best.pt; a folder or file -> itself."""
    if checkpoint is None:
        path = PRETRAINED / name / "best.pt"
        if not path.exists():
            raise ValueError(f"no pretrained {name!r} checkpoint shipped at {path}; train one on the Training page")
        return path
    path = Path(checkpoint)
    if not path.exists() and (runs_root() / str(checkpoint)).exists():
        path = runs_root() / str(checkpoint)
    if path.is_dir():
        best, last = path / "best.pt", path / "last.pt"
        path = best if best.exists() else last
    if not path.exists():
        raise ValueError(f"checkpoint not found: {checkpoint}")
    return path


def load(
    name: str, checkpoint: str | Path | None = None, device: str | torch.device | None = None, **options
) -> Forecaster:
    """A forecaster by name. Neural ones load ``checkpoint`` (default: the shipped pretrained one)."""
    if name == "naive":
        return Naive(**options)
    if name == "fft":
        return FFT(**options)
    if name == "linear":
        return LinearPrediction(**options)
    if name in NEURAL:
        if options:
            raise ValueError(f"{name} takes no options, got {sorted(options)}")
        return Neural(name, resolve_checkpoint(name, checkpoint), pick_device(device))
    raise ValueError(f"unknown forecaster {name!r}; choose one of: {', '.join(available())}")
