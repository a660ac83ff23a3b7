"""Video frames of one (or two) moving objects, generated in batches on any device from a seed.

Why synthetic: every frame comes with the law that drew it and the true positions, so a forecast can be
judged by where it puts the object, per law and per number of free parameters, not only by pixels.

Coordinates. A path lives in normalised units ``u`` in [0, 1] on each axis; ``u`` maps to pixels as
``margin + u * (size - 1 - 2 * margin)`` (``margin`` = 4 blob sigmas for a blob, so the blob's tail is
inside the frame and its intensity centroid is its centre to ~1e-4 px; 0 for one pixel; half a digit for
digits). ``x`` is the column, ``y`` the row (0 at the top).

The laws. For ``linear``, ``parabolic`` and ``sinusoidal``, ``x`` moves at constant speed from
``X_START`` to ``X_END`` over the whole sequence and ``y`` is a law of ``s = x - 0.5``:

=============  ==========================================  =================================  ==========
law            y(s)                                        parameters, in DOF order           defaults
=============  ==========================================  =================================  ==========
linear         0.5 + offset + slope * s                    slope U(-1, 1), offset U(-.3, .3)  0.5, 0
parabolic      0.5 + c + b * s + a * s**2                  a U(-2, 2), c U(-.3, .3),          1.5, 0, 0
                                                           b U(-1, 1)
sinusoidal     0.5 + offset + amplitude * sin(2 pi         frequency U(.5, 2), offset         1, 0, .3, 0
               frequency * s + phase)                      U(-.2, .2), amplitude U(.1, .4),
                                                           phase U(0, 2 pi)
bounce         both axes move straight and reflect at      angle U(0, 2 pi), speed U(.6, 1.8) pi/6, 1.2,
               the box [0, 1]^2                            per sequence, start col, start row .5, .5
=============  ==========================================  =================================  ==========

With ``dof = d`` the first ``d`` parameters of the law are drawn at random and the rest keep their
defaults: each extra degree of freedom makes exactly one more parameter random. A path that leaves the
frame at any step (``y`` outside [0, 1]) is redrawn, all its random parameters together, until it stays:
so a parameter's distribution is its range cut to the paths that fit. Noise (Gaussian, std ``noise``,
then clipped to [0, 1]) is added to the input frames only; targets stay clean. ``noise`` may be a range
``(min, max)``: each sequence then draws its own standard deviation uniformly from it (a training mixture
of noise levels), and ``clean_share`` of the sequences get none at all.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache

import torch
import torch.nn.functional as F

LAWS = ("linear", "parabolic", "sinusoidal", "bounce")
PARAMS = {
    "linear": ("slope", "offset"),
    "parabolic": ("a", "c", "b"),
    "sinusoidal": ("frequency", "offset", "amplitude", "phase"),
    "bounce": ("angle", "speed", "col", "row"),
}
MAX_DOF = {law: len(names) for law, names in PARAMS.items()}
DEFAULTS = {
    "linear": (0.5, 0.0),
    "parabolic": (1.5, 0.0, 0.0),
    "sinusoidal": (1.0, 0.0, 0.3, 0.0),
    "bounce": (math.pi / 6, 1.2, 0.5, 0.5),
}
RANGES = {
    "linear": ((-1.0, 1.0), (-0.3, 0.3)),
    "parabolic": ((-2.0, 2.0), (-0.3, 0.3), (-1.0, 1.0)),
    "sinusoidal": ((0.5, 2.0), (-0.2, 0.2), (0.1, 0.4), (0.0, 2 * math.pi)),
    "bounce": ((0.0, 2 * math.pi), (0.6, 1.8), (0.0, 1.0), (0.0, 1.0)),
}
X_START, X_END = 0.05, 0.95
RENDERS = ("blob", "pixel", "digit")
DIGIT_SIZE = 8
MAX_REDRAWS = 200
# Geometry bounds: a typo must be a message, not a multi-GB tensor.
MAX_SIDE, MAX_FRAMES = 256, 64
MAX_NOISE = 0.5


@dataclass(frozen=True)
class FrameSpec:
    """What a batch looks like: frame size, frames in, which frames ahead to forecast, laws, rendering.

    ahead: steps after the last input frame that are targets (``(1, ..., 10)``: the next ten frames;
        ``(10,)``: only the frame ten steps after the last input).
    laws: the laws drawn from, one per sequence, uniformly.
    dof: degrees of freedom of every sequence, or None: each sequence draws its own from 1..MAX_DOF[law].
    render: "blob" (Gaussian, peak 1, std ``sigma`` px), "pixel" (one pixel at the rounded position) or
        "digit" (an 8x8 handwritten digit from scikit-learn's bundled set, bilinearly placed).
    objects: 1 or 2 independent objects (drawn together by their maximum).
    noise: standard deviation of the Gaussian noise added to the input frames, or a range (min, max) from
        which each sequence draws its own (uniformly); at most ``MAX_NOISE``.
    clean_share: the share of sequences drawn without any noise (a training mixture keeps clean ones).
    emphasis: ``(law, dof, share)`` triples: that share of the sequences is drawn as that law and DOF
        instead (a training mixture that sees a hard case more often); the rest as the other fields say.
    """

    height: int = 32
    width: int = 32
    t_in: int = 10
    ahead: tuple[int, ...] = tuple(range(1, 11))
    laws: tuple[str, ...] = LAWS
    dof: int | None = None
    render: str = "blob"
    sigma: float = 1.5
    objects: int = 1
    noise: float | tuple[float, float] = 0.0
    clean_share: float = 0.0
    emphasis: tuple[tuple[str, int, float], ...] = ()

    def __post_init__(self) -> None:
        for name, low, high in (("height", 8, MAX_SIDE), ("width", 8, MAX_SIDE), ("t_in", 2, MAX_FRAMES)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number between {low} and {high}, got {value!r}")
        ahead = tuple(self.ahead) if isinstance(self.ahead, list | tuple) else None
        if (
            not ahead
            or any(isinstance(a, bool) or not isinstance(a, int) for a in ahead)
            or list(ahead) != sorted(set(ahead))
            or not 1 <= ahead[0] <= ahead[-1] <= MAX_FRAMES
        ):
            raise ValueError(f"ahead must be increasing whole steps between 1 and {MAX_FRAMES}, got {self.ahead!r}")
        object.__setattr__(self, "ahead", ahead)
        laws = tuple(self.laws) if isinstance(self.laws, list | tuple) else ()
        if not laws or any(law not in LAWS for law in laws) or len(set(laws)) != len(laws):
            raise ValueError(f"laws must be a non-empty list of distinct names from {LAWS}, got {self.laws!r}")
        object.__setattr__(self, "laws", laws)
        if self.dof is not None:
            most = min(MAX_DOF[law] for law in laws)
            if isinstance(self.dof, bool) or not isinstance(self.dof, int) or not 1 <= self.dof <= most:
                raise ValueError(
                    f"dof must be None or a whole number between 1 and {most} for {laws}, got {self.dof!r}"
                )
        if self.render not in RENDERS:
            raise ValueError(f"render must be one of {RENDERS}, got {self.render!r}")
        if isinstance(self.sigma, bool) or not isinstance(self.sigma, int | float) or not 0.5 <= self.sigma <= 4:
            raise ValueError(f"sigma must be a number of pixels between 0.5 and 4, got {self.sigma!r}")
        if self.objects not in (1, 2) or isinstance(self.objects, bool):
            raise ValueError(f"objects must be 1 or 2, got {self.objects!r}")
        object.__setattr__(self, "noise", _check_noise(self.noise))
        share = self.clean_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise ValueError(f"clean_share must be a share of sequences between 0 and 1, got {share!r}")
        object.__setattr__(self, "emphasis", _check_emphasis(self.emphasis, laws))
        if min(self.height, self.width) < 2 * self.margin + 4:
            raise ValueError(f"a {self.height}x{self.width} frame is too small for this object (margin {self.margin})")

    @property
    def noise_range(self) -> tuple[float, float]:
        """(min, max) of the per-sequence noise standard deviation (equal for a single number)."""
        return self.noise if isinstance(self.noise, tuple) else (self.noise, self.noise)

    @property
    def noisy(self) -> bool:
        """Whether any input frame can get noise."""
        return self.noise_range[1] > 0 and self.clean_share < 1

    @property
    def t_out(self) -> int:
        return len(self.ahead)

    @property
    def length(self) -> int:
        """Frames in the whole sequence the path is drawn over (inputs, then up to the last target)."""
        return self.t_in + self.ahead[-1]

    @property
    def margin(self) -> float:
        """Pixels between the frame's edge and the farthest an object's centre may go."""
        return {"blob": 4 * self.sigma, "pixel": 0.0, "digit": (DIGIT_SIZE - 1) / 2}[self.render]

    @property
    def frame_values(self) -> int:
        """Float values one sequence of inputs and targets holds (bounds batch sizes)."""
        return (self.t_in + self.t_out) * self.height * self.width

    @property
    def target_steps(self) -> tuple[int, ...]:
        """Indices, in the whole sequence, of the target frames."""
        return tuple(self.t_in - 1 + a for a in self.ahead)

    def to_pixels(self, u: torch.Tensor, axis: int) -> torch.Tensor:
        """Normalised position -> pixel coordinate along ``axis`` (0 rows, 1 columns)."""
        size = self.height if axis == 0 else self.width
        return self.margin + u * (size - 1 - 2 * self.margin)

    def to_unit(self, p: torch.Tensor, axis: int) -> torch.Tensor:
        size = self.height if axis == 0 else self.width
        return (p - self.margin) / (size - 1 - 2 * self.margin)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ahead"], data["laws"] = list(self.ahead), list(self.laws)
        if isinstance(self.noise, tuple):
            data["noise"] = list(self.noise)
        data["emphasis"] = [list(e) for e in self.emphasis]
        return data


def _check_emphasis(emphasis: object, laws: tuple[str, ...]) -> tuple[tuple[str, int, float], ...]:
    """(law, dof, share) triples of laws in ``laws``, DOFs the law has, shares summing to at most 1."""
    example = "[['sinusoidal', 4, 0.3]]"
    if not isinstance(emphasis, list | tuple):
        raise ValueError(f"emphasis must be a list of (law, dof, share) such as {example}, got {emphasis!r}")
    out = []
    for item in emphasis:
        if not (isinstance(item, list | tuple) and len(item) == 3):
            raise ValueError(f"emphasis must be a list of (law, dof, share) such as {example}, got {emphasis!r}")
        law, dof, share = item
        if law not in laws:
            raise ValueError(f"emphasis law {law!r} is not among the laws drawn, {laws}")
        if isinstance(dof, bool) or not isinstance(dof, int) or not 1 <= dof <= MAX_DOF[law]:
            raise ValueError(f"emphasis dof for {law} must be a whole number between 1 and {MAX_DOF[law]}, got {dof!r}")
        if not _is_number(share) or not 0 < share <= 1:
            raise ValueError(f"emphasis share must be a number in (0, 1], got {share!r}")
        out.append((law, dof, float(share)))
    if sum(e[2] for e in out) > 1 + 1e-9:
        raise ValueError(f"emphasis shares must sum to at most 1, got {emphasis!r}")
    return tuple(out)


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _check_noise(noise: object) -> float | tuple[float, float]:
    """A standard deviation in [0, MAX_NOISE], or a range (min, max) of them (a list from JSON is a range)."""
    if isinstance(noise, list | tuple):
        if len(noise) == 2 and all(_is_number(v) for v in noise) and 0 <= noise[0] <= noise[1] <= MAX_NOISE:
            return (float(noise[0]), float(noise[1]))
        raise ValueError(f"noise as a range must be (min, max) with 0 <= min <= max <= {MAX_NOISE}, got {noise!r}")
    if not _is_number(noise) or not 0 <= noise <= MAX_NOISE:
        raise ValueError(
            f"noise must be a standard deviation between 0 and {MAX_NOISE}, or a range (min, max), got {noise!r}"
        )
    return noise


PRESETS = {
    "blob32": FrameSpec(),
    "thesis": FrameSpec(
        height=80, width=120, t_in=20, ahead=(10,), laws=("linear", "parabolic", "sinusoidal"), render="pixel"
    ),
    "digits": FrameSpec(height=64, width=64, laws=("bounce",), render="digit"),
}
OVERRIDABLE = ("laws", "dof", "noise", "clean_share", "emphasis", "objects")


def preset(name: str, **overrides) -> FrameSpec:
    """A named preset, optionally with its laws, dof, noise or number of objects changed (not its size)."""
    if name not in PRESETS:
        raise ValueError(f"unknown frames preset {name!r}; choose one of {sorted(PRESETS)}")
    unknown = sorted(set(overrides) - set(OVERRIDABLE))
    if unknown:
        raise ValueError(f"preset options {unknown} cannot be changed; these can: {list(OVERRIDABLE)}")
    try:
        return replace(PRESETS[name], **overrides)
    except TypeError as exc:
        raise ValueError(f"bad preset options {overrides}: {exc}") from None


@dataclass
class Frames:
    """A generated batch. positions: [B, t_in + t_out, objects, 2] (row, col) in pixels of each returned
    frame, where the object is drawn (the rounded pixel for "pixel" rendering); laws: index into ``LAWS``
    [B]; dofs [B]; params: [B, objects, 4] the law's parameters in DOF order (NaN past the law's count)."""

    inputs: torch.Tensor
    targets: torch.Tensor
    positions: torch.Tensor
    laws: torch.Tensor
    dofs: torch.Tensor
    params: torch.Tensor
    spec: FrameSpec = field(repr=False)


def _uniform(n: int, low: float, high: float, gen: torch.Generator, device) -> torch.Tensor:
    return low + (high - low) * torch.rand(n, generator=gen, device=device, dtype=torch.float64)


def _draw_params(law: str, dofs: torch.Tensor, gen: torch.Generator, device) -> torch.Tensor:
    """[n, 4] parameters: the first ``dof`` of each row random, the rest the law's defaults, NaN padding."""
    n = len(dofs)
    out = torch.full((n, 4), math.nan, dtype=torch.float64, device=device)
    for i, (default, (low, high)) in enumerate(zip(DEFAULTS[law], RANGES[law], strict=True)):
        random = _uniform(n, low, high, gen, device)
        out[:, i] = torch.where(dofs > i, random, torch.full_like(random, default))
    return out


