"""Forecasts that need no training: the yardsticks every frames network must beat (README lesson 11).

Each takes input frames ``[B, t_in, H, W]`` (a float tensor) and the preset's ``FrameSpec`` (it needs to
know which frames ahead to give and how the object is drawn) and returns ``[B, t_out, H, W]``:

- ``blank``: an empty frame. What a network that gave up predicts.
- ``persistence``: the last input frame again.
- ``constant_velocity``: the intensity centroid's velocity over the last two frames, kept; the last frame is
  moved along it. Exact on straight motion that does not bounce.
- ``flow``: an optical-flow nowcast in the spirit of ROVER (pysteps): the motion between the last two
  frames by phase correlation (``skimage.registration.phase_cross_correlation``, sub-pixel), then the last
  frame advected (shifted) along it.
- ``physics``: locate the object in every input frame, fit every law (straight, parabola, sinusoid in
  ``x`` with ``x`` moving uniformly; a ball bouncing in the box) by least squares, keep the one with the
  best BIC whose future stays in the frame, run it forward. Exact on noise-free paths of those laws.

Where the object goes: one blob or one pixel (a shape the preset names) is drawn anew at the forecast
position, so noise on the inputs is not copied into the forecast; anything else (a digit, two objects) is
the last frame moved (``shift``: a Fourier shift for blobs, whole pixels for one pixel, bilinear for
digits), which works for any appearance. Locating (``locate``): the brightest pixel for one pixel, a
matched filter and an iterated Gaussian-window centroid for one blob (robust to input noise, exact on
clean frames), else the intensity centroid above the frame's noise floor: with two objects, the pair's
centre.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from core.frames.data import FrameSpec, render

BASELINES = ("blank", "persistence", "constant_velocity", "flow", "physics")
RSS_FLOOR = 1e-12  # per point, in pixels squared: what a noise-free fit's float rounding leaves


def locate(frames: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """[..., H, W] -> [..., 2] (row, col) in pixels: where the object is. An empty frame gives the centre.

    One pixel: the brightest pixel. One blob: ``locate_blob`` (a matched filter's peak, then a centroid
    weighted by a Gaussian window iterated onto the blob: exact on clean frames, little moved by noise).
    Otherwise (digits, two objects): the intensity centroid of what stands above the frame's own noise
    floor (``noise_level``), which on clean frames is the plain centroid.
    """
    if spec.render == "pixel":
        flat = frames.flatten(-2).argmax(-1)
        return torch.stack([flat // spec.width, flat % spec.width], -1).to(frames.dtype)
    if spec.render == "blob" and spec.objects == 1:
        return locate_blob(frames, spec.sigma)
    floor = 3 * noise_level(frames)[..., None, None]
    return _centroid(frames, (frames - floor).clamp_min(0.0))


def noise_level(frames: torch.Tensor) -> torch.Tensor:
    """[..., H, W] -> [...]: the standard deviation of the noise in each frame, read from the frame itself
    (the caller's spec does not know it). Noise clipped at 0 leaves the dark background at max(0, N(0, s)),
    whose upper quartile is 0.674 s; the object covers far less than a quarter of the frame. 0 on a clean
    frame of one pixel or a digit, ~1e-8 on a clean blob frame."""
    flat = frames.flatten(-2)
    upper = flat.kthvalue(math.ceil(0.75 * flat.shape[-1]), dim=-1).values  # no size limit, unlike quantile
    return upper / 0.6745


def _centroid(frames: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Intensity centroid [..., 2] of ``weights`` [..., H, W]; the frame's centre where they sum to 0."""
    h, w = frames.shape[-2:]
    rows = torch.arange(h, dtype=frames.dtype, device=frames.device)
    cols = torch.arange(w, dtype=frames.dtype, device=frames.device)
    mass = weights.sum((-2, -1))
    empty = mass <= 0
    mass = mass.clamp_min(torch.finfo(frames.dtype).tiny)
    r = (weights.sum(-1) * rows).sum(-1) / mass
    c = (weights.sum(-2) * cols).sum(-1) / mass
    r = torch.where(empty, torch.full_like(r, (h - 1) / 2), r)
    c = torch.where(empty, torch.full_like(c, (w - 1) / 2), c)
    return torch.stack([r, c], -1)


BLOB_WINDOW = 1.0  # the Gaussian window's std, in blob sigmas (1: the matched filter itself)
BLOB_ITERATIONS = 6


def _gaussian_kernel(sigma: float, dtype, device) -> torch.Tensor:
    radius = math.ceil(3 * sigma)
    k = torch.arange(-radius, radius + 1, dtype=dtype, device=device)
    return torch.exp(-(k**2) / (2 * sigma**2))


def locate_blob(frames: torch.Tensor, sigma: float, window: float = BLOB_WINDOW) -> torch.Tensor:
    """[..., H, W] -> [..., 2] (row, col): the centre of one Gaussian blob of std ``sigma`` pixels.

    1. The peak of the frame filtered by the blob's own shape (a matched filter: it averages the noise of
       the pixels around, so a single bright noise pixel does not win), to the pixel.
    2. From there, the intensity centroid weighted by a Gaussian window of std ``window * sigma`` centred at
       the current estimate, repeated. For a Gaussian blob at ``mu`` the weighted centroid is
       ``(mu * w**2 + c * sigma**2) / (sigma**2 + w**2)``: its fixed point is ``mu`` exactly (clean frames
       stay exact) and each step shrinks the error by ``sigma**2 / (sigma**2 + w**2)``. Noise far from the
       blob gets almost no weight, unlike in a centroid of the whole frame, and a uniform background (noise
       clipped at 0 is positive on average) pulls the same way on each side. Each step solves that relation
       for ``mu`` (``BLOB_ITERATIONS`` of them), and the estimate is kept within the frame.
    """
    x = frames.double() if frames.dtype != torch.float64 else frames
    shape, (h, w) = x.shape[:-2], x.shape[-2:]
    flat = x.reshape(-1, 1, h, w)
    kernel = _gaussian_kernel(sigma, x.dtype, x.device)
    pad = len(kernel) // 2
    smooth = F.conv2d(
        F.conv2d(flat, kernel.view(1, 1, -1, 1), padding=(pad, 0)), kernel.view(1, 1, 1, -1), padding=(0, pad)
    )
    peak = smooth.flatten(1).argmax(-1)
    r, c = (peak // w).to(x.dtype), (peak % w).to(x.dtype)
    rows = torch.arange(h, dtype=x.dtype, device=x.device)
    cols = torch.arange(w, dtype=x.dtype, device=x.device)
    image = flat[:, 0].clamp_min(0.0)
    spread = 2 * (window * sigma) ** 2
    for _ in range(BLOB_ITERATIONS):
        wr = torch.exp(-((rows - r[:, None]) ** 2) / spread)  # [N, H]
        wc = torch.exp(-((cols - c[:, None]) ** 2) / spread)  # [N, W]
        weighted = image * wr[:, :, None] * wc[:, None, :]
        mass = weighted.sum((-2, -1)).clamp_min(torch.finfo(x.dtype).tiny)
        # The weighted centroid m moved a share 1 / (1 + window**2) of the way from c to the blob's centre:
        # solve for the centre (exact on a clean blob in one step; the same fixed point, m = c, as plain
        # repetition, reached in a few steps instead of ~40).
        m_r = (weighted.sum(-1) * rows).sum(-1) / mass
        m_c = (weighted.sum(-2) * cols).sum(-1) / mass
        r = ((1 + window**2) * m_r - r) / window**2
        c = ((1 + window**2) * m_c - c) / window**2
        r, c = r.clamp(0.0, h - 1.0), c.clamp(0.0, w - 1.0)
    empty = image.flatten(1).amax(-1) <= 0
    r = torch.where(empty, torch.full_like(r, (h - 1) / 2), r)
    c = torch.where(empty, torch.full_like(c, (w - 1) / 2), c)
    return torch.stack([r, c], -1).view(*shape, 2).to(frames.dtype)


def shift(frames: torch.Tensor, delta: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """Move each frame ``[B, H, W]`` by ``delta [B, 2]`` pixels (row, col); what leaves the frame is lost.

    Blobs: Fourier shift on a frame zero-padded to twice its size (no wrap-around), exact for a sampled
    Gaussian to ~1e-5. One pixel: rounded to whole pixels. Digits: bilinear.
    """
    b, h, w = frames.shape
    if spec.render == "blob":
        padded = F.pad(frames.double(), (0, w, 0, h))
        kr = torch.fft.fftfreq(2 * h, dtype=torch.float64, device=frames.device)
        kc = torch.fft.fftfreq(2 * w, dtype=torch.float64, device=frames.device)
        d = delta.double()
        phase = torch.exp(
            -2j * math.pi * (kr[None, :, None] * d[:, 0, None, None] + kc[None, None, :] * d[:, 1, None, None])
        )
        moved = torch.fft.ifft2(torch.fft.fft2(padded) * phase).real[:, :h, :w]
        return moved.clamp(0.0, 1.0).to(frames.dtype)
    if spec.render == "pixel":
        delta = delta.round()
    rows = torch.arange(h, dtype=torch.float64, device=frames.device)
    cols = torch.arange(w, dtype=torch.float64, device=frames.device)
    src_r = rows[None, :, None] - delta[:, 0, None, None].double()
    src_c = cols[None, None, :] - delta[:, 1, None, None].double()
    grid = torch.stack([2 * src_c / (w - 1) - 1 + 0 * src_r, 2 * src_r / (h - 1) - 1 + 0 * src_c], -1)
    moved = F.grid_sample(frames[:, None].double(), grid, mode="bilinear", align_corners=True)
    return moved[:, 0].to(frames.dtype)


def clamp_to_box(where: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """Pixel positions [..., 2] kept where an object's centre can be (paths stay in frame by construction)."""
    low = spec.margin
    high = torch.tensor([spec.height - 1 - low, spec.width - 1 - low], dtype=where.dtype, device=where.device)
    return torch.minimum(where.clamp_min(low), high)


def _move_last(inputs: torch.Tensor, spec: FrameSpec, future: torch.Tensor, now: torch.Tensor) -> torch.Tensor:
    """The object moved from ``now [B, 2]`` to each of ``future [B, t_out, 2]`` (kept in the box).

    One blob or one pixel, whose shape the preset gives, is drawn anew there (``data.render``, as the data
    draws it), so noise on the input frames is not carried into the forecast; on clean frames that is
    the last frame moved. Anything else (digits, two objects) is the last input frame moved."""
    last = inputs[:, -1]
    future = clamp_to_box(future, spec)
    if spec.objects == 1 and spec.render in ("blob", "pixel"):
        where = future.round() if spec.render == "pixel" else future
        return render(spec, where[:, :, None, :]).to(inputs.dtype)
    return torch.stack([shift(last, future[:, k] - now, spec) for k in range(spec.t_out)], 1)


def blank(inputs: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    return inputs.new_zeros(len(inputs), spec.t_out, spec.height, spec.width)


def persistence(inputs: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    return inputs[:, -1:].expand(-1, spec.t_out, -1, -1).clone()


def _ahead(spec: FrameSpec, like: torch.Tensor) -> torch.Tensor:
    return torch.tensor(spec.ahead, dtype=like.dtype, device=like.device)


def constant_velocity(inputs: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """The centroid keeps the velocity it had between the last two input frames."""
    where = locate(inputs[:, -2:].double(), spec)  # [B, 2, 2]
    velocity = where[:, 1] - where[:, 0]
    future = where[:, 1, None] + _ahead(spec, velocity)[None, :, None] * velocity[:, None]
    return _move_last(inputs, spec, future, where[:, 1])


def flow_velocity(inputs: torch.Tensor, upsample: int = 20) -> torch.Tensor:
    """[B, 2] motion (row, col) in pixels per frame between the last two frames, by phase correlation.

    What lies under each frame's own noise floor (3 x ``noise_level``; nothing on a clean frame of a digit or
    one pixel, ~1e-7 on a blob's) is taken off first: on noisy one-pixel frames the correlation of the noise
    otherwise outweighs the object's (49.9 % of the diagonal on ``thesis`` at noise 0.1, 13.6 % with it)."""
    from skimage.registration import phase_cross_correlation

    last = inputs[:, -2:].double()
    pairs = (last - 3 * noise_level(last)[..., None, None]).clamp_min(0.0).cpu().numpy()
    out = np.zeros((len(pairs), 2))
    for i, (before, after) in enumerate(pairs):
        if before.max() <= 0 or after.max() <= 0:
            continue  # nothing to register: no motion
        # The shift that registers `before` onto `after` is the motion from before to after.
        shift_rc, _, _ = phase_cross_correlation(after, before, upsample_factor=upsample, normalization=None)
        out[i] = shift_rc
    return torch.as_tensor(out, dtype=torch.float64, device=inputs.device)


def flow(inputs: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """Advect the last frame along the motion measured by phase correlation (one global vector)."""
    velocity = flow_velocity(inputs)
    now = locate(inputs[:, -1].double(), spec)  # only to keep the moved object inside the box
    future = now[:, None] + _ahead(spec, velocity)[None, :, None] * velocity[:, None]
    return _move_last(inputs, spec, future, now)


# ---- physics fit -------------------------------------------------------------------------------------


def _lstsq(design: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Batched least squares: design [B, n, k] or [n, k], y [B, n] -> (coefficients [B, k], RSS [B])."""
    design = design.expand(len(y), *design.shape[-2:])
    coef = torch.linalg.lstsq(design, y[..., None], driver="gelsd").solution[..., 0]
    rss = ((design @ coef[..., None])[..., 0] - y).pow(2).sum(-1)
    return coef, rss


def _sinusoid_design(s: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
    """s [B, n], f [B, F] -> design [B, F, n, 3] of (1, sin 2 pi f s, cos 2 pi f s)."""
    arg = 2 * math.pi * f[..., None] * s[:, None, :]
    return torch.stack([torch.ones_like(arg), torch.sin(arg), torch.cos(arg)], -1)


def _fit_sinusoid(s: torch.Tensor, y: torch.Tensor, low: float = 0.2, high: float = 4.0) -> tuple:
    """Best (frequency [B], coefficients [B, 3], RSS [B]) of y = c0 + c1 sin(2 pi f s) + c2 cos(2 pi f s):
    a grid over f, then zoomed in around the best point five times (to ~1e-8 of the range)."""
    b = len(y)
    f = torch.linspace(low, high, 400, dtype=s.dtype, device=s.device).expand(b, -1)
    step = (high - low) / 399
    for _ in range(6):
        design = _sinusoid_design(s, f)  # [B, F, n, 3]
        gram = design.transpose(-1, -2) @ design + 1e-12 * torch.eye(3, dtype=s.dtype, device=s.device)
        coef = torch.linalg.solve(gram, design.transpose(-1, -2) @ y[:, None, :, None])[..., 0]
        rss = ((design @ coef[..., None])[..., 0] - y[:, None]).pow(2).sum(-1)  # [B, F]
        best = rss.argmin(1)
        centre = f.gather(1, best[:, None])
        f = (centre + torch.linspace(-step, step, 41, dtype=s.dtype, device=s.device)).clamp(low, high)
        step = step / 10
    design = _sinusoid_design(s, centre)[:, 0]
    coef, rss = _lstsq(design, y)
    return centre[:, 0], coef, rss


def _fit_bounce_axis(t: torch.Tensor, p: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fit p = fold(z0 + v t) (a coordinate bouncing between walls at 0 and 1): -> (z0, v, RSS) per row.

    |v| is the median step (exact while most steps hold no bounce); the direction is whichever fits the
    frames best; then every observation is unfolded next to the line and the line refitted by least squares.
    """
    from core.frames.data import _fold

    speed = (p[:, 1:] - p[:, :-1]).abs().median(1).values
    best = None
    for sign in (1.0, -1.0):
        v = sign * speed
        z0 = p[:, -1] - v * t[-1]
        for _ in range(3):
            guess = z0[:, None] + v[:, None] * t
            # The preimages of p under fold are p + 2k and 2k - p: take the one nearest the current line.
            k_same = torch.round((guess - p) / 2)
            k_mirror = torch.round((guess + p) / 2)
            same, mirror = p + 2 * k_same, 2 * k_mirror - p
            z = torch.where((same - guess).abs() <= (mirror - guess).abs(), same, mirror)
            design = torch.stack([torch.ones_like(t), t], -1)
            coef, _ = _lstsq(design, z)
            z0, v = coef[:, 0], coef[:, 1]
        rss = (_fold(z0[:, None] + v[:, None] * t) - p).pow(2).sum(1)
        if best is None:
            best = (z0, v, rss)
        else:
            better = rss < best[2]
            best = tuple(torch.where(better, new, old) for new, old in zip((z0, v, rss), best, strict=True))
    return best


def fit_tolerance(spec: FrameSpec) -> float:
    """RMS residual (pixels) a right law may leave: the rounding of one-pixel objects (uniform +-0.5 px, RMS
    0.29), else the centroid's float error, widened with the input noise."""
    return 0.45 if spec.render == "pixel" else 0.002 + 5 * spec.noise_range[1]


def fit_paths(positions: torch.Tensor, spec: FrameSpec) -> tuple[torch.Tensor, torch.Tensor]:
    """Positions [B, t_in, 2] in pixels -> (future positions [B, t_out, 2] in pixels, chosen law index [B]).

    Candidates, simplest first (index: law, parameters): 0 linear (x: 2, y: 2), 1 bounce (2 per axis),
    2 parabolic (2 + 3), 3 sinusoidal (2 + 4). The simplest whose RMS residual is within ``fit_tolerance``
    wins (a sinusoid also fits a line, and on rounded pixels overfits it); when none is, the best BIC,
    n log(RSS / n) + k log n. A candidate whose future leaves the frame by more than that tolerance
    is set aside unless every candidate does (the paths stay in frame by construction).
    """
    from core.frames.data import _fold

    p = positions.double()
    y = spec.to_unit(p[..., 0], 0)
    x = spec.to_unit(p[..., 1], 1)
    span_y, span_x = spec.height - 1 - 2 * spec.margin, spec.width - 1 - 2 * spec.margin
    t = torch.arange(spec.t_in, dtype=torch.float64, device=p.device)
    future_t = (spec.t_in - 1) + torch.tensor(spec.ahead, dtype=torch.float64, device=p.device)
    line = torch.stack([torch.ones_like(t), t], -1)
    x_coef, x_rss = _lstsq(line, x)
    x_next = x_coef[:, :1] + x_coef[:, 1:] * future_t
    s, s_next = x_coef[:, :1] + x_coef[:, 1:] * t - 0.5, x_next - 0.5
    futures, rss, sizes = [], [], []

    def add(future_y, future_x, rss_y, rss_x, size):
        futures.append(torch.stack([future_y, future_x], -1))
        rss.append(rss_y * span_y**2 + rss_x * span_x**2)  # in pixels squared
        sizes.append(size)

    for degree in (1, 2):
        design = torch.stack([s**k for k in range(degree + 1)], -1)
        coef, r = _lstsq(design, y)
        add(sum(coef[:, k, None] * s_next**k for k in range(degree + 1)), x_next, r, x_rss, 3 + degree)
    f, coef, r = _fit_sinusoid(s, y)
    arg = 2 * math.pi * f[:, None] * s_next
    add(coef[:, :1] + coef[:, 1:2] * torch.sin(arg) + coef[:, 2:] * torch.cos(arg), x_next, r, x_rss, 6)
    (zy, vy, ry), (zx, vx, rx) = _fit_bounce_axis(t, y), _fit_bounce_axis(t, x)
    add(_fold(zy[:, None] + vy[:, None] * future_t), _fold(zx[:, None] + vx[:, None] * future_t), ry, rx, 4)
    order = [0, 3, 1, 2]  # linear, bounce, parabolic, sinusoidal
    futures = torch.stack([futures[i] for i in order], 1)  # [B, laws, t_out, 2]
    rss = torch.stack([rss[i] for i in order], 1)
    sizes = torch.tensor([sizes[i] for i in order], dtype=torch.float64, device=p.device)
    n = spec.t_in
    slack = fit_tolerance(spec) / torch.tensor([span_y, span_x], dtype=torch.float64, device=p.device)
    leaves = ((futures < -slack) | (futures > 1 + slack)).flatten(2).any(2)
    usable = ~leaves | leaves.all(1, keepdim=True)
    good = usable & ((rss / n).sqrt() <= fit_tolerance(spec))
    bic = n * torch.log(rss.clamp_min(RSS_FLOOR * n) / n) + sizes * math.log(n)
    bic = torch.where(usable, bic, torch.full_like(bic, math.inf))
    simplest = good.double().argmax(1)  # first True
    choice = torch.where(good.any(1), simplest, bic.argmin(1))
    chosen = futures[torch.arange(len(p)), choice].clamp(0.0, 1.0)
    pixels = torch.stack([spec.to_pixels(chosen[..., 0], 0), spec.to_pixels(chosen[..., 1], 1)], -1)
    return pixels, torch.tensor(order, device=p.device)[choice]


def physics(inputs: torch.Tensor, spec: FrameSpec) -> torch.Tensor:
    """Locate, fit the laws, extrapolate, move the last frame there."""
    where = locate(inputs.double(), spec)  # [B, t_in, 2]
    future, _ = fit_paths(where, spec)
    return _move_last(inputs, spec, future, where[:, -1])


FUNCTIONS = {
    "blank": blank,
    "persistence": persistence,
    "constant_velocity": constant_velocity,
    "flow": flow,
    "physics": physics,
}
