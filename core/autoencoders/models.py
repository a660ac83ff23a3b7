"""Sequence autoencoders: a window of T samples (C channels) -> k numbers -> the window again.

The ten architectures of the trajectory study (plain recurrent, convolutional, convolutional then
recurrent, with and without residual blocks), plus an MLP and a linear autoencoder (which can at best
learn PCA's subspace: the yardstick a non-linear code must beat). Every model keeps one contract:

- ``name`` (registry key) and ``hparams`` (JSON dict, ``type(m)(**m.hparams)`` rebuilds it);
- ``encode(x) -> [B, k]``, ``decode(z) -> x``'s shape, ``loss(x)`` = reconstruction MSE;
- ``x`` is ``[B, T]`` for one channel (signals) or ``[B, T, C]`` (strokes: C = 2, x and y).

Models see the data as it comes: no per-sample normalisation (the study found that normalising
amplitude hurt; signals are peak-normalised by their generator and strokes start at zero already).
"""

from __future__ import annotations

import inspect
from typing import ClassVar

import torch
from torch import nn

from core.validation import MAX_PARAMS, check_int

__all__ = ["MODELS", "Autoencoder", "build", "check_hparams", "LIMITS"]

# Bounds on every size a config or checkpoint may claim, checked before anything is allocated.
LIMITS = {"k": 1024, "length": 4096, "channels": 2, "hidden": 2048, "layers": 8, "spectral": 1}


class Autoencoder(nn.Module):
    """Base class: shapes and the loss; subclasses implement ``_encode [B, T, C] -> [B, k]`` and
    ``_decode [B, k] -> [B, T, C]``."""

    name: ClassVar[str] = ""

    def __init__(self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 64) -> None:
        super().__init__()
        self.k, self.length, self.channels, self.hidden = int(k), int(length), int(channels), int(hidden)
        self.hparams: dict = {"k": self.k, "length": self.length, "channels": self.channels, "hidden": self.hidden}

    def _frames(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T] (one channel) or [B, T, C] -> [B, T, C], or ValueError naming the expected shape."""
        expected = f"[B, {self.length}]" if self.channels == 1 else f"[B, {self.length}, {self.channels}]"
        if x.dim() == 2 and self.channels == 1:
            x = x.unsqueeze(-1)
        if x.dim() != 3 or x.shape[1] != self.length or x.shape[2] != self.channels:
            raise ValueError(f"the {self.name!r} autoencoder takes {expected}, got {list(x.shape)}")
        return x

    def _unframe(self, y: torch.Tensor) -> torch.Tensor:
        return y.squeeze(-1) if self.channels == 1 else y

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self._encode(self._frames(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        if z.dim() != 2 or z.shape[1] != self.k:
            raise ValueError(f"the {self.name!r} decoder takes codes [B, {self.k}], got {list(z.shape)}")
        return self._unframe(self._decode(z))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    def loss(self, x: torch.Tensor) -> torch.Tensor:
        """Mean squared reconstruction error over every sample and channel."""
        return ((self(x) - x) ** 2).mean()

    def _encode(self, x: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError

    def _decode(self, z: torch.Tensor) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


MODELS: dict[str, type[Autoencoder]] = {}


def register(cls: type[Autoencoder]) -> type[Autoencoder]:
    MODELS[cls.name] = cls
    return cls


@register
class LinearAutoencoder(Autoencoder):
    """One linear map down to k numbers and one back: at best PCA's subspace, found by gradient descent."""

    name = "linear"

    def __init__(self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 0) -> None:
        super().__init__(k, length, channels, hidden)
        self.down = nn.Linear(self.length * self.channels, self.k)
        self.up = nn.Linear(self.k, self.length * self.channels)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(x.flatten(1))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.up(z).view(len(z), self.length, self.channels)