def _fold(z: torch.Tensor) -> torch.Tensor:
    """Reflect an unbounded coordinate into [0, 1] (a ball bouncing between walls at 0 and 1)."""
    z = torch.remainder(z, 2.0)
    return 1.0 - (1.0 - z).abs()


def law_path(law: str, params: torch.Tensor, length: int) -> torch.Tensor:
    """[n, 4] parameters -> [n, length, 2] normalised (y, x) for every frame of the sequence."""
    t = torch.arange(length, dtype=torch.float64, device=params.device) / (length - 1)
    p = [params[:, i : i + 1] for i in range(4)]
    if law == "bounce":
        angle, speed, col, row = p
        y = _fold(row + speed * torch.sin(angle) * t)
        x = _fold(col + speed * torch.cos(angle) * t)
        return torch.stack([y, x], -1)
    x = (X_START + (X_END - X_START) * t).expand(len(params), length)
    s = x - 0.5
    if law == "linear":
        y = 0.5 + p[1] + p[0] * s
    elif law == "parabolic":
        y = 0.5 + p[1] + p[2] * s + p[0] * s**2
    elif law == "sinusoidal":
        y = 0.5 + p[1] + p[2] * torch.sin(2 * math.pi * p[0] * s + p[3])
    else:
        raise ValueError(f"unknown law {law!r}; choose one of {LAWS}")
    return torch.stack([y, x], -1)


