"""Fitting sinusoids themselves: ESPRIT finds a signal's frequencies off the DFT's grid (README lessons 9).

The DFT can only report frequencies k/N, so a period that does not divide the window leaks over many
bins. A *parametric* fit asks a different question — which few damped complex exponentials
``c_k * p_k^t`` (poles ``p_k = exp(d_k + 2*pi*i*f_k)``) make up the samples? — and answers it with any
frequency, not just the grid's. ESPRIT (Roy & Kailath 1989) does it with linear algebra alone:

1. stack the lookback into a Hankel matrix (each column the window shifted by one sample), beside the
   same for the series reversed in time (forward-backward: a steady sine looks the same both ways);
2. its leading left singular vectors span the signal's subspace (their number, the rank, chosen by MDL,
   as in ``core.linear_prediction``);
3. shifting that subspace by one sample is multiplication by the poles: the eigenvalues of the
   least-squares "shift" matrix are the poles, and any outside the unit circle are pulled onto it
   (``stable_shift``: a forecast must not grow);
4. complex amplitudes by least squares on the lookback give each component's size and phase.

The forecast runs the fit forward two ways, blended by how well each forecast the lookback's own end:
the amplitudes' sum, and the shift matrix itself carrying the last window on. The second stays exact
where two frequencies are closer than the window can separate (less than 1/N apart), where their poles
and amplitudes are ill-determined but the subspace that holds them is not. From 100 samples of one
sinusoid of period 12.34 the fit finds the period to about 1e-15 relative (1e-10 from float32): leakage
belongs to the DFT's grid, not to the signal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import torch

from core.linear_prediction import BOUND, MAX_ORDER, PULL_TOLERANCE, mdl_rank, normalise, validation_weights


@dataclass
class SinusoidFit:
    """Per row, the fitted exponentials (padded with NaN to the widest rank) and the shift that runs them.

    poles: complex ``[B, R]``; amplitude ``c`` complex ``[B, R]`` (of the centred, scaled lookback);
    mean/scale: each row's centring. ``components()`` turns the poles into frequency, period, amplitude,
    phase and damping (log|p| per sample: 0 = steady, < 0 = dying away). shift ``[B, R, R]``, readout
    ``[B, R]`` and state ``[B, R]`` (zero-padded) are the same exponentials in the signal subspace's
    coordinates: ``run`` forecasts with them.
    """

    poles: np.ndarray
    amplitude: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    n: int
    shift: np.ndarray
    readout: np.ndarray
    state: np.ndarray

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

    def run(self, horizon: int) -> np.ndarray:
        """The fitted sum's next ``horizon`` samples after the lookback, in the series' units: [B, horizon].

        Each step multiplies the state by the shift and reads the newest sample off it. In the poles'
        own coordinates that is ``sum_k c_k p_k^t``; in the subspace's it stays exact when two
        frequencies are closer than the window can tell apart (less than 1/N), where the poles of the
        pair, and so their amplitudes, are ill-determined but the shift that carries them is not: on
        `final` from float32 input (seeds 777-779), 1.3e-2 with ``evaluate`` run forward, 1.4e-5 this way.
        """
        state = self.state
        out = np.empty((len(state), horizon))
        for k in range(horizon):
            state = np.einsum("bij,bj->bi", self.shift, state)
            out[:, k] = (self.readout * state).sum(1)
        return np.clip(out, -BOUND, BOUND) * self.scale + self.mean


def _eigenvalues(t: np.ndarray) -> np.ndarray:
    """The eigenvalues of a real Schur form, read off its diagonal blocks (complex, in diagonal order).

    A 1x1 block is a real eigenvalue; a 2x2 block ``[[a, b], [c, d]]`` (``c != 0``) a conjugate pair.
    """
    out = np.diag(t).astype(complex)
    first = np.flatnonzero(np.diag(t, -1))  # each 2x2 block's first position
    a, b, c, d = t[first, first], t[first, first + 1], t[first + 1, first], t[first + 1, first + 1]
    half = np.sqrt((((a - d) / 2) ** 2 + b * c).astype(complex))
    out[first], out[first + 1] = (a + d) / 2 + half, (a + d) / 2 - half
    return out


def stable_shift(shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``shift`` with every eigenvalue outside the unit circle pulled onto it -> (shift, its eigenvalues).

    In a real Schur form ``Q T Q^T`` (Q orthogonal, T block triangular with the eigenvalues on its
    diagonal: 1x1 blocks for real ones, 2x2 for conjugate pairs) an eigenvalue is moved by scaling its
    diagonal block, leaving the others where they are. The outside ones are first ordered last,
    smallest modulus first, so that the inside ones keep their invariant subspace (the leading Schur
    vectors) and their dynamics exactly, and the largest, usually a pole fitted to rounding or noise,
    sits where its coordinate is the part of the state no other pole explains. Measured on `final` from
    float32 (seeds 777-779, the shift run alone): 1.4e-5 so ordered, 5e-3 with the outside ones last in
    any order, 4e-2 moved in place.
    """
    t, q = scipy.linalg.schur(shift, output="real", check_finite=False)
    eigenvalues = _eigenvalues(t)
    moduli = np.abs(eigenvalues)
    outside = moduli > 1 + PULL_TOLERANCE
    # The inside ones first, then each outside level ascending: each pass moves the selected to the top.
    if outside.any():
        for edge in [0.0, *np.unique(moduli[outside])[:-1]]:
            select = ~outside | (moduli <= edge * (1 + 1e-12))
            t, q, real, imag = scipy.linalg.lapack.dtrsen(select.astype(np.int32), t, q, job="N")[:4]
            eigenvalues = real + 1j * imag
            moduli = np.abs(eigenvalues)
            outside = moduli > 1 + PULL_TOLERANCE
    scale = np.where(outside, 1.0 / np.maximum(moduli, 1e-300), 1.0)  # per position
    first = np.flatnonzero(np.diag(t, -1))
    t[np.diag_indices(len(t))] *= scale
    t[first, first + 1] *= scale[first]
    t[first + 1, first] *= scale[first]
    return q @ t @ q.T, eigenvalues * scale


