"""Fitting sinusoids themselves: ESPRIT finds a signal's frequencies off the DFT's grid (README lessons 9).

The DFT can only report frequencies k/N, so a period that does not divide the window leaks over many
bins. A *parametric* fit asks a different question — which few damped complex exponentials
``c_k * p_k^t`` (poles ``p_k = exp(d_k + 2*pi*i*f_k)``) make up the samples? — and answers it with any
frequency, not just the grid's. ESPRIT (Roy & Kailath 1989) does it with linear algebra alone:

1. stack the lookback into a Hankel matrix (each row the window shifted by one sample);
2. its leading left singular vectors span the signal's subspace (their number, the rank, chosen by MDL,
   as in ``core.linear_prediction``);
3. shifting that subspace by one sample is multiplication by the poles: the eigenvalues of the
   least-squares "shift" matrix are the poles;
4. complex amplitudes by least squares on the lookback; the forecast is the sum run forward.

Poles outside the unit circle are pulled onto it (a forecast must not grow), and from 100 samples of one
sinusoid of period 12.34 it finds the period to about 1e-12 relative: leakage belongs to the DFT's grid,
not to the signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.linear_prediction import BOUND, MAX_ORDER, mdl_rank, normalise


@dataclass
class SinusoidFit:
    """Per row, the fitted exponentials (padded with NaN to the widest rank).

    poles: complex ``[B, R]``; amplitude ``c`` complex ``[B, R]`` (of the centred, scaled lookback);
    mean/scale: each row's centring. ``components()`` turns the poles into frequency, period, amplitude,
    phase and damping (log|p| per sample: 0 = steady, < 0 = dying away).
    """

    poles: np.ndarray
    amplitude: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    n: int

    def components(self, row: int = 0) -> list[dict]:
        """Row ``row``'s real components, one per conjugate pair (or per real pole), largest first.

        Each: frequency (cycles/sample >= 0), period (samples; inf for DC), amplitude and phase of the
        cosine ``amplitude * cos(2*pi*frequency*t + phase)`` in the series' units, and damping.
        """
        out = []
        for p, c in zip(self.poles[row], self.amplitude[row], strict=True):
            if not np.isfinite(p) or p.imag < -1e-12:
                continue  # padding, or the lower half of a conjugate pair
            pair = p.imag > 1e-12
            freq = float(np.angle(p) / (2 * np.pi))
            out.append(
                {
                    "frequency": freq,
                    "period": 1.0 / freq if freq > 0 else float("inf"),
                    "amplitude": float((2 if pair else 1) * abs(c) * self.scale[row, 0]),
                    "phase": float(np.angle(c)),
                    "damping": float(np.log(abs(p))),
                }
            )
        return sorted(out, key=lambda comp: -comp["amplitude"])

    def evaluate(self, start: int, length: int) -> np.ndarray:
        """The fitted sum at samples ``start .. start+length-1``, in the series' units: [B, length]."""
        t = np.arange(start, start + length)
        poles = np.nan_to_num(self.poles, nan=0.0)
        amplitude = np.nan_to_num(self.amplitude, nan=0.0)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            powers = poles[:, :, None] ** t  # [B, R, T]
        z = np.einsum("br,brt->bt", amplitude, np.nan_to_num(powers)).real
        return np.clip(z, -BOUND, BOUND) * self.scale + self.mean


def _fit_row(z: np.ndarray, rows: int, max_rank: int | None) -> tuple[np.ndarray, np.ndarray]:
    n = len(z)
    hankel = np.lib.stride_tricks.sliding_window_view(z, n - rows + 1)  # [rows, n-rows+1]
    u, s, _ = np.linalg.svd(hankel, full_matrices=False)
    rank = int(mdl_rank(torch.from_numpy(s[None]), hankel.shape[1])[0])
    rank = max(1, min(rank, rows - 1, max_rank or rows))
    signal = u[:, :rank]
    shift = np.linalg.lstsq(signal[:-1], signal[1:], rcond=None)[0]
    poles = np.linalg.eigvals(shift)
    radius = np.abs(poles)
    poles = np.where(radius > 1, poles / np.maximum(radius, 1e-300), poles)
    vandermonde = poles[None, :] ** np.arange(n)[:, None]  # [n, R]
    amplitude = np.linalg.lstsq(vandermonde, z.astype(complex), rcond=None)[0]
    return poles, amplitude


def fit(history: np.ndarray, max_rank: int | None = None) -> SinusoidFit:
    """ESPRIT on each row of ``history [B, N]`` (float64 inside); ``max_rank`` caps the poles per row."""
    z, mean, scale = normalise(np.atleast_2d(history))
    b, n = z.shape
    if n < 4:
        raise ValueError(f"a sinusoid fit needs at least 4 samples, got {n}")
    # The Hankel matrix is long in time (n - rows + 1 columns), short in lag: rows - 1 poles at most,
    # capped so that a 4096-sample window costs milliseconds, not seconds.
    rows = max(2, min(n // 3, MAX_ORDER))
    fitted = [_fit_row(row, rows, max_rank) for row in z]
    width = max(len(p) for p, _ in fitted)
    poles = np.full((b, width), np.nan, dtype=complex)
    amplitude = np.full((b, width), np.nan, dtype=complex)
    for i, (p, c) in enumerate(fitted):
        poles[i, : len(p)], amplitude[i, : len(c)] = p, c
    return SinusoidFit(poles, amplitude, mean, scale, n)


def forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """Fit, then run the fitted sum ``horizon`` samples past the lookback: [B, horizon]."""
    fitted = fit(history)
    return fitted.evaluate(fitted.n, horizon)


def against_dft(window: np.ndarray, top: int = 4) -> list[dict]:
    """The ``top`` strongest DFT bins of a window beside the components ESPRIT fits to it (DC left out).

    One row per rank: ``dft_period`` (N/k of the k-th strongest bin), ``dft_amplitude``, and the fitted
    ``fit_period``, ``fit_amplitude`` (NaN when there are fewer). The lesson in a table: for a period
    that does not divide N the DFT can only name the bins either side of it, the fit names the period.
    """
    from core import spectral  # local: spectral is the DFT's module, this one is its counterpart

    window = np.asarray(window, dtype=np.float64)
    h = spectral.harmonics(window)
    order = [k for k in np.argsort(-h.amplitude) if h.frequency[k] > 0][:top]
    fitted = [c for c in fit(window).components(0) if c["frequency"] > 0][:top]
    rows = []
    for i in range(top):
        rows.append(
            {
                "dft_period": float(h.period[order[i]]) if i < len(order) else float("nan"),
                "dft_amplitude": float(h.amplitude[order[i]]) if i < len(order) else float("nan"),
                "fit_period": fitted[i]["period"] if i < len(fitted) else float("nan"),
                "fit_amplitude": fitted[i]["amplitude"] if i < len(fitted) else float("nan"),
            }
        )
    return rows
