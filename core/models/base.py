"""The contract every trainable model keeps, so training, evaluation and the UI need no switch."""

from __future__ import annotations

from typing import ClassVar

import torch
from torch import nn

from core.linear_prediction import BOUND, inverse_square_weights


def normalise(history: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Centre each history on its mean and scale its peak to 1: -> (z, mean [B, 1], scale [B, 1]).

    Every model sees its input this way, in training and in prediction alike, so a forecast is
    unchanged by shifting or scaling the series (a real series in its own units works like the
    peak-normalised training signals).
    """
    mean = history.mean(1, keepdim=True)
    scale = (history - mean).abs().amax(1, keepdim=True).clamp_min(torch.finfo(history.dtype).tiny)
    return (history - mean) / scale, mean, scale


def denormalise(z: torch.Tensor, mean: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Back to the caller's units, bounded: NaN -> the lookback's mean, anything else within +-BOUND.

    An untrained or out-of-distribution network can be wrong, but never off to infinity.
    """
    return torch.nan_to_num(z, nan=0.0).clamp(-BOUND, BOUND) * scale + mean


def weighted_mse(prediction: torch.Tensor, target: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of the per-horizon-step squared errors weighted by ``weights [H]`` (sum 1)."""
    return ((prediction - target) ** 2 * weights).sum(1).mean()


class ForecastModel(nn.Module):
    """A torch module that forecasts ``horizon`` values from a ``[B, N]`` history.

    Subclasses set ``name`` (registry key) and ``fixed_lookback`` (True when the architecture only
    accepts the lookback it was built for), store every constructor argument in ``self.hparams`` (a
    JSON-serialisable dict, so ``type(m)(**m.hparams)`` rebuilds it), and implement:

    - ``loss(history, future, weights)``: the training objective on a batch, ``history [B, N]``,
      ``future [B, H]``, ``weights [H]`` (per-horizon-step loss weights that sum to 1). Teacher forcing,
      if the model uses it, lives here.
    - ``forward(history, horizon) -> [B, horizon]``: the honest forecast (no access to the future).

    Both see the series through ``normalise`` and answer in the caller's units.
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


def spectrum_features(z: torch.Tensor) -> torch.Tensor:
    """The lookback's rfft as features: amplitudes and phases (as cos/sin, so no jump at +-pi).

    [B, N] -> [B, 3 * (N//2 + 1)]. Amplitudes are scaled like ``core.spectral`` (|X_k| * 2 / N). The
    phase of a near-empty bin is rounding noise (the DC bin of a centred series, above all), so cos/sin
    fade smoothly to 0 below ~1e-3 of a unit tone's magnitude instead of flipping sign at random.
    """
    coeffs = torch.fft.rfft(z, dim=1)  # [B, N] -> [B, N//2+1] complex
    magnitude = coeffs.abs()
    soft = torch.sqrt(magnitude**2 + (1e-3 * z.shape[1]) ** 2)
    return torch.cat([magnitude * (2.0 / z.shape[1]), coeffs.real / soft, coeffs.imag / soft], 1)


def spectrum_feature_size(lookback: int) -> int:
    return 3 * (lookback // 2 + 1)


@torch.no_grad()
def linear_guide(z: torch.Tensor, horizon: int, order: int, ridge: float = 1e-3) -> torch.Tensor:
    """A cheap linear-prediction forecast for a network to start from: [B, N] -> [B, horizon].

    Forward-backward least squares of ``order`` lags solved through ridge-regularised normal equations
    (one batched ``solve``; no SVD or roots, so it costs little enough to run on every training batch),
    then the recurrence run forward and kept within +-BOUND. It is the classical forecast at a fraction
    of the cost of ``core.linear_prediction``: good on clean sums, fragile on noise — a network that
    sees both it and the lookback can learn when to trust it and how to denoise it.
    """
    z = z.float() if z.dtype not in (torch.float32, torch.float64) else z
    with torch.autocast(z.device.type, enabled=False):  # under `amp` a bf16 Gram matrix ruins the fit
        return _linear_guide(z, horizon, order, ridge)


def _linear_guide(z: torch.Tensor, horizon: int, order: int, ridge: float) -> torch.Tensor:
    windows = z.unfold(1, order, 1)  # [B, N-order+1, order], oldest first
    rows = torch.cat([windows[:, :-1].flip(-1), windows[:, 1:]], 1)  # forward (newest lag first), backward
    target = torch.cat([z[:, order:], z[:, : z.shape[1] - order]], 1)
    gram = rows.transpose(1, 2) @ rows  # [B, order, order]
    load = ridge * gram.diagonal(dim1=1, dim2=2).mean(1).clamp_min(1e-12)  # relative to the row's energy
    eye = torch.eye(order, dtype=z.dtype, device=z.device)
    coef = torch.linalg.solve(gram + load[:, None, None] * eye, (rows.transpose(1, 2) @ target.unsqueeze(-1)))
    coef = coef.squeeze(-1)  # [B, order], newest lag first
    state = z[:, -order:].flip(1)
    out = []
    for _ in range(horizon):
        value = (state * coef).sum(1, keepdim=True).clamp(-BOUND, BOUND)
        out.append(value)
        state = torch.cat([value, state[:, :-1]], 1)
    return torch.cat(out, 1)


# A ridge this small changes nothing a float64 solve can resolve on a clean sum, and keeps the
# normal equations solvable when the order exceeds twice the number of sinusoids (rank deficient).
EXACT_RIDGE = 1e-9


@torch.no_grad()
def exact_guide(z: torch.Tensor, horizon: int, order: int) -> torch.Tensor:
    """``linear_guide`` solved in float64 with a negligible ridge: exact to rounding on a clean sum of up
    to order/2 sinusoids, fragile on noise (where ``validated_base`` stops trusting it)."""
    return linear_guide(z.double(), horizon, order, ridge=EXACT_RIDGE).to(z.dtype)


@torch.no_grad()
def validated_base(
    z: torch.Tensor, guides: torch.Tensor, exact: torch.Tensor, orders: list[int], exact_order: int, check: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Blend the exact fit and the guides' mean by how well each forecasts the lookback's own end.

    The rule of ``core.linear_prediction.validation_weights``, on these cheap fits: each is fitted on
    the lookback without its last ``check`` samples (and again without its last ``check + check//2``),
    scored on the samples it did not see, and weighted by 1 / error². A clean sum gives the exact fit
    ~1e-20 error there and all the weight; on noise both err alike and are averaged.

    z [B, N], guides [B, steps, G], exact [B, steps] -> (base [B, steps], log10 errors [B, 2]).
    """
    errors = torch.zeros(len(z), 2, dtype=torch.float64, device=z.device)
    n = z.shape[1]
    for shift in (0, check // 2):
        end = n - shift
        past, seen = z[:, : end - check], z[:, end - check : end].double()
        mean = torch.stack([linear_guide(past, check, order) for order in orders], -1).mean(-1)
        errors[:, 0] += ((exact_guide(past, check, exact_order).double() - seen) ** 2).mean(1)
        errors[:, 1] += ((mean.double() - seen) ** 2).mean(1)
    weights = inverse_square_weights(errors, 1).to(z.dtype)
    base = weights[:, :1] * exact + weights[:, 1:] * guides.mean(-1)
    return base, errors.clamp_min(1e-30).log10().to(z.dtype)
