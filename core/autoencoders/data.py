"""What the autoencoders compress: windows of sums of harmonics, and smooth 2-D pen strokes.

Both kinds are drawn in one vectorised pass, like ``core.signals``: every random number comes from one
CPU ``torch.Generator`` seeded with ``seed`` (the same data on every device), then the synthesis runs on
``device``. Shapes: signals ``[n, T]``, strokes ``[n, T, 2]`` (x and y as the last axis).

Strokes are built to be *not* exactly low-rank, so that a k-number code has something to lose: a few to
a dozen harmonics per coordinate at non-integer base frequencies (the stroke does not close, so the DFT
leaks), amplitudes decaying at a random rate, the curve resampled by arc length under a random pen-speed
warp, shifted to start at zero (the tip from the trajectory study: every stroke starts at the origin) and
scaled to a random size. Strokes made of a few fixed harmonics would be exactly a low-dimensional linear
family, and PCA with 16 numbers would reconstruct them perfectly: nothing to learn.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from core.signals import SignalSpec, generate

__all__ = ["KINDS", "STROKE_HARMONICS", "STROKE_SIZE", "MAX_COORDINATE", "signals", "strokes", "resample_stroke"]

KINDS = ("signals", "strokes")
STROKE_HARMONICS = 12  # most harmonics per coordinate
STROKE_SIZE = (0.5, 1.5)  # the largest |coordinate| of a generated stroke is drawn from this range
MAX_COORDINATE = 1e6  # a drawing's coordinates beyond this are refused (float32 arc lengths lose digits)
_DENSE = 8  # the curve is evaluated on 8x the output samples before arc-length resampling
_SUITES = {
    # The evaluation suites' synthetic specs (``core.evaluation.SYNTHETIC``), copied by value so that this
    # package does not import the forecasters: any of them can be a training distribution.
    "easy": {"components": (3, 6), "periods": (2, 99)},
    "final": {"components": (3, 44), "periods": (10, 99)},
    "noisy": {"components": (3, 44), "periods": (10, 99), "noise": 0.1},
    "float-periods": {"components": (3, 10), "periods": (2, 100), "integer_periods": False},
    "amp-mod": {"components": (3, 10), "periods": (10, 100), "integer_periods": False, "modulation": True},
}
SUITES = tuple(_SUITES)


def _check_count(n: object, length: object) -> tuple[int, int]:
    for name, value, low in (("n", n, 1), ("length", length, 4)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(n), int(length)


def signals(
    n: int,
    seed: int = 0,
    length: int = 100,
    suite: str = "easy",
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """``n`` windows of ``length`` samples of suite ``suite`` (default ``easy``: 3-6 harmonics): [n, T].

    Peak-normalised like every signal of the project (``core.signals.generate``), not shifted: a
    signal's mean and level are part of what a code must keep.
    """
    n, length = _check_count(n, length)
    if suite not in _SUITES:
        raise ValueError(f"unknown signal suite {suite!r}; choose one of: {', '.join(SUITES)}")
    return generate(SignalSpec(**_SUITES[suite], length=length), n, seed=seed, device=device, dtype=dtype)


def _arc_resample(curve: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Points at fractions ``targets [n, T]`` (0..1) of each curve's arc length: [n, M, 2] -> [n, T, 2].

    Linear interpolation between the curve's samples; a zero-length curve gives its first point.
    """
    delta = curve[:, 1:] - curve[:, :-1]
    step = torch.hypot(delta[..., 0], delta[..., 1])  # [n, M-1]; norm(dim=-1) over a size-2 axis was 10x slower
    arc = torch.cat([torch.zeros_like(step[:, :1]), step.cumsum(1)], 1)  # [n, M]
    total = arc[:, -1:]
    arc = arc / total.clamp_min(torch.finfo(arc.dtype).tiny)
    where = (targets * torch.where(total > 0, 1.0, 0.0)).contiguous()
    hi = torch.searchsorted(arc.contiguous(), where).clamp(1, arc.shape[1] - 1)  # [n, T]
    lo = hi - 1
    a_lo, a_hi = arc.gather(1, lo), arc.gather(1, hi)
    frac = ((where - a_lo) / (a_hi - a_lo).clamp_min(torch.finfo(arc.dtype).tiny)).clamp(0, 1).unsqueeze(-1)
    p_lo = curve.gather(1, lo.unsqueeze(-1).expand(-1, -1, 2))
    p_hi = curve.gather(1, hi.unsqueeze(-1).expand(-1, -1, 2))
    return p_lo + frac * (p_hi - p_lo)


