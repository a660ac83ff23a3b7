"""Frames: forecast the next video frames of a moving object (README lesson 11).

    >>> from core import frames
    >>> frames.available()                              # shipped networks, then the training-free baselines
    >>> f = frames.load("blob32-convlstm2")             # or frames.load("physics", preset="thesis")
    >>> f.predict(inputs)                               # [B, t_in, H, W] in [0, 1] -> np.ndarray [B, t_out, H, W]

Data (``core.frames.data``), the networks (``models``), baselines (``baselines``), metrics (``metrics``),
the training task (``task``) and ``python -m core.frames.evaluate`` live in this package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.checkpoints import read_checkpoint
from core.frames import baselines
from core.frames.data import PRESETS, FrameSpec, preset
from core.frames.models import MODELS
from core.frames.task import GEOMETRY, check_options, head_for, spec_from
from core.runtime import PRETRAINED

FRAMES_PRETRAINED = PRETRAINED / "frames"
# The shipped networks: name -> (model, preset). Their folders are checkpoints/pretrained/frames/<name>/.
SHIPPED = {
    "blob32-convlstm1": ("convlstm", "blob32"),
    "blob32-convlstm2": ("convlstm", "blob32"),
    "blob32-convlstm3": ("convlstm", "blob32"),
    "blob32-cnn_lstm": ("cnn_lstm", "blob32"),
    "blob32-fc_lstm": ("fc_lstm", "blob32"),
    "thesis-coord_lstm": ("coord_lstm", "thesis"),
    "thesis-convlstm": ("convlstm", "thesis"),
}
LABELS = {
    "blank": "Blank frame",
    "persistence": "Last frame again",
    "constant_velocity": "Constant velocity (centroid)",
    "flow": "Optical flow nowcast (phase correlation)",
    "physics": "Physics fit of the path",
    "convlstm": "ConvLSTM",
    "cnn_lstm": "CNN -> LSTM -> image decoder",
    "fc_lstm": "FC-LSTM (flattened frames)",
    "coord_lstm": "Coordinate-aware LSTM",
}
ALLOWED_DTYPES = (np.float16, np.float32, np.float64)


def available(preset_name: str | None = None) -> list[str]:
    """Names ``load`` accepts: the shipped networks (for ``preset_name`` only, if given) that are present,
    then the baselines (which work on any preset)."""
    shipped = [
        name
        for name, (_, where) in SHIPPED.items()
        if (preset_name is None or where == preset_name) and (FRAMES_PRETRAINED / name / "best.pt").is_file()
    ]
    return [*shipped, *baselines.BASELINES]


def _as_float_array(frames: object) -> np.ndarray:
    """numpy or torch, float16/32/64 only: an int or bool array is probably not intensities in [0, 1]."""
    if isinstance(frames, torch.Tensor):
        if frames.is_complex() or not frames.is_floating_point() or frames.dtype == torch.bfloat16:
            raise ValueError(f"frames must be float16, float32 or float64 intensities in [0, 1], got {frames.dtype}")
        return frames.detach().cpu().numpy()
    if isinstance(frames, np.ndarray):
        if frames.dtype.type not in ALLOWED_DTYPES:
            raise ValueError(f"frames must be float16, float32 or float64 intensities in [0, 1], got {frames.dtype}")
        return frames
    raise ValueError(f"frames must be a numpy array or torch tensor [B, t_in, H, W], got {type(frames).__name__}")


class FramePredictor:
    """Forecasts frames for one preset's geometry; ``predict`` is the whole public surface.

    name: what ``load`` was given; spec: the preset (frame size, frames in, steps ahead); trained: a network.
    """

    def __init__(self, name: str, spec: FrameSpec, model: torch.nn.Module | None = None, payload: dict | None = None):
        self.name, self.spec, self.model, self.payload = name, spec, model, payload or {}
        self.trained = model is not None

    @property
    def label(self) -> str:
        kind = SHIPPED[self.name][0] if self.name in SHIPPED else self.name
        return LABELS.get(kind, self.name)

    def check(self, frames: object) -> torch.Tensor:
        """Validated float64 tensor, or a ValueError saying what was expected."""
        array = _as_float_array(frames)
        s = self.spec
        expected = f"[B, {s.t_in}, {s.height}, {s.width}]"
        if array.ndim != 4:
            raise ValueError(f"frames must be {expected} (batch, frames, rows, columns), got shape {array.shape}")
        if array.shape[0] == 0:
            raise ValueError(f"frames is empty: give at least one sequence {expected}")
        if tuple(array.shape[1:]) != (s.t_in, s.height, s.width):
            raise ValueError(f"{self.name} takes {expected} frames, got shape {array.shape}")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError("frames contain NaN or infinite values")
        if array.min() < 0 or array.max() > 1:
            raise ValueError(
                f"frames must be intensities in [0, 1], got values from {array.min():g} to {array.max():g}"
            )
        return torch.from_numpy(array)

    @torch.inference_mode()
    def predict(self, frames: object, chunk: int = 256) -> np.ndarray:
        """[B, t_in, H, W] in [0, 1] -> [B, t_out, H, W] float32 in [0, 1]."""
        x = self.check(frames)
        out = []
        for i in range(0, len(x), chunk):
            part = x[i : i + chunk]
            if self.model is None:
                y = baselines.FUNCTIONS[self.name](part, self.spec)
            else:
                y = self.model(part.float())
            out.append(torch.nan_to_num(y.float(), nan=0.0).clamp(0.0, 1.0).numpy())
        return np.concatenate(out).astype(np.float32)


def _check_hparams(model: str, hparams: object, where: str) -> dict:
    """Known keys, the geometry of a preset, sizes within bounds: checked before anything is built."""
    if not isinstance(hparams, dict):
        raise ValueError(f"{where} has no hyperparameter dict")
    geometry = {k: hparams[k] for k in GEOMETRY if k in hparams}
    missing = [k for k in GEOMETRY if k not in geometry]
    if missing:
        raise ValueError(f"{where} lacks the geometry {missing}")
    check_options(model, {k: v for k, v in hparams.items() if k not in GEOMETRY}, f"{where} hyperparameters")
    return dict(hparams)


def _spec_of(payload: dict, model: str, hparams: dict, where: str) -> FrameSpec:
    """The preset the checkpoint was trained on (its config's data), which must match its geometry."""
    config = payload.get("config") if isinstance(payload.get("config"), dict) else {}
    spec = spec_from(config.get("data", {}))
    if [spec.height, spec.width, spec.t_in, list(spec.ahead), head_for(spec)] != [
        hparams["height"],
        hparams["width"],
        hparams["t_in"],
        hparams["ahead"],
        hparams["head"],
    ]:
        raise ValueError(f"{where} has a geometry that does not match its preset {config.get('data')}")
    return spec


def load_checkpoint(path: Path | str, name: str | None = None) -> FramePredictor:
    """A frames network from a ``best.pt`` (a shipped one or a run's); every problem is one ValueError."""
    path = Path(path)
    payload = read_checkpoint(path)
    where = f"checkpoint {path}"
    model, hparams, state = payload["model"], payload["hparams"], payload["model_state"]
    if not isinstance(model, str) or model not in MODELS:
        raise ValueError(f"{where} holds an unknown frames model {model!r}; known: {sorted(MODELS)}")
    hparams = _check_hparams(model, hparams, where)
    spec = _spec_of(payload, model, hparams, where)
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f"{where} has no usable weights (model_state must map names to tensors)")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise ValueError(f"{where} has NaN or infinite weights")
    try:
        net = MODELS[model](**hparams)
        net.load_state_dict(state)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"{where} does not fit the {model!r} architecture: {exc}") from None
    return FramePredictor(name or model, spec, net.eval(), payload)


