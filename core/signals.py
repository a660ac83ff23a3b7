"""Sums of harmonics: the signals every page, test and training run is made of.

A signal is ``x[t] = sum_k a_k * m_k(t) * cos(2*pi*t / P_k + phi_k) (+ trend) (+ noise)`` for
``t = 0 .. length-1`` (sample rate 1), where ``m_k`` is an optional piecewise-linear amplitude
envelope. The cosine convention is deliberate: it is the one the DFT reports phases in
(``core.spectral``), so a component's phase and the phase the DFT measures are the same number.

Everything is drawn in one vectorised pass: parameters for all ``n`` signals are sampled at once on the
CPU from a seeded ``torch.Generator`` (so a seed gives the same signals on every device), then the
``[n, K, length]`` synthesis runs on the requested device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import numpy as np
import torch

__all__ = ["SignalSpec", "Components", "generate", "signal_from_rows", "synthesize"]


@dataclass(frozen=True)
class SignalSpec:
    """What kind of signals to draw. Defaults reproduce the classic study.

    components: inclusive range of how many harmonics a signal has.
    periods: inclusive range of their periods, in samples (>= 2: the Nyquist limit).
    integer_periods: draw whole-number periods (the study) or any real period in the range.
    noise: standard deviation of Gaussian noise added after peak normalisation (then re-normalised);
        a range ``(min, max)`` draws each signal's own standard deviation from U[min, max].
    modulation: each component's amplitude follows a piecewise-linear envelope 1 -> r -> 1,
        r ~ U[0.5, 2], apex at a random time: the amplitudes change inside the window. A number in
        [0, 1] instead of True/False modulates that share of the signals.
    trend: a linear trend whose total rise over the signal is drawn from U[-trend, trend].
    walk: a random walk (running sum of Gaussian steps) whose end-to-end spread is drawn from
        U[0, walk] per signal, in units of the harmonics' peak: the slow, broadband wandering of real
        series (prices, temperatures) that no sum of a few harmonics has.
    clean_share: the share of signals drawn without noise, walk, trend or modulation, so that a
        training mixture keeps clean sums of harmonics (the textbook case) as a real part of its world.
    effect_share: the share of the other signals that get each of noise, walk and trend, drawn
        independently for each (modulation has its own share). At 1 every non-clean signal gets all
        three. Below 1 the mixture also holds noisy sums of harmonics without a walk or trend, and so on:
        a network whose noisy training signals always wander too learns that noise means wandering, and
        then "corrects" a pure noisy sum of harmonics that does not wander (measured: worse than the
        linear-prediction forecasts it starts from).
    curves: the share of the non-clean signals whose trend is a smooth curve instead of a straight line:
        a polynomial up to the cubic, an exponential or a logistic step, with peak 1, and the first
        harmonic alone on top as a season, U[0, 0.5] of the curve's size: the trend + season (+ noise)
        of the textbook decomposition of real series (CO2, sales, populations grow, saturate and bend).
        No walk is added to a curve (it is the slow wandering already). A network that has only seen
        sums of many harmonics, walks and straight lines pulls such a curve back towards its mean
        (measured: ``lstm`` and ``linear_net`` trained without curves were worse than repeating the last
        value on the ``trends`` suite).
    length: samples per signal (lookback + horizon; 110 = 100 + 10 in the study).
    """

    components: tuple[int, int] = (3, 6)
    periods: tuple[float, float] = (2, 99)
    integer_periods: bool = True
    noise: float | tuple[float, float] = 0.0
    modulation: bool | float = False
    trend: float = 0.0
    length: int = 110
    walk: float = 0.0
    clean_share: float = 0.0
    effect_share: float = 1.0
    curves: float = 0.0

    def __post_init__(self) -> None:
        # Accept lists (JSON round trips) but store tuples so the spec stays hashable.
        object.__setattr__(self, "components", tuple(int(c) for c in self.components))
        object.__setattr__(self, "periods", tuple(float(p) for p in self.periods))
        lo, hi = self.components
        if len(self.components) != 2 or lo < 1 or hi < lo:
            raise ValueError(f"components must be a range (min, max) with 1 <= min <= max, got {self.components}")
        plo, phi = self.periods
        if len(self.periods) != 2 or plo < 2 or phi < plo:
            raise ValueError(
                f"periods must be a range (min, max) with 2 <= min <= max (a period under 2 samples is above "
                f"the Nyquist frequency), got {self.periods}"
            )
        if self.integer_periods and math.floor(phi) < math.ceil(plo):
            raise ValueError(f"periods {self.periods} contain no whole number; widen it or allow non-integer periods")
        if isinstance(self.noise, list | tuple):
            object.__setattr__(self, "noise", tuple(float(v) for v in self.noise))
        nlo, nhi = self.noise_range
        if not (0 <= nlo <= nhi and math.isfinite(nhi)) or (isinstance(self.noise, tuple) and len(self.noise) != 2):
            raise ValueError(f"noise must be a finite standard deviation >= 0 or a range (min, max), got {self.noise}")
        if not 0 <= float(self.clean_share) <= 1:
            raise ValueError(f"clean_share must be a share of signals in [0, 1], got {self.clean_share}")
        if not 0 <= float(self.effect_share) <= 1:
            raise ValueError(f"effect_share must be a share of signals in [0, 1], got {self.effect_share}")
        if not 0 <= float(self.curves) <= 1:
            raise ValueError(f"curves must be a share of signals in [0, 1], got {self.curves}")
        if not 0 <= float(self.modulation) <= 1:
            raise ValueError(f"modulation must be True/False or a share of signals in [0, 1], got {self.modulation}")
        for name in ("trend", "walk"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"{name} must be a finite size >= 0, got {value}")
        if int(self.length) != self.length or self.length < 1:
            raise ValueError(f"length must be a whole number of samples >= 1, got {self.length}")

    @property
    def noise_range(self) -> tuple[float, float]:
        """(min, max) of the per-signal noise standard deviation (equal for a single number)."""
        return self.noise if isinstance(self.noise, tuple) else (float(self.noise), float(self.noise))

    def to_dict(self) -> dict:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict) -> SignalSpec:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown SignalSpec field(s): {sorted(unknown)}")
        return cls(**data)


@dataclass
class Components:
    """The harmonics of ``n`` signals, padded to ``K`` columns (``active`` marks the real ones).

    Amplitudes are those of the returned signal (after peak normalisation), so
    ``synthesize(components, length)`` gives back the noise-free signal.
    modulation: peak ratio r of each component's envelope (1 = constant amplitude).
    apex: where the envelope peaks, as a fraction of the length.
    trend: total rise of the linear trend over the signal, per signal.
    """

    period: torch.Tensor  # [n, K]
    amplitude: torch.Tensor  # [n, K]
    phase: torch.Tensor  # [n, K], radians, cosine convention
    active: torch.Tensor  # [n, K] bool
    modulation: torch.Tensor = field(default=None)  # [n, K]
    apex: torch.Tensor = field(default=None)  # [n, K]
    trend: torch.Tensor = field(default=None)  # [n]
    span: int | None = None  # samples the envelope and trend are laid over (None: the evaluated length)

    def __post_init__(self) -> None:
        n, k = self.period.shape
        like = self.period
        if self.modulation is None:
            self.modulation = torch.ones(n, k, dtype=like.dtype, device=like.device)
        if self.apex is None:
            self.apex = torch.full((n, k), 0.5, dtype=like.dtype, device=like.device)
        if self.trend is None:
            self.trend = torch.zeros(n, dtype=like.dtype, device=like.device)

    def to(self, device: torch.device | str) -> Components:
        moved = {f.name: getattr(self, f.name) for f in fields(self)}
        return Components(**{k: v.to(device) if torch.is_tensor(v) else v for k, v in moved.items()})

    def rows(self, i: int = 0) -> list[dict]:
        """Signal ``i``'s active components as plain dicts (for tables and JSON)."""
        keys = ("period", "amplitude", "phase", "modulation", "apex")
        columns = [getattr(self, key)[i].cpu().tolist() for key in keys]
        active = self.active[i].cpu().tolist()
        return [dict(zip(keys, values, strict=True)) for values, on in zip(zip(*columns), active, strict=True) if on]

    @classmethod
    def from_rows(
        cls, rows: list[dict], trend: float = 0.0, span: int | None = None, dtype: torch.dtype = torch.float64
    ) -> Components:
        """One signal from a list of ``{"period", "amplitude", "phase"[, "modulation", "apex"]}`` dicts."""
        if not rows:
            raise ValueError("a signal needs at least one component")
        for i, r in enumerate(rows):
            if not r.get("period", 0) >= 2:
                raise ValueError(f"component {i + 1}: period must be >= 2 samples, got {r.get('period')}")
            if not math.isfinite(r.get("amplitude", math.nan)):
                raise ValueError(f"component {i + 1}: amplitude must be a number, got {r.get('amplitude')}")
        col = lambda key, default: torch.tensor([[float(r.get(key, default)) for r in rows]], dtype=dtype)  # noqa: E731
        return cls(
            period=col("period", 2),
            amplitude=col("amplitude", 0),
            phase=col("phase", 0),
            active=torch.ones(1, len(rows), dtype=torch.bool),
            modulation=col("modulation", 1),
            apex=col("apex", 0.5),
            trend=torch.tensor([float(trend)], dtype=dtype),
            span=span,
        )


