"""One learned linear layer, lookback -> horizon: the "a linear layer is a strong baseline" result."""

from __future__ import annotations

import torch
from torch import nn

from core.models import register
from core.models.base import ForecastModel, denormalise, normalise, weighted_mse


@register
class LinearNet(ForecastModel):
    name = "linear_net"
    fixed_lookback = True

    def __init__(self, lookback: int = 100, horizon: int = 10) -> None:
        super().__init__(lookback, horizon)
        self.linear = nn.Linear(lookback, horizon)

    def _block(self, z: torch.Tensor) -> torch.Tensor:
        return self.linear(z[:, -self.lookback :])  # [B, N] -> [B, H]

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        z, mean, scale = normalise(history)
        return weighted_mse(self._block(z), (future - mean) / scale, weights)

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        z, mean, scale = normalise(history)
        # Past its trained horizon it forecasts block by block, feeding its own output back.
        blocks, total = [], 0
        while total < horizon:
            block = self._block(z)
            blocks.append(block)
            z = torch.cat([z, block], 1)
            total += block.shape[1]
        return denormalise(torch.cat(blocks, 1)[:, :horizon], mean, scale)
