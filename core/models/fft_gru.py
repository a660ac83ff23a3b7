"""FFT features -> MLP -> GRU decoder that feeds itself: the study's model that reached ~45 components.

An MLP reads [lookback, rfft amplitudes, rfft phases] and gives the decoder's initial state; the GRU
decoder then rolls out over the horizon on its own outputs, in training as at inference (no teacher
forcing), so it learns to live with its own errors. Each step predicts the change from the previous
value (a residual step), which is easier to learn than the value itself. Trained with a loss weighted
1/k over the horizon step k (see core.training) so early steps, which later ones build on, count more.

guide_order > 0 makes it a hybrid: a cheap linear-prediction forecast of that order (``linear_guide``)
is given to the MLP and to every decoder step, and each step predicts the correction to it instead of
the change from the previous value. Classical and learned together, as the M4 competition's winner
(exponential smoothing + an RNN) did: the recurrence carries the harmonics, the network learns where it
is fooled by noise, trends and changing amplitudes.
"""

from __future__ import annotations

import torch
from torch import nn

from core.models import register
from core.models.base import (
    ForecastModel,
    denormalise,
    linear_guide,
    normalise,
    spectrum_feature_size,
    spectrum_features,
    weighted_mse,
)


@register
class FFTGRU(ForecastModel):
    name = "fft_gru"
    fixed_lookback = True

    def __init__(
        self, lookback: int = 100, horizon: int = 10, hidden: int = 256, mlp: int = 512, guide_order: int = 0
    ) -> None:
        super().__init__(lookback, horizon)
        if not 0 <= guide_order <= lookback // 3:
            raise ValueError(f"guide_order must be between 0 (off) and {lookback // 3}, got {guide_order}")
        self.hparams.update(hidden=hidden, mlp=mlp)
        if guide_order:  # stored only when used, so older checkpoints rebuild unchanged
            self.hparams["guide_order"] = guide_order
        self.guide_order = guide_order
        self.mlp = nn.Sequential(
            nn.Linear(lookback + spectrum_feature_size(lookback) + (horizon if guide_order else 0), mlp),
            nn.GELU(),
            nn.Linear(mlp, hidden),
            nn.Tanh(),
        )
        self.cell = nn.GRUCell(2 if guide_order else 1, hidden)
        self.head = nn.Linear(hidden, 1)

    def _rollout(self, z: torch.Tensor, horizon: int) -> torch.Tensor:
        if not self.guide_order:
            state = self.mlp(torch.cat([z, spectrum_features(z)], 1))  # [B, N + 3*(N//2+1)] -> [B, hidden]
            value = z[:, -1:]  # [B, 1]
            values = []
            for _ in range(horizon):
                state = self.cell(value, state)
                value = value + self.head(state)
                values.append(value)
            return torch.cat(values, 1)  # [B, horizon]; stacked once, no per-step writes
        guide = linear_guide(z, max(horizon, self.horizon), self.guide_order)  # [B, >= horizon]
        state = self.mlp(torch.cat([z, spectrum_features(z), guide[:, : self.horizon]], 1))
        value = z[:, -1:]
        values = []
        for k in range(horizon):
            state = self.cell(torch.cat([value, guide[:, k : k + 1]], 1), state)
            value = guide[:, k : k + 1] + self.head(state)
            values.append(value)
        return torch.cat(values, 1)

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        z, mean, scale = normalise(history)
        return weighted_mse(self._rollout(z, future.shape[1]), (future - mean) / scale, weights)

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        z, mean, scale = normalise(history)
        return denormalise(self._rollout(z, horizon), mean, scale)