def _envelope(modulation: torch.Tensor, apex: torch.Tensor, length: int, t: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear 1 -> r -> 1 over ``[0, length-1]``, peak at ``apex * (length - 1)``, 1 outside.

    [n, K] -> [n, K, T] for the sample times ``t [T]``.
    """
    top = (apex * max(length - 1, 1)).unsqueeze(-1)  # [n, K, 1]
    end = float(max(length - 1, 1))
    # The rise t/top is below 1 only before the apex and the fall (end-t)/(end-top) only after it, so
    # their minimum, clamped to [0, 1], is the ramp: 0 at the ends, 1 at the apex, 0 past the end. The
    # divisions are by [n, K, 1] and the [n, K, T] work is multiplies (the envelope was ~80% of drawing a
    # batch of modulated signals on a CPU).
    rise = t * (1.0 / top.clamp_min(1e-9))
    fall = (end - t) * (1.0 / (end - top).clamp_min(1e-9))
    ramp = torch.minimum(rise, fall).clamp_(0.0, 1.0)
    return ramp.mul_(modulation.unsqueeze(-1) - 1.0).add_(1.0)


_TABLE_MAX_PERIOD = 4096


def _synthesize_integer_periods(
    period: torch.Tensor, amplitude: torch.Tensor, phase: torch.Tensor, t: torch.Tensor
) -> torch.Tensor:
    """Fast path for whole-number periods: one matrix product instead of an [n, K, L] cosine.

    a*cos(w*t + phi) = (a*cos phi)*cos(w*t) - (a*sin phi)*sin(w*t); summing the coefficients of equal
    periods into one column per period turns the synthesis into [n, P] @ [P, L] against a table of
    cos/sin(2*pi*t/P). On the study's signals (up to 44 components) this is ~10x faster than the
    direct cosine of every component.
    """
    width = int(period.max()) + 1
    cos_coef = torch.zeros(period.shape[0], width, dtype=t.dtype, device=t.device)
    sin_coef = torch.zeros_like(cos_coef)
    cos_coef.scatter_add_(1, period, amplitude * torch.cos(phase))
    sin_coef.scatter_add_(1, period, amplitude * torch.sin(phase))
    p = torch.arange(width, dtype=t.dtype, device=t.device).clamp_min(1).unsqueeze(1)  # [P, 1]
    angle = 2 * math.pi * torch.remainder(t.unsqueeze(0), p) / p  # [P, L]; remainder keeps angles small
    return cos_coef @ torch.cos(angle) - sin_coef @ torch.sin(angle)


def synthesize(components: Components, length: int, start: int = 0) -> torch.Tensor:
    """Evaluate the noise-free signals at ``t = start .. start+length-1``: -> [n, length].

    ``start`` lets a caller extend a signal past the samples it was drawn with (the true future).
    The envelope and the trend are laid over ``components.span`` samples (the length the signal was
    drawn with); past it the envelope stays at 1 and the trend keeps its slope.
    """
    span = components.span or start + length
    p = components.period
    t = torch.arange(start, start + length, device=p.device, dtype=p.dtype)  # [L]
    amp = components.amplitude * components.active  # [n, K]
    modulated = bool((components.modulation != 1).any())
    if not modulated and bool((p == p.round()).all()) and float(p.max()) <= _TABLE_MAX_PERIOD:
        x = _synthesize_integer_periods(p.long(), amp, components.phase, t)
    else:
        angle = 2 * math.pi * t / p.unsqueeze(-1) + components.phase.unsqueeze(-1)  # [n, K, L]
        amp = amp.unsqueeze(-1)  # [n, K, 1]
        if modulated:
            amp = amp * _envelope(components.modulation, components.apex, span, t)
        x = (amp * torch.cos(angle)).sum(1)  # [n, L]
    return x + components.trend.unsqueeze(-1) * (t / max(span - 1, 1))


def _peak_normalise(x: torch.Tensor) -> torch.Tensor:
    """Scale of each row that brings its peak |x| to 1 (a zero row keeps scale 1)."""
    peak = x.abs().amax(-1)
    return torch.where(peak > 0, 1.0 / peak, torch.ones_like(peak))


def _stream(seed: int, salt: int, where: torch.device) -> torch.Generator:
    """A generator of its own for one kind of draw (noise, walk), derived from the signal seed."""
    return torch.Generator(device=where).manual_seed((int(seed) * 1_000_003 + salt) % 2**63)


def _curves(n: int, length: int, share: float, g: torch.Generator) -> tuple[torch.Tensor, ...]:
    """Which of ``n`` signals are curved, their curves [n, length] (centred, peak 1) and cycle sizes [n].

    Drawn in full for every signal whatever ``share`` (a fixed number of draws), so the share changes
    which signals are curved, not their curves.
    """
    f64 = {"generator": g, "dtype": torch.float64, "device": g.device}
    u = lambda lo, hi, *shape: lo + (hi - lo) * torch.rand(n, *shape, **f64)  # noqa: E731
    curved = torch.rand(n, **f64) < share
    kind = torch.randint(0, 3, (n, 1), generator=g, device=g.device)
    size = u(0.0, 0.5)
    coef, rate, knee, steep = u(-1, 1, 3), u(-4, 4, 1), u(0.2, 0.9, 1), u(5, 20, 1)
    sign = torch.where(torch.rand(n, 1, **f64) < 0.5, -1.0, 1.0)
    s = torch.arange(length, dtype=torch.float64, device=g.device) / length
    polynomial = coef[:, :1] * s + coef[:, 1:2] * s**2 + coef[:, 2:] * s**3
    curve = torch.where(
        kind == 0, polynomial, sign * torch.where(kind == 1, torch.exp(rate * s), torch.sigmoid((s - knee) * steep))
    )
    curve = curve - curve.mean(1, keepdim=True)
    return curved, curve / curve.abs().amax(1, keepdim=True).clamp_min(1e-12), size


def generate(
    spec: SignalSpec | None = None,
    n: int = 1,
    seed: int = 0,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
    return_components: bool = False,
    return_clean: bool = False,
    draw_on: str = "cpu",
) -> torch.Tensor | tuple:
    """Draw ``n`` signals of ``spec.length`` samples: -> Tensor[n, length] on ``device``.

    ``draw_on="cpu"`` (the default): every random draw comes from CPU generators seeded from ``seed``,
    so a seed gives the same signals on every device; the synthesis itself runs on ``device``.
    ``draw_on="device"``: the generators live on ``device`` too, so a batch costs the host nothing. A
    GPU needs that at large batches: the CPU draws for 65,536 signals take ~0.6 s, which alone would hold
    a GPU under ~110k signals/s. A seed then gives the same signals on the same kind of device (on a
    CPU, exactly the default's). With ``return_clean`` the same signals before the noise was added
    (walk and trend kept), in the same units, follow the signals; with ``return_components`` the drawn
    harmonics come last, scaled like the signal.
    """
    spec = spec or SignalSpec()
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number of signals >= 1, got {n}")
    device = torch.device(device) if device is not None else torch.device("cpu")
    if draw_on not in ("cpu", "device"):
        raise ValueError(f"draw_on must be 'cpu' or 'device', got {draw_on!r}")
    where = device if draw_on == "device" else torch.device("cpu")
    g = torch.Generator(device=where).manual_seed(int(seed))
    f64 = {"generator": g, "dtype": torch.float64, "device": where}
    kmin, kmax = spec.components
    plo, phi = spec.periods
    # Every draw from ``g`` happens whatever the options, in a fixed order and a number that does not
    # depend on the length, so switching an option (noise, trend, length) changes only that aspect of
    # the signals drawn for a seed. The per-sample noise and walk steps come from generators of their own.
    count = torch.randint(kmin, kmax + 1, (n,), generator=g, device=where)
    if spec.integer_periods:
        period = torch.randint(math.ceil(plo), math.floor(phi) + 1, (n, kmax), generator=g, device=where).to(
            torch.float64
        )
    else:
        period = plo + (phi - plo) * torch.rand(n, kmax, **f64)
    phase = 2 * math.pi * torch.rand(n, kmax, **f64)
    amplitude = torch.rand(n, kmax, **f64)
    ratio = 0.5 + 1.5 * torch.rand(n, kmax, **f64)
    apex = 0.2 + 0.6 * torch.rand(n, kmax, **f64)
    slope = spec.trend * (2 * torch.rand(n, **f64) - 1)
    nlo, nhi = spec.noise_range
    noise_level = nlo + (nhi - nlo) * torch.rand(n, **f64)
    modulated = torch.rand(n, **f64) < float(spec.modulation)
    walk_size = spec.walk * torch.rand(n, 1, **f64)
    noise = None
    if nhi > 0:
        noise = torch.randn(n, spec.length, generator=_stream(seed, 1, where), dtype=torch.float64, device=where)
    walk = None
    if spec.walk > 0:
        steps = torch.randn(n, spec.length, generator=_stream(seed, 2, where), dtype=torch.float64, device=where)
        walk = walk_size * steps.cumsum(1) / math.sqrt(spec.length)
    clean = torch.rand(n, **f64) < spec.clean_share
    if spec.clean_share > 0:
        noise_level = torch.where(clean, 0.0, noise_level)
        modulated = modulated & ~clean
        slope = torch.where(clean, 0.0, slope)
        if walk is not None:
            walk = torch.where(clean.unsqueeze(1), 0.0, walk)
    if spec.effect_share < 1:  # drawn last from ``g``: every draw above stays the same for a seed
        noisy, walking, trending = (torch.rand(3, n, **f64) < spec.effect_share).unbind()
        noise_level = torch.where(noisy, noise_level, 0.0)
        slope = torch.where(trending, slope, 0.0)
        if walk is not None:
            walk = torch.where(walking.unsqueeze(1), walk, 0.0)

    curved = None
    if spec.curves > 0:  # a stream of its own: every draw above stays the same for a seed
        curved, curve, size = _curves(n, spec.length, spec.curves, _stream(seed, 3, where))
        curved = curved & ~clean
        slope = torch.where(curved, 0.0, slope)
        if walk is not None:  # a curve is the slow wandering: a walk on top would be it twice over
            walk = torch.where(curved.unsqueeze(1), 0.0, walk)

    active = torch.arange(kmax, device=where).unsqueeze(0) < count.unsqueeze(1)  # [n, K]
    if curved is not None:  # the season on a curve: the first harmonic alone
        active = active & ((torch.arange(kmax, device=where) == 0) | ~curved.unsqueeze(1))
    amplitude = amplitude * active
    amplitude = amplitude / amplitude.sum(1, keepdim=True).clamp_min(1e-12)  # sum to 1, as in the study
    comps = Components(
        period=period,
        amplitude=amplitude,
        phase=phase,
        active=active,
        modulation=torch.where(modulated.unsqueeze(1), ratio, torch.ones_like(ratio)),
        apex=apex,
        trend=slope,
        span=spec.length,
    )
    comps = Components(
        **{
            f.name: v.to(device) if (v := getattr(comps, f.name)).dtype == torch.bool else v.to(device, dtype)
            for f in fields(comps)
            if f.name != "span"
        },
        span=spec.length,
    )

    x = synthesize(comps, spec.length)  # [n, L]
    scale = _peak_normalise(x)
    x = x * scale.unsqueeze(-1)
    if curved is not None:  # not a component either: the harmonics shrink to a cycle on the curve
        size, curve = size.to(device=device, dtype=dtype), curve.to(device=device, dtype=dtype)
        mask = curved.to(device)
        x = torch.where(mask.unsqueeze(1), curve + size.unsqueeze(1) * x, x)
        scale = torch.where(mask, scale * size, scale)
        rescale = _peak_normalise(x)
        x = x * rescale.unsqueeze(-1)
        scale = scale * rescale
    if walk is not None:  # not a component: comps still rebuild the harmonics alone
        x = x + walk.to(device=device, dtype=dtype)
        rescale = _peak_normalise(x)
        x = x * rescale.unsqueeze(-1)
        scale = scale * rescale
    clean = x
    if noise is not None:
        x = x + noise_level.to(device=device, dtype=dtype).unsqueeze(-1) * noise.to(device=device, dtype=dtype)
        rescale = _peak_normalise(x)
        x = x * rescale.unsqueeze(-1)
        clean = clean * rescale.unsqueeze(-1)
        scale = scale * rescale
    comps.amplitude = comps.amplitude * scale.unsqueeze(-1)
    comps.trend = comps.trend * scale
    out = (x, *([clean] if return_clean else []), *([comps] if return_components else []))
    return out if len(out) > 1 else x


def signal_from_rows(
    rows: list[dict],
    length: int,
    trend: float = 0.0,
    noise: float = 0.0,
    noise_seed: int = 0,
    span: int | None = None,
) -> np.ndarray:
    """One signal from edited components, as float64 numpy: what the Signal Lab shows and shares.

    Noise is N(0, noise) from a seeded generator whose draws are prefix-stable, so a longer ``length``
    extends the same signal (the true continuation of what a page analysed) instead of redrawing it.
    """
    clean = synthesize(Components.from_rows(rows, trend=trend, span=span), int(length))[0].numpy()
    if noise > 0:
        clean = clean + noise * np.random.default_rng(noise_seed).standard_normal(int(length))
    return clean
