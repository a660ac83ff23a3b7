"""FFT features -> MLP -> GRU decoder that feeds itself: the study's model that reached ~45 components.

An MLP reads [lookback, rfft amplitudes, rfft phases] and gives the decoder's initial state; the GRU
decoder then rolls out over the horizon on its own outputs, in training as at inference (no teacher
forcing), so it learns to live with its own errors. Each step predicts the change from the previous
value (a residual step), which is easier to learn than the value itself. Trained with a loss weighted
1/k over the horizon step k (see core.training) so early steps, which later ones build on, count more.
"""

from __future__ import annotations

import torch
from torch import nn

from core.models import register
from core.models.base import ForecastModel, normalise, spectrum_feature_size, spectrum_features, weighted_mse


@register
class FFTGRU(ForecastModel):
    name = "fft_gru"
    fixed_lookback = True

    def __init__(self, lookback: int = 100, horizon: int = 10, hidden: int = 256, mlp: int = 512) -> None:
        super().__init__(lookback, horizon)
        self.hparams.update(hidden=hidden, mlp=mlp)
        self.mlp = nn.Sequential(
            nn.Linear(lookback + spectrum_feature_size(lookback), mlp),
            nn.GELU(),
            nn.Linear(mlp, hidden),
            nn.Tanh(),
        )
        self.cell = nn.GRUCell(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def _rollout(self, z: torch.Tensor, horizon: int) -> torch.Tensor:
        state = self.mlp(torch.cat([z, spectrum_features(z)], 1))  # [B, N + 3*(N//2+1)] -> [B, hidden]
        value = z[:, -1:]  # [B, 1]
        values = []
        for _ in range(horizon):
            state = self.cell(value, state)
            value = value + self.head(state)
            values.append(value)
        return torch.cat(values, 1)  # [B, horizon]; stacked once, no per-step writes

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        z, mean, scale = normalise(history)
        return weighted_mse(self._rollout(z, future.shape[1]), (future - mean) / scale, weights)

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        z, mean, scale = normalise(history)
        return self._rollout(z, horizon) * scale + mean