def strokes(
    n: int,
    seed: int = 0,
    length: int = 100,
    harmonics: int = STROKE_HARMONICS,
    warp: float = 0.5,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """``n`` smooth pen strokes of ``length`` points, starting at (0, 0): [n, T, 2].

    Each coordinate is ``sum_h a_h cos(2*pi*h*f*u + phi_h)`` over ``u`` in [0, 1] with 1..``harmonics``
    terms (the count drawn per stroke and coordinate), base frequency ``f`` ~ U[0.3, 1.2] per coordinate
    (non-integer: the stroke does not close), ``a_h ~ N(0, 1) * h**-p`` with decay ``p ~ U[0.7, 2]``.
    The curve is resampled by arc length with a pen speed ``1 + w*cos(2*pi*m*s)`` (``w ~ U[0, warp]``,
    ``m`` in {1, 2}: the pen slows and speeds up along the stroke), shifted to start at zero and scaled
    so its largest |coordinate| is drawn from ``STROKE_SIZE``. Not normalised further: the trajectory
    study found normalising amplitude hurt.
    """
    n, length = _check_count(n, length)
    if isinstance(harmonics, bool) or not isinstance(harmonics, int) or not 1 <= harmonics <= 64:
        raise ValueError(f"harmonics must be a whole number between 1 and 64, got {harmonics!r}")
    if not (isinstance(warp, int | float) and 0 <= warp < 1):
        raise ValueError(f"warp must be a number in [0, 1) (1 would stop the pen), got {warp!r}")
    device = torch.device(device) if device is not None else torch.device("cpu")
    g = torch.Generator().manual_seed(int(seed))
    f64 = {"generator": g, "dtype": torch.float64}
    count = torch.randint(1, harmonics + 1, (n, 2, 1), generator=g)
    base = 0.3 + 0.9 * torch.rand(n, 2, 1, **f64)
    decay = 0.7 + 1.3 * torch.rand(n, 2, 1, **f64)
    h = torch.arange(1, harmonics + 1, dtype=torch.float64)
    amplitude = torch.randn(n, 2, harmonics, **f64) * h.pow(-decay) * (h <= count)
    phase = 2 * math.pi * torch.rand(n, 2, harmonics, **f64)
    speed = warp * torch.rand(n, 1, **f64)
    cycles = torch.randint(1, 3, (n, 1), generator=g).to(torch.float64)
    size = STROKE_SIZE[0] + (STROKE_SIZE[1] - STROKE_SIZE[0]) * torch.rand(n, 1, 1, **f64)

    # The synthesis runs on the device, in float64 (arc lengths of a dense curve add many small steps).
    to = lambda t: t.to(device)  # noqa: E731
    amplitude, phase = to(amplitude), to(phase)
    u = torch.linspace(0, 1, _DENSE * length, dtype=torch.float64, device=device)  # [M]
    # sum_h a_h cos(2 pi h f u + phi_h) = Re sum_h (a_h e^{i phi_h}) w^h with w = e^{2 pi i f u}: Horner's
    # rule over h, 12 complex multiply-adds on [n, 2, M] instead of an [n, 2, H, M] tensor of cosines.
    # complex64 (5x faster than complex128 here, errors ~1e-5); arc lengths are then summed in float64.
    f32 = torch.float32
    w = torch.polar(torch.ones_like(u, dtype=f32), (2 * math.pi * base.to(device) * u).to(f32))  # [n, 2, M]
    coef = torch.polar(amplitude.to(f32), phase.to(f32))  # [n, 2, H]
    acc = coef[..., -1:].expand_as(w)
    for i in range(harmonics - 2, -1, -1):
        acc = acc * w + coef[..., i : i + 1]
    curve = (acc * w).real.transpose(1, 2).to(torch.float64)  # [n, M, 2]
    s = torch.linspace(0, 1, length, dtype=torch.float64, device=device).unsqueeze(0)  # [1, T]
    # The pen's arc position at time s: s + w sin(2 pi m s) / (2 pi m), monotone since w < 1, 0 -> 0, 1 -> 1.
    speed, cycles = to(speed), to(cycles)
    targets = s + speed * torch.sin(2 * math.pi * cycles * s) / (2 * math.pi * cycles)
    points = _arc_resample(curve, targets.clamp(0, 1))
    points = points - points[:, :1]
    peak = points.abs().amax(dim=(1, 2), keepdim=True).clamp_min(1e-12)
    return (points * (to(size) / peak)).to(dtype)


def resample_stroke(points: object, length: int = 100, size: float | None = None) -> np.ndarray:
    """A user's drawing as the models see strokes: ``length`` points by arc length, from (0, 0): [T, 2].

    ``points`` is a sequence of (x, y) pairs (a list, numpy or torch array of shape [N, 2], N >= 2). Repeated
    points (a pen resting) are dropped. ``size``: scale so the largest |coordinate| is ``size`` (the
    shipped models were trained on strokes of size 0.5..1.5, ``STROKE_SIZE``; a drawing in pixels needs
    it); None keeps the drawing's units. Empty, single-point, zero-length, NaN or huge (> 1e6) input is a
    ValueError that says which.
    """
    if torch.is_tensor(points):
        points = points.detach().cpu().numpy()
    try:
        p = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("a stroke must be a list of (x, y) number pairs") from None
    if p.size == 0:
        raise ValueError("the stroke is empty: draw at least two points")
    if p.ndim != 2 or p.shape[1] != 2:
        raise ValueError(f"a stroke must be an array of (x, y) pairs, shape [N, 2]; got shape {list(p.shape)}")
    if not np.all(np.isfinite(p)):
        raise ValueError("the stroke contains NaN or infinite coordinates")
    if np.abs(p).max() > MAX_COORDINATE:
        raise ValueError(f"the stroke's coordinates reach {np.abs(p).max():.3g}; the limit is {MAX_COORDINATE:g}")
    length = _check_count(1, length)[1]
    if size is not None and not (isinstance(size, int | float) and 0 < size <= MAX_COORDINATE):
        raise ValueError(f"size must be a positive number up to {MAX_COORDINATE:g}, got {size!r}")
    if len(p) < 2:
        raise ValueError("the stroke has a single point: a stroke needs at least two")
    keep = np.concatenate([[True], np.any(np.diff(p, axis=0) != 0, axis=1)])
    p = p[keep]
    if len(p) < 2:
        raise ValueError("the stroke has zero length: all its points are the same")
    out = _arc_resample(torch.from_numpy(p).unsqueeze(0), torch.linspace(0, 1, length, dtype=torch.float64)[None])
    out = (out[0] - out[0, :1]).numpy()
    if size is not None:
        out = out * (float(size) / max(np.abs(out).max(), 1e-300))
    return out