def _subspace_shifts(signal: np.ndarray) -> np.ndarray:
    """Least-squares shifts ``signal[1:] ~ signal[:-1] @ shift`` for orthonormal bases ``[B, rows, R]``.

    ``signal[:-1]`` is the basis less its last row ``v``, so its Gram matrix is ``I - v v^T`` and
    Sherman-Morrison inverts it exactly: one batched product instead of a least-squares solve per row
    (zero-padded columns give zero rows and columns of the shift).
    """
    v = signal[:, -1]  # [B, R]
    cross = np.einsum("bti,btj->bij", signal[:, :-1], signal[:, 1:])  # [B, R, R]
    lift = v / np.maximum(1.0 - (v * v).sum(1, keepdims=True), 1e-12)
    return cross + lift[:, :, None] * np.einsum("bi,bij->bj", v, cross)[:, None, :]


def _fit_row(z: np.ndarray, signal: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, ...]:
    """One row's poles, amplitudes and runnable shift from its signal subspace ``[rows, rank]``."""
    shift, poles = stable_shift(shift)
    vandermonde = poles[None, :] ** np.arange(len(z))[:, None]  # [n, R]
    amplitude = np.linalg.lstsq(vandermonde, z.astype(complex), rcond=None)[0]
    # The last window's coordinates in the subspace; the shift carries them one sample on, since
    # window[1:] = signal[1:] @ x = signal[:-1] @ (shift @ x).
    return poles, amplitude, shift, signal[-1], signal.T @ z[-len(signal) :]


