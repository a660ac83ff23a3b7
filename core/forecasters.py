"""One interface over everything that forecasts, classical and neural (the public surface the README documents).

    >>> from core import forecasters
    >>> f = forecasters.load("linear")
    >>> f.predict(history, horizon=10)          # history [B, N] or [N] -> np.ndarray [B, 10]

The comparison page is then a loop over ``available()``, not a switch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core import glitches, linear_prediction, sinusoids, spectral
from core.checkpoints import load_model
from core.runtime import PRETRAINED, pick_device, runs_root

CLASSICAL = ("naive", "fft", "linear", "esprit")
NEURAL = ("linear_net", "lstm", "seq2seq", "fft_gru")
# Narrow specialists: the same families trained on `final` only (3..44 components, whole periods
# 10..99, no noise). Excellent there, worse than repeating the last value a little outside (README lessons 10).
SPECIALISTS = {f"{family}-final": family for family in NEURAL}

LABELS = {
    "naive": "Repeat last value",
    "fft": "DFT periodic extension",
    "linear": "Linear prediction",
    "esprit": "Sinusoid fit (ESPRIT)",
    "linear_net": "Linear layer (learned)",
    "lstm": "LSTM (next-step)",
    "seq2seq": "GRU seq2seq + FFT",
    "fft_gru": "FFT-GRU",
}
LABELS.update({name: f"{LABELS[family]} (specialist: final only)" for name, family in SPECIALISTS.items()})
# One line per forecaster for people: how it was made and what it feeds on while forecasting.
DESCRIPTIONS = {
    "naive": "Repeats the last value it saw. Not trained: the floor every forecaster must beat.",
    "fft": "Takes the DFT of the lookback and lets its cosines run on: the window repeats. Not trained.",
    "linear": "Fits x[t] = a1*x[t-1] + a2*x[t-2] + ... on the lookback itself and runs the rule forward on "
    "its own outputs. Not trained: fitted afresh to every series.",
    "esprit": "Fits a few sines (any frequency, amplitude, phase, decay) to the lookback and lets them run on. "
    "Not trained: fitted afresh to every series.",
    "linear_net": "One learned weighted sum of the lookback per future step, 10 at once (past 10 it feeds its "
    "own outputs back).",
    "lstm": "Reads the lookback one sample at a time and predicts the next; trained with teacher forcing (fed "
    "the true previous value), it forecasts by feeding itself its own outputs.",
    "seq2seq": "A GRU encoder reads the lookback and its spectrum, a GRU decoder writes the horizon; trained with "
    "teacher forcing on the decoder, it forecasts on its own outputs.",
    "fft_gru": "A small fully connected network (an MLP) reads the lookback and its spectrum, a GRU decoder "
    "writes the horizon feeding on its own "
    "outputs in training too (no teacher forcing).",
}
# What each trainable architecture does, whoever trains it and on what (the Training page).
ARCHITECTURES = {name: DESCRIPTIONS[name] for name in NEURAL}
# The shipped default fft_gru is the hybrid (guides 4, exact 40): it also reads five cheap
# linear-prediction forecasts and learns the correction to their self-validated blend at every step.
_HYBRID = (
    " It also reads five quick linear-prediction forecasts (four smoothed ones from the last 10, 20, 30 and "
    "40 values, and one exact on clean sums) and learns, step by step, the correction to their blend, "
    "weighted by how well each forecast the lookback's own last values: classical and learned together."
)
_BROAD = " Trained on a broad mixture: noise, trends, random walks, changing amplitudes, periods 2-100."
_FINAL = " Trained on clean sums of whole-period harmonics only (the study's final suite): a specialist."
DESCRIPTIONS.update({name: DESCRIPTIONS[family] + _FINAL for name, family in SPECIALISTS.items()})
DESCRIPTIONS.update({name: DESCRIPTIONS[name] + _BROAD for name in NEURAL})
DESCRIPTIONS["fft_gru"] = DESCRIPTIONS["fft_gru"].replace(_BROAD, _HYBRID + _BROAD)
# The shipped default lstm (rollout=1) is also scored on its own forecast in training.
_ROLLOUT = (
    " Its training also scores its own 10-step forecast, fed its own outputs as the FFT-GRU's is, so it "
    "learned to carry a trend on."
)
DESCRIPTIONS["lstm"] = DESCRIPTIONS["lstm"].replace(_BROAD, _ROLLOUT + _BROAD)


def available() -> list[str]:
    """Names ``load`` accepts: classical, then the broadly trained networks, then the specialists."""
    return [*CLASSICAL, *NEURAL, *SPECIALISTS]


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
        if np.iscomplexobj(history):
            raise ValueError("history is complex: pass the real signal (or its real part) explicitly")
        try:
            history = np.asarray(history, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"history must be numbers, got {type(history).__name__}: {exc}") from None
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
    """Linear prediction fitted on the lookback itself, in float64, that cannot diverge (README lessons 7-9).

    A sum of K sinusoids obeys an exact linear recurrence of order 2K; ``core.linear_prediction`` fits it
    forward-backward with an SVD rank chosen by MDL, moves every root outside the unit circle onto it (or,
    far outside, inside: ``linear_prediction.stabilise``), and blends that fit with the mean of low-order
    fits by how well each forecast the lookback's own end.
    A lookback with a glitch (one sample far beyond its neighbours and the series' range) is forecast
    both as it is and repaired, weighted the same way (``core.glitches``).
    order: fit one recurrence of this order instead (no blend), for showing what the order does.
    robust: False fits the textbook way (forward least squares, order N/2 by default, full rank, roots
    left where they fall), to show why the robust fit exists; its forecasts are still kept within the
    bound every forecaster keeps, so even it cannot return infinity.
    """

    name = "linear"
    minimum_length = 3

    def __init__(self, order: int | None = None, robust: bool = True) -> None:
        if order is not None and (isinstance(order, bool) or int(order) != order or order < 1):
            raise ValueError(f"order must be a whole number >= 1, got {order}")
        self.order, self.robust = order, bool(robust)

    def fit(self, history: np.ndarray) -> linear_prediction.Fit:
        """The recurrence shown as poles: the given order, or the automatic high-order fit."""
        history = self._validate(history, 1)
        most = (2 * history.shape[1]) // 3 if self.robust else history.shape[1] // 2
        if self.order is not None and self.order > most:
            raise ValueError(f"order {self.order} needs more samples of history than {history.shape[1]}")
        return linear_prediction.fit(history, self.order, robust=self.robust)

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        if self.order is None and self.robust:
            return glitches.linear_reading(history, horizon)[0].copy()
        return linear_prediction.predict_fit(history, self.fit(history), horizon)


class SinusoidFit(Forecaster):
    """ESPRIT: fit a few (damped) sinusoids to the lookback, at any frequency, and run them forward.

    ``fit(history)`` returns the fitted poles and components (frequency, period, amplitude, phase,
    damping) for the DFT Explorer and the pole plot; poles outside the unit circle are pulled onto it.
    The forecast handles glitches as ``linear`` does (``core.glitches``).
    """

    name = "esprit"
    minimum_length = 4

    def fit(self, history: np.ndarray) -> sinusoids.SinusoidFit:
        return sinusoids.fit(self._validate(history, 1))

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        return glitches.robust(history, horizon, sinusoids.forecast)[0]


class Neural(Forecaster):
    """A trained ``core.models`` network behind the common interface (inference mode, batched)."""

    def __init__(self, name: str, path: Path, device: torch.device) -> None:
        self.name = name
        self.path = path
        self.device = device
        self.model, self.checkpoint = load_model(path, device=device, expect=SPECIALISTS.get(name, name))
        self.lookback = self.model.lookback if self.model.fixed_lookback else None
        self.trained_horizon = self.model.horizon

    @torch.inference_mode()
    def _run(self, fn, *arrays: np.ndarray, chunk: int = 4096) -> np.ndarray:
        """Run ``fn`` on float32 tensors of ``arrays`` scaled by the first array (the history) in float64.

        The networks normalise their input again (a no-op on these), but scaling first in float64 keeps a
        series in huge (1e300) or tiny (1e-300) units from overflowing or vanishing in the float32 cast.
        """
        _, mean, scale = linear_prediction.normalise(arrays[0])
        out = []
        for i in range(0, len(arrays[0]), chunk):
            tensors = [
                torch.as_tensor(
                    (a[i : i + chunk] - mean[i : i + chunk]) / scale[i : i + chunk], dtype=torch.float32
                ).to(self.device)
                for a in arrays
            ]
            out.append(fn(*tensors).double().cpu().numpy() * scale[i : i + chunk] + mean[i : i + chunk])
        return np.concatenate(out)

    def _recent(self, history: np.ndarray) -> np.ndarray:
        """At most the lookback the network was trained on: the newest samples.

        A recurrent network runs over any length, but past its trained lookback its state drifts beyond
        anything it saw (the broad LSTM, 400 samples of noisy harmonics: MSE 1.11 reading all of them,
        0.13 reading the last 100; repeating the last value 0.18). A longer history is not an error.
        """
        return history[:, -self.model.lookback :]

    def _predict(self, history: np.ndarray, horizon: int) -> np.ndarray:
        history = self._recent(history)

        def forecast(h: np.ndarray) -> np.ndarray:
            return self._run(lambda x: self.model(x, horizon), h)

        return glitches.as_linear_reads(history, forecast(history), forecast)

    def predict_teacher_forced(self, history: np.ndarray, future: np.ndarray) -> np.ndarray:
        """One-step-ahead predictions of ``future``, feeding the TRUE past at every step (next-step models)."""
        if not hasattr(self.model, "teacher_forced"):
            raise ValueError(f"{self.label} has no next-step (teacher-forced) view")
        future = np.atleast_2d(np.asarray(future, dtype=np.float64))
        history = self._validate(history, future.shape[1])
        if future.shape[0] != history.shape[0] or not np.all(np.isfinite(future)):
            raise ValueError("future must be finite and have one row per history row")
        return self._run(self.model.teacher_forced, self._recent(history), future)


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
    if name == "esprit":
        return SinusoidFit(**options)
    if name in NEURAL or name in SPECIALISTS:
        if options:
            raise ValueError(f"{name} takes no options, got {sorted(options)}")
        return Neural(name, resolve_checkpoint(name, checkpoint), pick_device(device))
    raise ValueError(f"unknown forecaster {name!r}; choose one of: {', '.join(available())}")