def _paths(spec: FrameSpec, n: int, gen: torch.Generator, device) -> tuple[torch.Tensor, ...]:
    """Laws, dofs, params and normalised paths [n, length, 2] of one object, redrawn until in frame."""
    law_index = torch.tensor([LAWS.index(law) for law in spec.laws], device=device)
    laws = law_index[torch.randint(len(spec.laws), (n,), generator=gen, device=device)]
    if spec.dof is None:
        most = torch.tensor([MAX_DOF[law] for law in LAWS], device=device)[laws]
        dofs = 1 + (torch.rand(n, generator=gen, device=device, dtype=torch.float64) * most).long()
        dofs = torch.minimum(dofs, most)
    else:
        dofs = torch.full((n,), spec.dof, device=device, dtype=torch.long)
    if spec.emphasis:  # drawn only when asked for: the other specs keep their seeds
        u = torch.rand(n, generator=gen, device=device, dtype=torch.float64)
        start = 0.0
        for law, dof, share in spec.emphasis:
            rows = (u >= start) & (u < start + share)
            laws = torch.where(rows, LAWS.index(law), laws)
            dofs = torch.where(rows, dof, dofs)
            start += share
    params = torch.zeros(n, 4, dtype=torch.float64, device=device)
    paths = torch.zeros(n, spec.length, 2, dtype=torch.float64, device=device)
    todo = torch.ones(n, dtype=torch.bool, device=device)
    for _ in range(MAX_REDRAWS):
        for law in spec.laws:
            fresh = _draw_params(law, dofs, gen, device)  # drawn for every row: the stream stays aligned
            rows = todo & (laws == LAWS.index(law))
            params = torch.where(rows[:, None], fresh, params)
            paths = torch.where(rows[:, None, None], law_path(law, fresh, spec.length), paths)
        todo = ((paths < 0) | (paths > 1)).flatten(1).any(1)
        if not bool(todo.any()):
            return laws, dofs, params, paths
    raise ValueError(f"could not draw in-frame paths for {spec} after {MAX_REDRAWS} redraws")


