"""GRU sequence-to-sequence with FFT features, trained for the whole horizon (README lessons 6).

Encoder: a GRU reads the lookback; its final state is concatenated with the lookback's rfft amplitudes
and phases and mapped to the decoder's initial state. Decoder: a GRU fed the previous value (the true
one in training: teacher forcing; its own at inference), one output per horizon step.
"""

from __future__ import annotations

import torch
from torch import nn

from core.models import register
from core.models.base import (
    ForecastModel,
    denormalise,
    normalise,
    spectrum_feature_size,
    spectrum_features,
    weighted_mse,
)


@register
class Seq2Seq(ForecastModel):
    name = "seq2seq"
    fixed_lookback = True  # the rfft feature size is tied to the lookback

    def __init__(self, lookback: int = 100, horizon: int = 10, hidden: int = 128) -> None:
        super().__init__(lookback, horizon)
        self.hparams.update(hidden=hidden)
        self.encoder = nn.GRU(1, hidden, batch_first=True)
        self.bridge = nn.Sequential(nn.Linear(hidden + spectrum_feature_size(lookback), hidden), nn.Tanh())
        self.decoder = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def _initial_state(self, z: torch.Tensor) -> torch.Tensor:
        _, encoded = self.encoder(z.unsqueeze(-1))  # [B, N] -> [1, B, hidden]
        features = torch.cat([encoded[-1], spectrum_features(z)], 1)  # [B, hidden + 3*(N//2+1)]
        return self.bridge(features).unsqueeze(0)  # -> [1, B, hidden]

    def _decode_teacher_forced(self, z: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        inputs = torch.cat([z[:, -1:], target[:, :-1]], 1)  # teacher forcing: the true previous value
        out, _ = self.decoder(inputs.unsqueeze(-1), self._initial_state(z))  # [B, H, hidden]
        return self.head(out).squeeze(-1)

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        z, mean, scale = normalise(history)
        target = (future - mean) / scale
        return weighted_mse(self._decode_teacher_forced(z, target), target, weights)

    def teacher_forced(self, history: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        """The decoder fed the TRUE previous value at every step, as in training: [B, H]."""
        z, mean, scale = normalise(history)
        return denormalise(self._decode_teacher_forced(z, (future - mean) / scale), mean, scale)

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        z, mean, scale = normalise(history)
        state = self._initial_state(z)
        value = z[:, -1:]  # [B, 1]
        values = []
        for _ in range(horizon):
            out, state = self.decoder(value.unsqueeze(-1), state)
            value = self.head(out[:, -1])
            values.append(value)
        return denormalise(torch.cat(values, 1), mean, scale)