@register
class MLPAutoencoder(Autoencoder):
    """Fully connected, ``layers`` hidden layers each way: sees the whole window at once, as the DFT does.

    spectral: 1 = read and write the window's orthonormal real DFT coordinates (``codes.dft_basis``)
    instead of its samples. A fixed rotation, so the same functions and the same MSE (Parseval), but
    Adam's per-weight step sizes suit a spectrum that is nearly sparse: on ``easy`` signals it learned
    faster (validation MSE 0.0048 vs 0.0054 after 4,000 steps at lr 2e-3, one CPU thread).
    """

    name = "mlp"

    def __init__(
        self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 512, layers: int = 2, spectral: int = 0
    ) -> None:
        super().__init__(k, length, channels, hidden)
        self.hparams["layers"] = self.layers = int(layers)
        self.hparams["spectral"] = self.spectral = int(spectral)
        if self.spectral not in (0, 1):
            raise ValueError(f"spectral must be 0 or 1, got {spectral!r}")
        from core.autoencoders.codes import dft_basis  # codes does not import models: no cycle

        # Not saved with the weights (persistent=False): rebuilt from ``length``, so old files still load.
        self.register_buffer("basis", dft_basis(self.length)[0].float() if self.spectral else None, persistent=False)
        size = self.length * self.channels
        self.down = self._stack([size] + [self.hidden] * self.layers + [self.k])
        self.up = self._stack([self.k] + [self.hidden] * self.layers + [size])

    @staticmethod
    def _stack(widths: list[int]) -> nn.Sequential:
        parts: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            parts.append(nn.Linear(a, b))
            if i < len(widths) - 2:
                parts.append(nn.GELU())
        return nn.Sequential(*parts)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        x = x.transpose(1, 2)  # [B, C, T]
        if self.basis is not None:
            x = x @ self.basis.T
        return self.down(x.flatten(1))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        y = self.up(z).view(len(z), self.channels, self.length)
        if self.basis is not None:
            y = y @ self.basis
        return y.transpose(1, 2)


