"""The contract every trainable model keeps, so training, evaluation and the UI need no switch."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn


class ForecastModel(nn.Module):
    """A torch module that forecasts ``horizon`` values from a ``[B, N]`` history.

    Subclasses set ``name`` (registry key) and ``fixed_lookback`` (True when the architecture only
    accepts the lookback it was built for), store every constructor argument in ``self.hparams`` (a
    JSON-serialisable dict, so ``type(m)(**m.hparams)`` rebuilds it), and implement:

    - ``loss(history, future, weights)``: the training objective on a batch, ``history [B, N]``,
      ``future [B, H]``, ``weights [H]`` (per-horizon-step loss weights that sum to 1). Teacher forcing,
      if the model uses it, lives here.
    - ``forward(history, horizon) -> [B, horizon]``: the honest forecast (no access to the future).
    """

    name: ClassVar[str] = ""
    fixed_lookback: ClassVar[bool] = False

    def __init__(self, lookback: int, horizon: int) -> None:
        super().__init__()
        self.lookback = int(lookback)
        self.horizon = int(horizon)
        self.hparams: dict = {"lookback": self.lookback, "horizon": self.horizon}

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError
