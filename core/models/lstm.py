"""Next-step LSTM (1 -> hidden -> 1): trained with teacher forcing, forecasts by feeding itself.

The lesson it carries (README lessons 5): fed the true past at every step (``teacher_forced``) it looks
excellent; fed its own outputs (``forward``, the honest forecast) its errors compound. With ``rollout=1``
(the shipped checkpoint's setting) training also scores that honest forecast over the horizon (lesson 6): its errors
still compound, most past the steps it was trained for, but no longer on a trend it was taught to
extrapolate (the teacher-forced loss alone barely sees a slope; see ``loss``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from core.models import register
from core.models.base import ForecastModel, denormalise, normalise, weighted_mse


@register
class LSTMModel(ForecastModel):
    name = "lstm"
    fixed_lookback = False

    def __init__(
        self, lookback: int = 100, horizon: int = 10, hidden: int = 64, layers: int = 1, rollout: int = 0
    ) -> None:
        super().__init__(lookback, horizon)
        self.hparams.update(hidden=hidden, layers=layers)
        if rollout:  # stored only when used, so older checkpoints rebuild unchanged
            self.hparams["rollout"] = 1
        self.rollout = bool(rollout)
        self.lstm = nn.LSTM(1, hidden, layers, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def _steps(self, z: torch.Tensor, state=None):
        out, state = self.lstm(z.unsqueeze(-1), state)  # [B, T] -> [B, T, hidden]
        return self.head(out).squeeze(-1), state  # -> [B, T]: prediction of the next value at each t

    def loss(self, history: torch.Tensor, future: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        # Teacher forcing over the whole series: every step predicts the next true value from the
        # true past. ``weights`` (over the horizon) apply only to the rollout term.
        z, mean, scale = normalise(history)
        target = (future - mean) / scale
        seen, state = self._steps(z)  # the LSTM is causal: its state after the lookback serves both terms
        predicted = seen  # then fed the true future too (an RNN refuses a sequence of length 0)
        if target.shape[1] > 1:
            predicted = torch.cat([seen, self._steps(target[:, :-1], state)[0]], 1)
        teacher = F.mse_loss(predicted, torch.cat([z[:, 1:], target], 1))
        if not self.rollout:
            return teacher
        # rollout=1: also the honest forecast, fed its own outputs, scored over the horizon (weighted as
        # the other models are). A next-step loss barely sees a slope (0.02 per step on a normalised ramp
        # is 4e-4 of squared error a step, under the noise); ten steps of missing it cost naive's 0.015.
        return teacher + weighted_mse(self._rollout(target.shape[1], seen, state), target, weights)

    def _rollout(self, horizon: int, prediction: torch.Tensor, state) -> torch.Tensor:
        """Feed the LSTM its own outputs from ``state`` (after the lookback, whose ``prediction`` ends
        with the first forecast): [B, horizon]."""
        value = prediction[:, -1:]  # [B, 1]
        values = [value]
        for _ in range(horizon - 1):
            value, state = self._steps(value, state)
            values.append(value)
        return torch.cat(values, 1)

    def forward(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        """Autoregressive rollout carrying the LSTM state: O(N + H) steps, not O(N * H)."""
        z, mean, scale = normalise(history)
        return denormalise(self._rollout(horizon, *self._steps(z)), mean, scale)

    def forward_recompute(self, history: torch.Tensor, horizon: int) -> torch.Tensor:
        """The same rollout the original study's way: re-run the whole sequence for every step.

        Kept for the benchmark and the test that proves the carried-state rollout is identical.
        """
        z, mean, scale = normalise(history)
        series = z
        for _ in range(horizon):
            prediction, _ = self._steps(series)
            series = torch.cat([series, prediction[:, -1:]], 1)
        return denormalise(series[:, -horizon:], mean, scale)

    def teacher_forced(self, history: torch.Tensor, future: torch.Tensor) -> torch.Tensor:
        """One-step-ahead predictions of ``future`` when fed the TRUE past at every step (flattering)."""
        z, mean, scale = normalise(history)
        series = torch.cat([z, (future - mean) / scale], 1)
        prediction, _ = self._steps(series[:, :-1])
        return denormalise(prediction[:, history.shape[1] - 1 :], mean, scale)
