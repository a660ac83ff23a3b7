"""The frames domain as a training task (``core.training.tasks``): the one training loop runs it.

A run's ``config.data`` names the preset and may change what ``core.frames.data.preset`` lets change:
``{"preset": "blob32", "laws": ["linear", "bounce"], "dof": null, "noise": 0.0, "objects": 1}`` (``noise``
may be a range ``[min, max]`` drawn per sequence, with ``"clean_share"`` of the sequences left clean;
``"emphasis": [["sinusoidal", 4, 0.3]]`` draws that share of the sequences as one law and DOF). The
frame geometry comes from the preset only, and a batch may hold at most ``MAX_BATCH_VALUES`` floats, so a
typo cannot allocate gigabytes. ``config.model_options`` are the model's own options (``layers``,
``hidden``, ...); the geometry and the head ("softmax" for one-pixel presets, else "mse") are filled in.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from core.frames import data as frames_data
from core.frames.models import MODELS, FrameModel, parameter_count

MAX_BATCH_VALUES = 2**25  # 32M floats (128 MB) per training batch or validation set
MAX_PARAMETERS = 5_000_000
GEOMETRY = ("height", "width", "t_in", "ahead", "head")
# Model options that size the network, and their bounds.
OPTION_LIMITS = {
    "layers": (1, 3),
    "hidden": (1, 512),
    "kernel": (1, 7),
    "patch": (1, 16),
    "embed": (1, 1024),
    "coords": (0, 1),
}
VALIDATION_SEED = 10**9


def spec_from(data: object) -> frames_data.FrameSpec:
    """``config.data`` -> FrameSpec; every malformed field is a ValueError naming it."""
    if not isinstance(data, dict):
        raise ValueError(f"data must be a JSON object such as {{'preset': 'blob32'}}, got {data!r}")
    options = dict(data)
    name = options.pop("preset", None)
    if name is None:
        raise ValueError(f"data needs a 'preset', one of {sorted(frames_data.PRESETS)}")
    return frames_data.preset(name, **options)


def head_for(spec: frames_data.FrameSpec) -> str:
    """A distribution over positions for one-pixel objects (pixel losses are won by a blank frame)."""
    return "softmax" if spec.render == "pixel" else "mse"


def constructor_options(model: str) -> set[str]:
    params = inspect.signature(MODELS[model]).parameters
    return {k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - set(GEOMETRY)


def check_options(model: str, options: object, where: str = "model_options") -> dict:
    """Known options only, each a whole number within ``OPTION_LIMITS``."""
    if not isinstance(options, dict):
        raise ValueError(f"{where} must be a JSON object, got {options!r}")
    known = constructor_options(model)
    unknown = sorted(str(k) for k in options if k not in known)
    if unknown:
        raise ValueError(f"{where} has option(s) the {model!r} model does not take: {unknown} (known: {sorted(known)})")
    for key, value in options.items():
        low, high = OPTION_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{where} {key!r} must be a whole number between {low} and {high}, got {value!r}")
    return dict(options)


def build_model(model: str, options: dict, spec: frames_data.FrameSpec) -> FrameModel:
    net = MODELS[model](
        height=spec.height, width=spec.width, t_in=spec.t_in, ahead=list(spec.ahead), head=head_for(spec), **options
    )
    count = parameter_count(net)
    if count > MAX_PARAMETERS:
        raise ValueError(f"{model} with {options} has {count:,} weights; the limit is {MAX_PARAMETERS:,}")
    return net


class FramesTask:
    """Forecast the next frames of a moving object (``core.frames``)."""

    name = "frames"
    models = MODELS

    def check(self, config) -> None:
        if not isinstance(config.model, str) or config.model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)} for the frames task, got {config.model!r}")
        config.model_options = check_options(config.model, config.model_options)
        spec = spec_from(config.data)
        for field in ("batch_size", "val_size"):
            size = getattr(config, field, None)
            if size is not None and size * spec.frame_values > MAX_BATCH_VALUES:
                raise ValueError(
                    f"{field} {size:,} x {spec.frame_values:,} values per sequence exceeds {MAX_BATCH_VALUES:,} "
                    f"values ({MAX_BATCH_VALUES * 4 // 2**20} MB): at most {MAX_BATCH_VALUES // spec.frame_values:,}"
                )
        try:
            with torch.device("meta"):  # counts the weights without allocating them
                build_model(config.model, config.model_options, spec)
        except (TypeError, RuntimeError) as exc:
            raise ValueError(f"model_options {config.model_options} do not build a {config.model}: {exc}") from None

    def build(self, config) -> nn.Module:
        return build_model(config.model, config.model_options, spec_from(config.data))

    def batch(self, config, step: int, seed: int, device: torch.device) -> tuple:
        frames = frames_data.generate(spec_from(config.data), config.batch_size, seed=seed, device=device)
        return frames.inputs, frames.targets

    def validation(self, config, device: torch.device) -> tuple:
        """A fixed set from a seed no training step draws (steps use small derived seeds)."""
        size = getattr(config, "val_size", 256)
        frames = frames_data.generate(spec_from(config.data), size, seed=VALIDATION_SEED + config.seed, device=device)
        return frames.inputs, frames.targets

    @torch.no_grad()
    def score(self, model: nn.Module, inputs: torch.Tensor, target: torch.Tensor, chunk: int = 64) -> float:
        """MSE of the forecast frames; for a "softmax" model (one-pixel objects) the mean distance from the
        forecast's most likely pixel to the true one over the image diagonal."""
        was_training = model.training
        model.eval()
        total = 0.0
        for i in range(0, len(inputs), chunk):
            out, true = model(inputs[i : i + chunk]), target[i : i + chunk]
            if getattr(model, "head", "mse") == "softmax":
                total += float(_argmax_distance(out, true).sum())
            else:
                total += float(((out - true) ** 2).mean((1, 2, 3)).sum())
        model.train(was_training)
        return total / len(inputs)


def _argmax_distance(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """[B, T, H, W] twice -> [B] mean over frames of |argmax(prediction) - argmax(target)| / diagonal."""
    h, w = target.shape[-2:]
    p, t = prediction.flatten(2).argmax(-1), target.flatten(2).argmax(-1)
    dr, dc = (p // w - t // w).float(), (p % w - t % w).float()
    return (dr.hypot(dc) / (h**2 + w**2) ** 0.5).mean(1)


TASK = FramesTask()