@lru_cache(maxsize=4)
def _digit_images(device: str) -> torch.Tensor:
    """scikit-learn's bundled 8x8 handwritten digits (1,797 of them, UCI), scaled to [0, 1]."""
    from sklearn.datasets import load_digits

    images = load_digits().images  # float64 [1797, 8, 8], values 0..16, read from the installed package
    return torch.as_tensor(images / 16.0, dtype=torch.float32, device=device)


def render(spec: FrameSpec, positions: torch.Tensor, digits: torch.Tensor | None = None) -> torch.Tensor:
    """[B, T, K, 2] pixel positions -> [B, T, H, W] float32 frames (objects combined by their maximum)."""
    b, t, k, _ = positions.shape
    device = positions.device
    rows = torch.arange(spec.height, device=device, dtype=torch.float32)
    cols = torch.arange(spec.width, device=device, dtype=torch.float32)
    pos = positions.float()
    if spec.render == "blob":
        gr = torch.exp(-((rows - pos[..., 0:1]) ** 2) / (2 * spec.sigma**2))  # [B, T, K, H]
        gc = torch.exp(-((cols - pos[..., 1:2]) ** 2) / (2 * spec.sigma**2))
        frames = gr[..., :, None] * gc[..., None, :]
    elif spec.render == "pixel":  # written straight into one frame per step: these batches are large
        r, c = pos[..., 0].round().long(), pos[..., 1].round().long()
        frames = torch.zeros(b, t, spec.height * spec.width, device=device)
        frames.scatter_(-1, r * spec.width + c, 1.0)
        return frames.view(b, t, spec.height, spec.width)
    else:
        if digits is None:
            raise ValueError("digit rendering needs the digit images of each sequence")
        # Sample each digit (zero outside) at every frame pixel: bilinear, so sub-pixel moves are smooth and
        # the intensity centroid moves exactly with the position.
        half = (DIGIT_SIZE - 1) / 2
        local_r = rows.view(1, 1, 1, -1, 1) - (pos[..., 0] - half)[..., None, None]  # [B, T, K, H, 1]
        local_c = cols.view(1, 1, 1, 1, -1) - (pos[..., 1] - half)[..., None, None]
        grid = torch.stack(
            [
                (2 * local_c + 1) / DIGIT_SIZE - 1 + 0 * local_r,
                (2 * local_r + 1) / DIGIT_SIZE - 1 + 0 * local_c,
            ],
            -1,
        )  # align_corners=False convention
        images = digits[:, None].expand(b, t, k, DIGIT_SIZE, DIGIT_SIZE).reshape(-1, 1, DIGIT_SIZE, DIGIT_SIZE)
        frames = F.grid_sample(
            images, grid.reshape(-1, spec.height, spec.width, 2), mode="bilinear", align_corners=False
        ).view(b, t, k, spec.height, spec.width)
    return frames[:, :, 0] if k == 1 else frames.amax(2)


