"""What the one training loop needs from a domain: the task interface.

The loop (``core.training.loop.train``) knows nothing about signals, frames or strokes. It asks the
run's task, named by ``TrainConfig.task``, for five things:

- ``check(config)``: refuse a malformed config with one ValueError naming the bad field, before
  anything is allocated (``config.model``, ``config.model_options`` and ``config.data`` are the task's);
- ``build(config) -> nn.Module``: a fresh model with ``hparams`` (a JSON dict, so
  ``type(m)(**m.hparams)`` rebuilds it) and ``loss(*batch) -> scalar tensor``;
- ``batch(config, step, seed, device) -> tuple``: the arguments of ``model.loss`` for one step, drawn
  on ``device`` from ``seed`` (a resumed run draws exactly the data the uninterrupted one would);
- ``validation(config, device) -> tuple``: a fixed, seeded held-out set;
- ``score(model, *validation) -> float``: the held-out error, lower is better (``best.pt`` keeps the
  lowest).

and optionally ``describe(config, step) -> dict``: extra fields for each logged record (the forecast
task adds its curriculum's component range).

Domains register here by module path and are imported on first use, so ``core.training`` does not
import every domain (and a domain may import ``core.training``).
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Protocol

import torch
from torch import nn

from core.models import MODELS, build
from core.signals import generate
from core.validation import check_model_options, check_model_size

# name -> "module:attribute" of the task object, imported on first use.
TASKS = {
    "forecast": "core.training.tasks:FORECAST",
    "frames": "core.frames.task:TASK",
    "autoencoder": "core.autoencoders.task:TASK",
}


class Task(Protocol):
    name: str
    models: dict

    def check(self, config) -> None: ...

    def build(self, config) -> nn.Module: ...

    def batch(self, config, step: int, seed: int, device: torch.device) -> tuple: ...

    def validation(self, config, device: torch.device) -> tuple: ...

    def score(self, model: nn.Module, *validation: torch.Tensor) -> float: ...


def get_task(name: str) -> Task:
    """The task object registered as ``name``; an unknown or unimportable task is one ValueError."""
    if not isinstance(name, str) or name not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}, got {name!r}")
    module, attribute = TASKS[name].split(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"the {name!r} task is not available here: {exc}") from None


@lru_cache(maxsize=32)
def loss_weights(kind: str, horizon: int, device: torch.device) -> torch.Tensor:
    """Per-horizon-step weights summing to 1: uniform ("mse") or 1/k ("inv_k"). Cached: built once
    per run, not copied to the device every step."""
    w = torch.ones(horizon) if kind == "mse" else 1.0 / torch.arange(1, horizon + 1, dtype=torch.float32)
    return (w / w.sum()).to(device)


@torch.no_grad()
def forecast_error(model: nn.Module, history: torch.Tensor, future: torch.Tensor, chunk: int = 1024) -> float:
    """MSE of the honest forecast (no teacher forcing) over ``future``'s horizon."""
    was_training = model.training
    model.eval()
    errors = [
        ((model(history[i : i + chunk], future.shape[1]) - future[i : i + chunk]) ** 2).sum()
        for i in range(0, len(history), chunk)
    ]
    model.train(was_training)
    return float(torch.stack(errors).sum()) / future.numel()


class ForecastTask:
    """1-D forecasting: a lookback of a generated signal in, its next ``horizon`` values out."""

    name = "forecast"
    models = MODELS

    def check(self, config) -> None:
        if not isinstance(config.model, str) or config.model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)}, got {config.model!r}")
        config.model_options = check_model_options("model option", config.model_options)
        check_model_size("model_options", config.model_options, config.lookback, config.horizon)
        if config.data:
            raise ValueError(f"the forecast task takes its data from 'signal', not 'data' (got {config.data!r})")

    def build(self, config) -> nn.Module:
        return build(config.model, lookback=config.lookback, horizon=config.horizon, **config.model_options)

    def batch(self, config, step: int, seed: int, device: torch.device) -> tuple:
        # Every random draw on the training device: no host work per step (on a CPU the same signals as
        # draws on the CPU; on a GPU its own, reproducible there). The validation set stays CPU-drawn, so
        # runs on different devices are scored on the same signals.
        spec, draws = config.spec_at(step), {"seed": seed, "device": device, "draw_on": "device"}
        if config.clean_target:  # the same signals before their noise, drawn in the same call
            signals, target = generate(spec, config.batch_size, return_clean=True, **draws)
        else:
            signals = target = generate(spec, config.batch_size, **draws)
        weights = loss_weights(config.loss, config.horizon, device)
        return signals[:, : config.lookback], target[:, config.lookback :], weights

    def validation(self, config, device: torch.device) -> tuple:
        signals = generate(config.signal_spec(), config.val_size, seed=10**9 + config.seed, device=device)
        return signals[:, : config.lookback], signals[:, config.lookback :]

    def score(self, model: nn.Module, history: torch.Tensor, future: torch.Tensor) -> float:
        return forecast_error(model, history, future)

    def describe(self, config, step: int) -> dict:
        return {"components": list(config.spec_at(step).components)}


FORECAST = ForecastTask()
