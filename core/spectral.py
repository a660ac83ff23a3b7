"""The real DFT of a window of samples: harmonics, reconstruction, periodic extension, windows, leakage.

Conventions (sample rate 1, see the README's lessons): a window of ``n`` samples has ``n//2 + 1`` distinct bins;
bin ``k`` has frequency ``k/n`` and period ``n/k``. A harmonic is reported as ``A * cos(2*pi*f*t + phase)``
(the same cosine convention as ``core.signals``), so a component with a whole number of cycles in the
window comes back with exactly its own amplitude, period and phase.

Everything takes numpy arrays of shape ``[n]`` or ``[..., n]`` (a batch) and works on the last axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import get_window

__all__ = [
    "WINDOWS",
    "HARRIS_1978",
    "Harmonics",
    "window",
    "harmonics",
    "reconstruct",
    "extend",
    "spectrum",
    "cycles_in_window",
    "leakage_share",
    "window_metrics",
    "WindowAnalysis",
    "analyse_window",
]

# Display name -> scipy.signal.get_window spec. Kaiser takes its beta separately.
WINDOWS: dict[str, str] = {
    "rectangular": "boxcar",
    "hamming": "hamming",
    "hann": "hann",
    "blackman": "blackman",
    "kaiser": "kaiser",
    "flattop": "flattop",
}

# Textbook figures for DFT-even windows (F. J. Harris, "On the use of windows for harmonic analysis
# with the discrete Fourier transform", Proc. IEEE 66(1), 1978, table 1). Kaiser is quoted for
# alpha = 3 (beta = pi * alpha, our default). Harris has no flat-top window like scipy's five-term one,
# so it has no entry here: the app shows only its measured figures.
HARRIS_1978: dict[str, dict[str, float]] = {
    "rectangular": {"peak_sidelobe_db": -13.0, "scalloping_loss_db": 3.92, "enbw_bins": 1.00, "coherent_gain": 1.00},
    "hamming": {"peak_sidelobe_db": -43.0, "scalloping_loss_db": 1.78, "enbw_bins": 1.36, "coherent_gain": 0.54},
    "hann": {"peak_sidelobe_db": -32.0, "scalloping_loss_db": 1.42, "enbw_bins": 1.50, "coherent_gain": 0.50},
    "blackman": {"peak_sidelobe_db": -58.0, "scalloping_loss_db": 1.10, "enbw_bins": 1.73, "coherent_gain": 0.42},
    "kaiser": {"peak_sidelobe_db": -69.0, "scalloping_loss_db": 1.02, "enbw_bins": 1.80, "coherent_gain": 0.40},
}

DEFAULT_KAISER_BETA = 3 * np.pi  # Harris's alpha = 3


@lru_cache(maxsize=256)
def _window_cached(name: str, n: int, beta: float) -> np.ndarray:
    if name not in WINDOWS:
        raise ValueError(f"unknown window {name!r}; choose one of: {', '.join(WINDOWS)}")
    if n < 1:
        raise ValueError(f"a window needs at least 1 sample, got {n}")
    spec = (WINDOWS[name], beta) if name == "kaiser" else WINDOWS[name]
    w = get_window(spec, n, fftbins=True)  # periodic ("DFT-even"): the right kind for spectral analysis
    w.setflags(write=False)
    return w


def window(name: str, n: int, beta: float = DEFAULT_KAISER_BETA) -> np.ndarray:
    """Window weights of length ``n`` (periodic form), by display name (see ``WINDOWS``)."""
    return _window_cached(name, int(n), float(beta))


def _as_signal(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 0 or x.shape[-1] == 0:
        raise ValueError("the signal is empty: the DFT needs at least one sample")
    if not np.all(np.isfinite(x)):
        raise ValueError("the signal contains NaN or infinite values")
    return x


def _one_sided_scale(n: int, bins: int) -> np.ndarray:
    """Factor turning |X_k| / sum(w) into a cosine amplitude: 2, except DC and (n even) Nyquist."""
    scale = np.full(bins, 2.0)
    scale[0] = 1.0
    if n % 2 == 0 and bins == n // 2 + 1:
        scale[-1] = 1.0
    return scale


@dataclass(frozen=True)
class Harmonics:
    """The distinct DFT bins of a window of ``n`` samples, as cosines ``amplitude*cos(2*pi*f*t + phase)``."""

    frequency: np.ndarray  # [F], cycles per sample, k/n
    period: np.ndarray  # [F], samples, n/k (inf for DC)
    amplitude: np.ndarray  # [..., F]
    phase: np.ndarray  # [..., F], radians
    n: int
    window: str = "rectangular"

    @property
    def cycles(self) -> np.ndarray:
        """How many cycles each bin completes in the window: k (always whole, by construction)."""
        return self.frequency * self.n


def harmonics(x: np.ndarray, window: str = "rectangular", beta: float = DEFAULT_KAISER_BETA) -> Harmonics:
    """Real-DFT harmonics of ``x [..., n]``, amplitudes corrected by the window's coherent gain.

    With the rectangular window and a component completing a whole number of cycles, the amplitude,
    period and phase returned are the component's own. A window multiplies the signal first; dividing
    by ``sum(w)`` instead of ``n`` keeps a centred tone's amplitude right whatever the window.
    """
    x = _as_signal(x)
    n = x.shape[-1]
    w = _window_cached(window, n, float(beta))
    coeffs = np.fft.rfft(x * w, axis=-1)  # [..., n] -> [..., n//2+1]
    bins = coeffs.shape[-1]
    amplitude = np.abs(coeffs) / w.sum() * _one_sided_scale(n, bins)
    frequency = np.arange(bins) / n
    with np.errstate(divide="ignore"):
        period = np.where(frequency > 0, 1.0 / np.where(frequency > 0, frequency, 1.0), np.inf)
    return Harmonics(frequency, period, amplitude, np.angle(coeffs), n, window)


def _top_k_mask(amplitude: np.ndarray, top_k: int | None) -> np.ndarray:
    if top_k is None:
        return np.ones(amplitude.shape, dtype=bool)
    if top_k < 1:
        raise ValueError(f"top_k must keep at least 1 harmonic, got {top_k}")
    order = np.argsort(-amplitude, axis=-1, kind="stable")
    mask = np.zeros(amplitude.shape, dtype=bool)
    np.put_along_axis(mask, order[..., :top_k], True, axis=-1)
    return mask


def reconstruct(h: Harmonics, t: np.ndarray, top_k: int | None = None) -> np.ndarray:
    """Sum of the harmonics at sample times ``t``: ``[..., len(t)]``.

    For the rectangular window and all bins this reproduces the window exactly at ``t = 0..n-1``; for
    ``t >= n`` it repeats the window (every bin's period divides ``n``): the periodic extension.
    ``top_k`` keeps only the largest harmonics (as libraries' FFT forecasters do).
    """
    t = np.asarray(t, dtype=np.float64)
    amplitude = np.where(_top_k_mask(h.amplitude, top_k), h.amplitude, 0.0)
    if np.all(t == np.round(t)):
        # Integer times: one period from the inverse FFT, then index it modulo n (O(n log n), any t).
        coeffs = amplitude / _one_sided_scale(h.n, len(h.frequency)) * h.n * np.exp(1j * h.phase)
        period = np.fft.irfft(coeffs, n=h.n, axis=-1)  # [..., n]
        return period[..., np.mod(t.astype(np.int64), h.n)]
    # Reduce t modulo n first: the harmonics are n-periodic anyway, and small angles keep cos exact.
    angle = 2 * np.pi * h.frequency[:, None] * np.mod(t, h.n)[None, :]  # [F, T]
    return np.einsum("...f,...ft->...t", amplitude, np.cos(angle + h.phase[..., None]))


def extend(
    x: np.ndarray,
    horizon: int,
    window: str = "rectangular",
    top_k: int | None = None,
    beta: float = DEFAULT_KAISER_BETA,
) -> np.ndarray:
    """The DFT's "forecast" of ``x [..., n]``: its periodic extension over ``horizon`` samples.

    With the rectangular window and all harmonics it is exactly ``x`` again from its start: the seam.
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a whole number >= 1, got {horizon}")
    x = _as_signal(x)
    n = x.shape[-1]
    return reconstruct(harmonics(x, window, beta), np.arange(n, n + int(horizon)), top_k)


def spectrum(
    x: np.ndarray, window: str = "rectangular", pad_factor: int = 8, beta: float = DEFAULT_KAISER_BETA
) -> tuple[np.ndarray, np.ndarray]:
    """Zero-padded amplitude spectrum: (frequency [M], amplitude [..., M]).

    Padding to ``pad_factor * n`` samples adds no information; it samples the window's underlying
    continuous spectrum (the DTFT) more finely, which shows the main lobe and sidelobes that the
    ``n//2+1`` DFT bins only sample. Amplitudes are scaled like ``harmonics`` so a tone's peak reads
    as its amplitude.
    """
    x = _as_signal(x)
    n = x.shape[-1]
    if int(pad_factor) != pad_factor or pad_factor < 1:
        raise ValueError(f"pad_factor must be a whole number >= 1, got {pad_factor}")
    m = n * int(pad_factor)
    w = _window_cached(window, n, float(beta))
    coeffs = np.fft.rfft(x * w, n=m, axis=-1)  # [..., n] -> [..., m//2+1]
    scale = np.full(coeffs.shape[-1], 2.0)
    scale[0] = 1.0
    if m % 2 == 0:
        scale[-1] = 1.0
    return np.arange(coeffs.shape[-1]) / m, np.abs(coeffs) / w.sum() * scale


def cycles_in_window(periods: np.ndarray, n: int, tol: float = 1e-9) -> tuple[np.ndarray, np.ndarray]:
    """For each period: how many cycles it completes in ``n`` samples, and whether that is a whole number.

    A whole number of cycles is the condition for the DFT to represent the component in one bin and for
    the periodic extension to continue it correctly (lesson 2 in the README).
    """
    periods = np.asarray(periods, dtype=np.float64)
    if np.any(periods <= 0):
        raise ValueError("periods must be positive")
    cycles = n / periods
    return cycles, np.abs(cycles - np.round(cycles)) < tol * np.maximum(1.0, cycles)


def leakage_share(
    x: np.ndarray, periods: np.ndarray, window: str = "rectangular", beta: float = DEFAULT_KAISER_BETA
) -> np.ndarray:
    """Share of the spectral energy of ``x`` outside the true components' nearest bins (0 = no leakage).

    Energy is summed over the one-sided spectrum with each bin weighted as it counts in the signal's
    power (Parseval). DC is excluded (a mean is not a harmonic). The true bins are ``round(n/P)``.
    """
    x = _as_signal(x)
    n = x.shape[-1]
    h = harmonics(x, window, beta)
    power = h.amplitude**2
    power[..., 0] = 0.0
    true_bins = np.unique(np.clip(np.round(n / np.asarray(periods, dtype=np.float64)), 0, len(h.frequency) - 1))
    true_bins = true_bins[true_bins > 0].astype(int)
    total = power.sum(-1)
    inside = power[..., true_bins].sum(-1)
    return np.where(total > 0, 1.0 - inside / np.where(total > 0, total, 1.0), 0.0)


def window_metrics(name: str, n: int = 256, beta: float = DEFAULT_KAISER_BETA) -> dict[str, float]:
    """Measured figures of merit of a window (compare with ``HARRIS_1978``).

    coherent_gain: sum(w)/n, the factor a tone's DFT peak is scaled by.
    enbw_bins: equivalent noise bandwidth, n*sum(w^2)/sum(w)^2.
    scalloping_loss_db: how much lower a tone half-way between two bins reads (worst case).
    peak_sidelobe_db: highest sidelobe of the window's spectrum relative to its main lobe.
    """
    w = window(name, n, beta)
    total = w.sum()
    half_bin = np.abs(np.sum(w * np.exp(-1j * np.pi * np.arange(n) / n)))
    pad = 64
    response = np.abs(np.fft.rfft(w, n=pad * n))
    response_db = 20 * np.log10(np.maximum(response / response[0], 1e-300))
    # The main lobe ends at the first local minimum below -6 dB (a flat-top's main lobe ripples above
    # that); the peak sidelobe is the highest point after it.
    rising = np.flatnonzero((np.diff(response) > 0) & (response_db[:-1] < -6.0))
    sidelobe = float(response_db[rising[0] :].max()) if rising.size else -np.inf
    return {
        "coherent_gain": float(total / n),
        "enbw_bins": float(n * np.sum(w**2) / total**2),
        "scalloping_loss_db": float(-20 * np.log10(half_bin / total)),
        "peak_sidelobe_db": sidelobe,
    }


@dataclass(frozen=True)
class WindowAnalysis:
    """What the DFT Explorer shows for one window of a signal and its continuation."""

    harmonics: Harmonics
    reconstruction: np.ndarray  # [n] the harmonics summed inside the window
    extension: np.ndarray  # [horizon] their periodic extension beyond it
    fine_frequency: np.ndarray  # zero-padded spectrum
    fine_amplitude: np.ndarray
    extension_mse: float  # against the true continuation
    repeat_last_mse: float  # the trivial forecast, for scale


def analyse_window(
    signal: np.ndarray,
    n: int,
    horizon: int,
    window: str = "rectangular",
    pad_factor: int = 8,
    beta: float = DEFAULT_KAISER_BETA,
) -> WindowAnalysis:
    """Analyse ``signal[:n]`` and compare its periodic extension with ``signal[n:n+horizon]``."""
    signal = _as_signal(signal)
    if not 2 <= n < len(signal):
        raise ValueError(f"the window N={n} must be at least 2 and shorter than the signal ({len(signal)} samples)")
    horizon = min(int(horizon), len(signal) - n)
    h = harmonics(signal[:n], window, beta)
    t = np.arange(n + horizon)
    values = reconstruct(h, t)
    fine_f, fine_a = spectrum(signal[:n], window, pad_factor, beta)
    future = signal[n : n + horizon]
    return WindowAnalysis(
        harmonics=h,
        reconstruction=values[:n],
        extension=values[n:],
        fine_frequency=fine_f,
        fine_amplitude=fine_a,
        extension_mse=float(np.mean((values[n:] - future) ** 2)),
        repeat_last_mse=float(np.mean((signal[n - 1] - future) ** 2)),
    )


def far_leakage(
    x: np.ndarray, periods: np.ndarray | None = None, window: str = "rectangular", margin: int = 3
) -> float:
    """Share of a window's spectral energy more than ``margin`` bins away from its waves (DC excluded).

    The waves are the true ``periods`` when known (their bins n/P), else the strongest bin. This is the
    far-off leakage a taper is for: on a period-20 sine in N = 110 it is 7% with no taper and 0.08% with
    Hamming, while the energy *near* the wave spreads wider (see ``main_lobe_width``).
    """
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    h = harmonics(x, window)
    power = h.amplitude**2
    power[0] = 0.0
    total = power.sum()
    if total <= 0:
        return 0.0
    k = np.arange(len(power))
    centres = np.array([n / p for p in periods]) if periods is not None and len(periods) else np.array([power.argmax()])
    distance = np.abs(k[:, None] - centres[None, :]).min(1)
    return float(power[distance > margin].sum() / total)


def main_lobe_width(name: str, n: int = 256, beta: float = DEFAULT_KAISER_BETA) -> float:
    """Width of a taper's main lobe, in bins: where its spectrum first falls 60 dB below the peak (or to
    zero) on either side. 2 for no taper (zeros at +-1 bin), ~4 for Hamming and Hann, ~10 for flat-top."""
    pad = 64
    spectrum = np.abs(np.fft.rfft(window(name, n, beta), pad * n))
    below = np.nonzero(spectrum < 1e-3 * spectrum[0])[0]
    return 2.0 * (below[0] if len(below) else len(spectrum) - 1) / pad