def load(name: str, preset_name: str | None = None) -> FramePredictor:
    """A shipped network by name, or a baseline for ``preset_name`` (default "blob32")."""
    if name in baselines.BASELINES:
        return FramePredictor(name, preset(preset_name or "blob32"))
    if name in SHIPPED:
        if preset_name is not None and preset_name != SHIPPED[name][1]:
            raise ValueError(f"{name} was trained on the {SHIPPED[name][1]!r} preset, not {preset_name!r}")
        path = FRAMES_PRETRAINED / name / "best.pt"
        if not path.is_file():
            raise ValueError(f"no shipped {name!r} checkpoint at {path}")
        predictor = load_checkpoint(path, name)
        if predictor.payload.get("model") != SHIPPED[name][0]:
            raise ValueError(f"{path} holds a {predictor.payload.get('model')!r} model, not {SHIPPED[name][0]!r}")
        return predictor
    raise ValueError(f"unknown frames model {name!r}; choose one of {', '.join(available())}")


@dataclass(frozen=True)
class Recipe:
    """How a shipped network is trained from scratch: ``config`` (a ``TrainConfig`` with no ``init_from``)
    and the wall time that took when it was measured (``seconds``; ``where`` says on what). ``staged``: the
    shipped weights are not this run's but a longer chain of fine-tunes (``finetuned_from.json``)."""

    name: str
    config: object  # core.training.TrainConfig (imported on use: core.training imports this package)
    seconds: float
    where: str
    staged: bool = False


def recipe(name: str) -> Recipe:
    """The from-scratch recipe of the shipped network ``name``, with the wall time it took.

    A network trained in one run has its ``config.json`` as its recipe, timed by its ``metrics.jsonl``.
    One fine-tuned further in stages (``finetuned_from.json``) has a ``recipe.json`` beside it: a single run
    from scratch, a plain config (``python -m core.training --config .../recipe.json`` runs it), timed in
    ``finetuned_from.json``'s ``recipe`` entry. The shipped weights are then the longer chain's.
    """
    from core.training.config import TrainConfig

    if name not in SHIPPED:
        raise ValueError(f"{name!r} is not a shipped frames network; choose one of {', '.join(SHIPPED)}")
    folder = FRAMES_PRETRAINED / name
    if (folder / "finetuned_from.json").is_file():
        if not (folder / "recipe.json").is_file():
            raise ValueError(f"{name} was fine-tuned in stages and has no single-run recipe.json")
        config = TrainConfig.load(folder / "recipe.json")
        timing = json.loads((folder / "finetuned_from.json").read_text())["recipe"]
        seconds, where = float(timing["seconds"]), str(timing["where"])
    else:
        config = TrainConfig.load(folder / "config.json")
        times = [json.loads(line)["time"] for line in (folder / "metrics.jsonl").read_text().splitlines() if line]
        seconds, where = times[-1] - times[0], "one torch thread of a 2-core CPU: the shipped run's own log"
    if config.init_from:
        raise ValueError(f"the recipe of {name} starts from other weights ({config.init_from}), not from scratch")
    return Recipe(name, config, seconds, where, staged=(folder / "finetuned_from.json").is_file())


__all__ = ["PRESETS", "FramePredictor", "Recipe", "available", "load", "load_checkpoint", "recipe"]