RECURRENT = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def _final_state(cell: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run ``cell`` over x [B, L, F]: its last hidden state [B, hidden] (an LSTM's h, not its c)."""
    _, state = cell(x)
    if isinstance(state, tuple):
        state = state[0]
    return state[-1]


def _unroll(cell: nn.Module, z: torch.Tensor, start: torch.Tensor, steps: int) -> torch.Tensor:
    """Decode: the code as input at every step, ``start`` [B, hidden] as the initial state: [B, steps, hidden]."""
    h0 = start.unsqueeze(0).contiguous()
    state = (h0, torch.zeros_like(h0)) if isinstance(cell, nn.LSTM) else h0
    out, _ = cell(z.unsqueeze(1).expand(-1, steps, -1), state)
    return out


class _Recurrent(Autoencoder):
    """Plain recurrent (``rnn``, ``lstm``, ``gru``): one layer reads the T samples; its last state -> k.
    The decoder starts from a state made of the code and is fed the code at every step."""

    cell: ClassVar[str] = ""

    def __init__(self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 64) -> None:
        super().__init__(k, length, channels, hidden)
        rnn = RECURRENT[self.cell]
        self.reader = rnn(self.channels, self.hidden, batch_first=True)
        self.to_code = nn.Linear(self.hidden, self.k)
        self.from_code = nn.Linear(self.k, self.hidden)
        self.writer = rnn(self.k, self.hidden, batch_first=True)
        self.out = nn.Linear(self.hidden, self.channels)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_code(_final_state(self.reader, x))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.out(_unroll(self.writer, z, torch.tanh(self.from_code(z)), self.length))


def _down(width: int) -> nn.Module:
    """Halve the time axis (ceil): kernel 5, stride 2, padding 2."""
    return nn.Conv1d(width, width, 5, stride=2, padding=2)


def _up(width: int) -> nn.Module:
    """Double the time axis exactly: kernel 4, stride 2, padding 1."""
    return nn.ConvTranspose1d(width, width, 4, stride=2, padding=1)


class ResBlock(nn.Module):
    """x + conv(gelu(conv(gelu(x)))), kernel 5, same length: a deeper stack that still trains."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.GELU(), nn.Conv1d(width, width, 5, padding=2), nn.GELU(), nn.Conv1d(width, width, 5, padding=2)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _levels(length: int, times: int) -> int:
    """Length after ``times`` halvings (ceil each time)."""
    for _ in range(times):
        length = (length + 1) // 2
    return length


class _ConvBase(Autoencoder):
    """Shared by the convolutional families: a stem, ``downs`` halvings (with residual blocks when
    ``residual``), and the mirror image on the way back with transposed convolutions, cropped to T."""

    downs: ClassVar[int] = 2
    residual: ClassVar[bool] = False

    def _build_convs(self) -> None:
        h, res = self.hidden, self.residual
        enc: list[nn.Module] = [nn.Conv1d(self.channels, h, 5, padding=2), nn.GELU()]
        dec: list[nn.Module] = []
        for _ in range(self.downs):
            enc += [ResBlock(h), _down(h)] if res else [_down(h), nn.GELU()]
            dec += [_up(h), ResBlock(h)] if res else [_up(h), nn.GELU()]
        if res:
            enc.append(ResBlock(h))
            dec.insert(0, ResBlock(h))
        dec.append(nn.Conv1d(h, self.channels, 5, padding=2))
        self.encoder_convs, self.decoder_convs = nn.Sequential(*enc), nn.Sequential(*dec)
        self.steps = _levels(self.length, self.downs)

    def _features(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T, C] -> [B, hidden, T / 2**downs]."""
        return self.encoder_convs(x.transpose(1, 2))

    def _signal(self, features: torch.Tensor) -> torch.Tensor:
        """[B, hidden, L] -> [B, T, C] (the transposed convolutions overshoot T by < 2**downs; cropped)."""
        return self.decoder_convs(features)[..., : self.length].transpose(1, 2)


@register
class ConvAutoencoder(_ConvBase):
    """Convolutions only: three halvings, then a dense layer to the k numbers (and the mirror back)."""

    name = "conv"
    downs = 3

    def __init__(self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 64) -> None:
        super().__init__(k, length, channels, hidden)
        self._build_convs()
        self.to_code = nn.Linear(self.hidden * self.steps, self.k)
        self.from_code = nn.Linear(self.k, self.hidden * self.steps)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_code(torch.nn.functional.gelu(self._features(x)).flatten(1))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        return self._signal(self.from_code(z).view(len(z), self.hidden, self.steps))


class _ConvRecurrent(_ConvBase):
    """Convolutions shorten the sequence 4x, a recurrent layer reads the features; its last state -> k.
    Back: the recurrent decoder unrolls T/4 steps from the code, transposed convolutions restore T."""

    cell: ClassVar[str] = ""

    def __init__(self, k: int = 16, length: int = 100, channels: int = 1, hidden: int = 64) -> None:
        super().__init__(k, length, channels, hidden)
        self._build_convs()
        rnn = RECURRENT[self.cell]
        self.reader = rnn(self.hidden, self.hidden, batch_first=True)
        self.to_code = nn.Linear(self.hidden, self.k)
        self.from_code = nn.Linear(self.k, self.hidden)
        self.writer = rnn(self.k, self.hidden, batch_first=True)

    def _encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.to_code(_final_state(self.reader, self._features(x).transpose(1, 2)))

    def _decode(self, z: torch.Tensor) -> torch.Tensor:
        out = _unroll(self.writer, z, torch.tanh(self.from_code(z)), self.steps)  # [B, L, hidden]
        return self._signal(out.transpose(1, 2))


def _family(base: type, name: str, cell: str, residual: bool = False) -> type[Autoencoder]:
    doc = f"``{name}``: " + (base.__doc__ or "").strip()
    attrs = {"name": name, "cell": cell, "__doc__": doc, "__module__": __name__}
    if residual:
        attrs["residual"] = True
    cls = type(name.title().replace("-", "") + "Autoencoder", (base,), attrs)
    return register(cls)


for _cell in RECURRENT:
    _family(_Recurrent, _cell, _cell)
    _family(_ConvRecurrent, f"conv-{_cell}", _cell)
    _family(_ConvRecurrent, f"conv-res-{_cell}", _cell, residual=True)

# The study's ten first, then the two dense references.
ORDER = [
    "rnn",
    "lstm",
    "gru",
    "conv",
    "conv-rnn",
    "conv-lstm",
    "conv-gru",
    "conv-res-rnn",
    "conv-res-lstm",
    "conv-res-gru",
    "mlp",
    "linear",
]
MODELS = {name: MODELS[name] for name in ORDER}


def check_hparams(name: object, hparams: object, where: str = "hyperparameters") -> dict:
    """Known model, known keys, bounded whole numbers, and an implied size under ``MAX_PARAMS``:
    checked before building, so a crafted checkpoint or a typo is one ValueError, never an OOM kill."""
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"{where}: unknown autoencoder {name!r}; known: {', '.join(MODELS)}")
    if not isinstance(hparams, dict):
        raise ValueError(f"{where}: hyperparameters must be a JSON object, got {type(hparams).__name__}")
    params = inspect.signature(MODELS[name]).parameters
    unknown = sorted(str(key) for key in hparams if key not in params)
    if unknown:
        raise ValueError(f"{where}: the {name!r} autoencoder takes no {unknown} (known: {sorted(params)})")
    low = {"k": 1, "length": 4, "channels": 1, "hidden": 0 if name == "linear" else 1, "layers": 1, "spectral": 0}
    checked = {key: check_int(f"{where} {key!r}", value, low[key], LIMITS[key]) for key, value in hparams.items()}
    with torch.device("meta"):  # built without memory: the exact weight count, nothing allocated
        weights = sum(p.numel() for p in MODELS[name](**checked).parameters())
    if weights > MAX_PARAMS:
        raise ValueError(f"{where}: {checked} implies {weights:,} weights; the limit is {MAX_PARAMS:,}")
    return checked


def build(name: str, **hparams) -> Autoencoder:
    """A fresh autoencoder ``name`` (see ``MODELS``) from checked hyperparameters."""
    return MODELS[name](**check_hparams(name, hparams))