def fit(history: np.ndarray, max_rank: int | None = None) -> SinusoidFit:
    """ESPRIT on each row of ``history [B, N]`` (float64 inside); ``max_rank`` caps the poles per row."""
    z, mean, scale = normalise(np.atleast_2d(history))
    b, n = z.shape
    if n < 4:
        raise ValueError(f"a sinusoid fit needs at least 4 samples, got {n}")
    # The Hankel matrix is rows (lags) by n - rows + 1 windows: at most rows - 1 poles, capped so that a
    # 4096-sample window costs milliseconds, not seconds. Half the window in lags, not a third, is what
    # makes room for `final`'s poles.
    rows = max(2, min(n // 2, MAX_ORDER))
    forward = torch.from_numpy(z).unfold(1, n - rows + 1, 1)  # [B, rows, n-rows+1]
    # Forward-backward: the windows of the time-reversed series too. A steady real sine looks the same
    # both ways, so this doubles the data and holds the fitted poles to the circle.
    hankel = torch.cat([forward, forward.flip(1, 2)], 2)
    u, s, _ = torch.linalg.svd(hankel, full_matrices=False)
    # MDL weighs each extra pole against the evidence: the reversed windows are the same samples again,
    # not new evidence, so they are not counted. Counted, MDL keeps more poles: on seeds 777-779 from
    # float32, `amp-mod` 0.040 against 0.016, while the noise suites and the real series gain 4-6 %.
    rank = mdl_rank(s, forward.shape[2])
    rank = rank.clamp(max=min(rows - 1, max_rank or rows)).minimum((s > s[:, :1] * 1e-13).sum(1)).clamp(min=1)
    width = int(rank.max())
    signal = u[:, :, :width].numpy() * (np.arange(width) < rank.numpy()[:, None])[:, None, :]  # zero past rank
    shifts = _subspace_shifts(signal)
    poles = np.full((b, width), np.nan, dtype=complex)
    amplitude = np.full((b, width), np.nan, dtype=complex)
    shift = np.zeros((b, width, width))
    readout, state = np.zeros((b, width)), np.zeros((b, width))
    for i, k in enumerate(rank.tolist()):
        fitted = _fit_row(z[i], signal[i, :, :k], shifts[i, :k, :k])
        poles[i, :k], amplitude[i, :k], shift[i, :k, :k], readout[i, :k], state[i, :k] = fitted
    return SinusoidFit(poles, amplitude, mean, scale, n, shift, readout, state)


def _candidates(history: np.ndarray, horizon: int) -> np.ndarray:
    """The fit's two ways forward, in the series' units: [2, B, horizon] (amplitudes' sum, shift run)."""
    fitted = fit(history)
    return np.stack([fitted.evaluate(fitted.n, horizon), fitted.run(horizon)])


def forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """Fit, then run the fitted sum ``horizon`` samples past the lookback: [B, horizon].

    Two ways of running it are blended by how well each forecast the lookback's own end
    (``core.linear_prediction.validation_weights``): the amplitudes' sum (least squares over the whole
    window: steadier when amplitudes swell and fade) and the shift run (the last window carried
    forward: exact where two frequencies are closer than the window resolves).
    """
    z, mean, scale = normalise(np.atleast_2d(history))
    weights = validation_weights(z, horizon, _candidates)
    return (weights[..., None] * _candidates(z, horizon)).sum(0) * scale + mean


def against_dft(window: np.ndarray, top: int = 4, fitted: SinusoidFit | None = None) -> list[dict]:
    """The ``top`` strongest DFT bins of a window beside the components ESPRIT fits to it (DC left out).

    ``fitted``: the window's ``fit`` when the caller has it already (the page also plots its poles).

    One row per rank: ``dft_period`` (N/k of the k-th strongest bin), ``dft_amplitude``, and the fitted
    ``fit_period``, ``fit_amplitude`` (NaN when there are fewer). The lesson in a table: for a period
    that does not divide N the DFT can only name the bins either side of it, the fit names the period.
    """
    from core import spectral  # local: spectral is the DFT's module, this one is its counterpart

    window = np.asarray(window, dtype=np.float64)
    h = spectral.harmonics(window)
    order = [k for k in np.argsort(-h.amplitude) if h.frequency[k] > 0][:top]
    fitted = [c for c in (fitted or fit(window)).components(0) if c["frequency"] > 0][:top]
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