def generate(spec: FrameSpec, n: int, seed: int, device: str | torch.device = "cpu") -> Frames:
    """``n`` sequences drawn from ``seed`` on ``device`` (the same seed gives the same batch on a device)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 65536:
        raise ValueError(f"n must be a whole number of sequences between 1 and 65536, got {n!r}")
    device = torch.device(device)
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed))
    laws, dofs, params, paths = [], [], [], []
    for _ in range(spec.objects):
        law, dof, param, path = _paths(spec, n, gen, device)
        laws.append(law), dofs.append(dof), params.append(param), paths.append(path)
    paths = torch.stack(paths, 2)  # [n, length, K, 2]
    pixels = torch.stack([spec.to_pixels(paths[..., 0], 0), spec.to_pixels(paths[..., 1], 1)], -1)
    if spec.render == "pixel":
        pixels = pixels.round()
    digits = None
    if spec.render == "digit":
        bank = _digit_images(str(device))
        digits = bank[torch.randint(len(bank), (n, spec.objects), generator=gen, device=device)]
    steps = torch.tensor([*range(spec.t_in), *spec.target_steps], device=device)
    pixels = pixels[:, steps]
    inputs, targets = render(spec, pixels[:, : spec.t_in], digits), render(spec, pixels[:, spec.t_in :], digits)
    if spec.noisy:
        low, high = spec.noise_range
        if isinstance(spec.noise, tuple) or spec.clean_share > 0:
            # Drawn only here, after everything a fixed level draws, so a fixed level keeps its seeds.
            level = low + (high - low) * torch.rand(n, generator=gen, device=device)
            clean = torch.rand(n, generator=gen, device=device) < spec.clean_share
            level = torch.where(clean, torch.zeros_like(level), level)[:, None, None, None]
        else:
            level = spec.noise
        noise = torch.randn(inputs.shape, generator=gen, device=device) * level
        inputs = (inputs + noise).clamp(0.0, 1.0)
    return Frames(
        inputs=inputs,
        targets=targets,
        positions=pixels.float(),
        laws=laws[0],
        dofs=dofs[0],
        params=torch.stack(params, 1).float(),
        spec=spec,
    )
