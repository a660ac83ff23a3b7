"""The autoencoder task for the project's one training loop (``core.training.tasks``).

A config names the model (``config.model``, one of ``MODELS``), its size (``config.model_options``:
``k``, ``hidden``, and ``layers`` for the MLP) and the data (``config.data``):

    {"kind": "signals", "length": 100, "suite": "easy"}
    {"kind": "strokes", "length": 100, "harmonics": 12, "warp": 0.5}

The window length and the channel count come from the data, never from the model options, so a model
cannot be built for data it will not see. Batches are drawn fresh per step from the step's seed: a run
never sees the same window twice, and its held-out set (seed ``10**9 + config.seed``) none of them.
"""

from __future__ import annotations

import inspect

import torch
from torch import nn

from core.autoencoders import data as datasets
from core.autoencoders.models import MODELS, build, check_hparams
from core.validation import MAX_VALUES, check_int, check_memory, check_number

__all__ = ["TASK", "AutoencoderTask", "DATA_DEFAULTS", "check_data", "make_data"]

DATA_DEFAULTS = {
    "signals": {"kind": "signals", "length": 100, "suite": "easy"},
    "strokes": {"kind": "strokes", "length": 100, "harmonics": datasets.STROKE_HARMONICS, "warp": 0.5},
}
VALIDATION_SEED = 10**9


def check_data(data: object) -> dict:
    """``config.data`` with defaults filled in, or ValueError naming the bad field."""
    if not isinstance(data, dict):
        raise ValueError(f"data must be a JSON object such as {DATA_DEFAULTS['signals']}, got {data!r}")
    kind = data.get("kind")
    if kind not in datasets.KINDS:
        raise ValueError(f"data 'kind' must be one of {list(datasets.KINDS)}, got {kind!r}")
    full = {**DATA_DEFAULTS[kind], **data}
    unknown = sorted(set(full) - set(DATA_DEFAULTS[kind]))
    if unknown:
        raise ValueError(f"data for {kind} takes no {unknown} (known: {sorted(DATA_DEFAULTS[kind])})")
    full["length"] = check_int("data 'length'", full["length"], 4, 4096)
    if kind == "signals" and full["suite"] not in datasets.SUITES:
        raise ValueError(f"data 'suite' must be one of {list(datasets.SUITES)}, got {full['suite']!r}")
    if kind == "strokes":
        full["harmonics"] = check_int("data 'harmonics'", full["harmonics"], 1, 64)
        full["warp"] = check_number("data 'warp'", full["warp"], 0.0, 0.95)
    return full


def channels(data: dict) -> int:
    return 1 if data["kind"] == "signals" else 2


def make_data(data: dict, n: int, seed: int, device: torch.device | str | None = None) -> torch.Tensor:
    """``n`` windows of the (checked) data spec: [n, T] signals or [n, T, 2] strokes, on ``device``."""
    if data["kind"] == "signals":
        return datasets.signals(n, seed, data["length"], data["suite"], device=device)
    return datasets.strokes(n, seed, data["length"], data["harmonics"], data["warp"], device=device)


class AutoencoderTask:
    """Reconstruction: a window in, the same window out through a k-number bottleneck."""

    name = "autoencoder"
    models = MODELS

    def check(self, config) -> None:
        if not isinstance(config.model, str) or config.model not in MODELS:
            raise ValueError(f"model must be one of {list(MODELS)} for the autoencoder task, got {config.model!r}")
        config.data = check_data(config.data)
        options = config.model_options
        if not isinstance(options, dict):
            raise ValueError(f"model_options must be a JSON object such as {{'k': 16}}, got {options!r}")
        fixed = sorted({"length", "channels"} & set(options))
        if fixed:
            raise ValueError(f"model_options {fixed}: set by data ('length', 'kind'), not by the model")
        known = set(inspect.signature(MODELS[config.model]).parameters) - {"length", "channels"}
        unknown = sorted(str(key) for key in options if key not in known)
        if unknown:
            raise ValueError(f"model_options {unknown}: the {config.model!r} autoencoder takes {sorted(known)}")
        check_hparams(config.model, self._hparams(config), "model_options")
        window = config.data["length"] * channels(config.data)
        check_memory("a batch (batch_size x length x channels)", config.batch_size * window, MAX_VALUES)
        check_memory("the validation set (val_size x length x channels)", config.val_size * window, MAX_VALUES)

    @staticmethod
    def _hparams(config) -> dict:
        return {**config.model_options, "length": config.data["length"], "channels": channels(config.data)}

    def build(self, config) -> nn.Module:
        return build(config.model, **self._hparams(config))

    def batch(self, config, step: int, seed: int, device: torch.device) -> tuple[torch.Tensor]:
        return (make_data(config.data, config.batch_size, seed, device),)

    def validation(self, config, device: torch.device) -> tuple[torch.Tensor]:
        return (make_data(config.data, config.val_size, VALIDATION_SEED + config.seed, device),)

    @torch.no_grad()
    def score(self, model: nn.Module, x: torch.Tensor, chunk: int = 1024) -> float:
        """Held-out reconstruction MSE (every sample and channel weighs the same)."""
        was_training = model.training
        model.eval()
        total = sum(float(((model(part) - part) ** 2).sum()) for part in torch.split(x, chunk))
        model.train(was_training)
        return total / x.numel()


TASK = AutoencoderTask()
