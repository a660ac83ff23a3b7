"""Leakage you can hear: samples played as sound, a window looped end to end (README lessons 2-3).

A signal's samples become audio samples one for one at ``rate`` per second, so a period of 20 samples
is a 400 Hz tone at 8000 samples/s. Looping a window is exactly what the DFT's periodic extension does:
when every period fits the window a whole number of times the loop is one smooth tone; when it does not
(period 20 in N = 110: 5.5 cycles) the wave jumps at every seam, ``rate / N`` times a second, and you
hear a buzz of clicks.
"""

from __future__ import annotations

import io
import wave

import numpy as np

RATE = 8000


def loop(window: np.ndarray, seconds: float = 1.5, rate: int = RATE) -> np.ndarray:
    """The window repeated end to end for ``seconds``: [round(seconds * rate)] samples."""
    window = np.asarray(window, dtype=np.float64).ravel()
    if window.size < 2 or not np.all(np.isfinite(window)):
        raise ValueError("a window to play needs at least 2 finite samples")
    total = int(round(seconds * rate))
    return np.resize(window, total)


def seam_jumps(samples: np.ndarray, n: int) -> np.ndarray:
    """|x[kN] - x[kN - 1]| at every seam of a looped window of ``n`` samples."""
    seams = np.arange(n, len(samples), n)
    return np.abs(samples[seams] - samples[seams - 1])


def wav_bytes(samples: np.ndarray, rate: int = RATE, fade: float = 0.01) -> bytes:
    """16-bit mono WAV of ``samples`` (centred, peak-scaled to 0.8, faded in/out over ``fade`` seconds so the
    start and end do not click on their own)."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    x = x - x.mean()
    peak = np.abs(x).max()
    x = 0.8 * x / peak if peak > 0 else x
    ramp = min(len(x) // 2, int(fade * rate))
    if ramp > 0:
        envelope = np.linspace(0.0, 1.0, ramp)
        x[:ramp] *= envelope
        x[-ramp:] *= envelope[::-1]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((x * 32767).astype("<i2").tobytes())
    return buffer.getvalue()
