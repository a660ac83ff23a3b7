"""Trainable forecasting models: torch modules behind one contract (``ForecastModel``), by name.

A model is rebuilt from ``(name, hparams)`` alone, which is what a checkpoint stores next to its
weights: ``build(ckpt["model"], **ckpt["hparams"])``.
"""

from __future__ import annotations

from core.models.base import ForecastModel

MODELS: dict[str, type[ForecastModel]] = {}


def register(cls: type[ForecastModel]) -> type[ForecastModel]:
    """Class decorator: make a model buildable by its ``name``."""
    MODELS[cls.name] = cls
    return cls


def build(name: str, **hparams) -> ForecastModel:
    """A fresh model of family ``name`` (see ``MODELS``) with the given hyperparameters."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(sorted(MODELS))}")
    return MODELS[name](**hparams)


# Importing the families registers them (after ``register`` exists).
from core.models import fft_gru, linear_net, lstm, seq2seq  # noqa: E402, F401

__all__ = ["MODELS", "ForecastModel", "build", "register"]
