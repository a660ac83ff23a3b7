"""Codes that need no training: PCA, the DFT's top-k coefficients, the DFT low-pass; and epicycles.

Every code here counts its size ``k`` in REAL numbers, so that it compares fairly with an autoencoder's
k-number bottleneck. The DFT is taken in its orthonormal real form: a window of T samples has T real
coordinates, in frequency order DC, (cos 1, sin 1), (cos 2, sin 2), ..., and Nyquist (T even). A complex
bin is two coordinates and costs 2; DC and Nyquist are real and cost 1. Orthonormal means the squared
error of a reconstruction is the energy of the coordinates left out (Parseval), so keeping the largest
is the best a DFT code can do with k numbers.

Strokes ``[B, T, 2]`` are two channels, x and y, each with its own real DFT (2T coordinates in all).
Top-k shares its k numbers between them by energy: the largest bins of either channel, wherever they
fall. The low-pass gives x the first ceil(k/2) coordinates and y the first floor(k/2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

__all__ = ["DFTTopK", "DFTLowPass", "PCA", "Epicycles", "epicycles", "dft_basis", "CLOSED_FORM"]

CLOSED_FORM = ("pca", "dft-topk", "dft-lowpass")


@lru_cache(maxsize=16)
def _basis(length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(basis [T, T] float64 with orthonormal rows, bin [T] long: the DFT bin of each row).

    On the CPU explicitly: a model sized on the "meta" device (``models.check_hparams``) must not leave
    meta tensors in this cache."""
    t = torch.arange(length, dtype=torch.float64, device="cpu")
    rows, bins = [torch.full((length,), 1 / math.sqrt(length), dtype=torch.float64, device="cpu")], [0]
    for b in range(1, (length - 1) // 2 + 1):
        angle = 2 * math.pi * b * t / length
        rows += [math.sqrt(2 / length) * torch.cos(angle), math.sqrt(2 / length) * torch.sin(angle)]
        bins += [b, b]
    if length % 2 == 0 and length > 1:
        rows.append(torch.cos(math.pi * t) / math.sqrt(length))
        bins.append(length // 2)
    return torch.stack(rows), torch.tensor(bins, device="cpu")


def dft_basis(length: int, device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """The orthonormal real DFT basis of ``length`` samples and each row's bin (see the module docstring)."""
    basis, bins = _basis(int(length))
    return basis.to(device), bins.to(device)


def _channels(x: torch.Tensor) -> torch.Tensor:
    """[B, T] -> [B, 1, T]; [B, T, C] -> [B, C, T]."""
    return x.unsqueeze(1) if x.dim() == 2 else x.transpose(1, 2)


def _unchannels(y: torch.Tensor, like_dim: int) -> torch.Tensor:
    return y[:, 0] if like_dim == 2 else y.transpose(1, 2)


def _check_k(k: int, reals: int, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= reals:
        raise ValueError(f"{what}: k must be a whole number of reals between 1 and {reals}, got {k!r}")
    return k


class DFTTopK:
    """Keep the k largest real DFT numbers, bin by bin: the data-adaptive Fourier code.

    Bins are ranked by energy (both coordinates of a complex bin together) and kept whole while they
    fit in k; when one real is left and the next bin is complex, its larger coordinate alone is kept,
    so exactly k reals are always kept. Which bins were kept differs per signal: those indices are side
    information a real codec must also send (about k * log2(T) bits more), which this code does not
    count in k. ``encode`` returns the values, ``encode_with_index`` the values and their indices (into
    the ``C * T`` coordinates, channel-major), and ``decode(values, index)`` needs both.
    """

    name = "dft-topk"

    def __init__(self, k: int) -> None:
        self.k = k

    def _coordinates(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """[B, C*T] coordinates and [C*T] bin ids (distinct per channel)."""
        xc = _channels(x).to(torch.float64)
        basis, bins = dft_basis(xc.shape[-1], xc.device)
        coords = xc @ basis.T  # [B, C, T]
        groups = torch.cat([bins + c * (int(bins[-1]) + 1) for c in range(xc.shape[1])])
        return coords.flatten(1), groups

    def encode_with_index(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        coords, groups = self._coordinates(x)
        k = _check_k(self.k, coords.shape[1], "DFT top-k")
        nbins = int(groups[-1]) + 1
        energy = torch.zeros(len(coords), nbins, dtype=coords.dtype, device=coords.device)
        energy.index_add_(1, groups, coords**2)
        cost = torch.bincount(groups, minlength=nbins).to(coords.device)  # 1 or 2 reals per bin
        order = torch.argsort(energy, dim=1, descending=True, stable=True)  # [B, bins]
        spent = cost[order].cumsum(1)
        whole = spent <= k  # bins kept entirely
        left = k - (spent * whole).amax(1)  # 0 or 1 real still to spend
        # The first bin that did not fit: keep its larger coordinate when one real is left.
        first_out = order.gather(1, whole.sum(1, keepdim=True).clamp(max=nbins - 1))  # [B, 1]
        keep_bin = torch.zeros_like(energy, dtype=torch.bool).scatter(1, order, whole)
        keep = keep_bin[:, groups]  # [B, C*T]
        partial = (groups.unsqueeze(0) == first_out) & (left.unsqueeze(1) > 0)
        size = torch.where(partial, coords.abs(), -1.0)
        best = size.argmax(1, keepdim=True)
        keep = keep.scatter(1, best, keep.gather(1, best) | (left.unsqueeze(1) > 0))
        index = torch.sort(torch.nonzero(keep)[:, 1].view(len(coords), k), dim=1).values
        return coords.gather(1, index), index

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode_with_index(x)[0]

    def decode(self, z: torch.Tensor, index: torch.Tensor | None = None, length: int = 100, channels: int = 1):
        if index is None:
            raise ValueError(
                "DFT top-k codes also need the indices of the kept coordinates (side information): "
                "pass index= from encode_with_index"
            )
        coords = torch.zeros(len(z), channels * length, dtype=torch.float64, device=z.device)
        coords.scatter_(1, index.to(z.device), z.to(torch.float64))
        basis, _ = dft_basis(length, z.device)
        y = coords.view(len(z), channels, length) @ basis
        return _unchannels(y, 2 if channels == 1 else 3)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        values, index = self.encode_with_index(x)
        channels = 1 if x.dim() == 2 else x.shape[2]
        return self.decode(values, index, x.shape[1], channels)


class DFTLowPass:
    """Keep the first k real DFT numbers in frequency order: a fixed code, no indices to send.

    For strokes, x keeps its first ceil(k/2) coordinates and y its first floor(k/2).
    """

    name = "dft-lowpass"

    def __init__(self, k: int) -> None:
        self.k = k

    def _split(self, channels: int, length: int) -> list[int]:
        k = _check_k(self.k, channels * length, "DFT low-pass")
        share = [k // channels + (1 if c < k % channels else 0) for c in range(channels)]
        if max(share) > length:
            raise ValueError(f"DFT low-pass: {k} reals do not fit {channels} channel(s) of {length} coordinates")
        return share

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        xc = _channels(x).to(torch.float64)
        basis, _ = dft_basis(xc.shape[-1], xc.device)
        coords = xc @ basis.T  # [B, C, T]
        return torch.cat([coords[:, c, :n] for c, n in enumerate(self._split(*coords.shape[1:]))], 1)

    def decode(self, z: torch.Tensor, length: int = 100, channels: int = 1) -> torch.Tensor:
        basis, _ = dft_basis(length, z.device)
        parts = torch.split(z.to(torch.float64), self._split(channels, length), dim=1)
        coords = torch.zeros(len(z), channels, length, dtype=torch.float64, device=z.device)
        for c, part in enumerate(parts):
            coords[:, c, : part.shape[1]] = part
        return _unchannels(coords @ basis, 2 if channels == 1 else 3)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x), x.shape[1], 1 if x.dim() == 2 else x.shape[2])


class PCA:
    """The best linear (affine) code for a training sample: its mean plus its top-k principal axes.

    Fitted once in float64 on ``fit(x)``: by Eckart-Young no linear encoder/decoder pair with k numbers
    reconstructs that sample with a lower MSE, so it is the bar a non-linear autoencoder must clear, and
    what a linear autoencoder at best converges to.
    """

    name = "pca"

    def __init__(self, k: int) -> None:
        self.k = k
        self.mean: torch.Tensor | None = None
        self.axes: torch.Tensor | None = None  # [k, T*C]
        self.shape: tuple[int, ...] = ()

    def fit(self, x: torch.Tensor) -> PCA:
        flat = x.reshape(len(x), -1).to(torch.float64)
        _check_k(self.k, min(flat.shape), "PCA")
        self.mean = flat.mean(0)
        _, _, vh = torch.linalg.svd(flat - self.mean, full_matrices=False)
        self.axes, self.shape = vh[: self.k], tuple(x.shape[1:])
        return self

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        if self.axes is None:
            raise ValueError("PCA must be fitted on a training sample first (fit(x))")
        flat = x.reshape(len(x), -1).to(torch.float64)
        return (flat - self.mean.to(x.device)) @ self.axes.T.to(x.device)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        if self.axes is None:
            raise ValueError("PCA must be fitted on a training sample first (fit(x))")
        flat = z.to(torch.float64) @ self.axes.to(z.device) + self.mean.to(z.device)
        return flat.view(len(z), *self.shape)

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


@dataclass(frozen=True)
class Epicycles:
    """Terms of the complex DFT of a stroke ``z[t] = x[t] + i y[t]``, largest radius first.

    ``z[t] = sum_j radius_j * exp(i * (2*pi*frequency_j*t/length + phase_j))``: each term is a circle of
    ``radius`` turning ``frequency`` times per stroke (negative: clockwise), starting at angle ``phase``.
    Chained tip to tail they draw the stroke; all ``length`` terms redraw it exactly. A term costs 2 reals
    (radius and phase) plus its frequency, an index: side information as in DFT top-k.
    """

    frequency: np.ndarray  # [K] whole numbers, -T/2 <= f < T/2 (numpy.fft.fftfreq)
    radius: np.ndarray  # [K]
    phase: np.ndarray  # [K] radians
    length: int

    def path(self, t: np.ndarray | None = None) -> np.ndarray:
        """The points the chained circles draw at times ``t`` (default 0..length-1): [len(t), 2]."""
        t = np.arange(self.length, dtype=np.float64) if t is None else np.asarray(t, dtype=np.float64)
        angle = 2 * np.pi * np.outer(t, self.frequency) / self.length + self.phase
        z = (self.radius * np.exp(1j * angle)).sum(1)
        return np.stack([z.real, z.imag], 1)

    def centres(self, t: float) -> np.ndarray:
        """Where each circle's centre is at time ``t``, and the pen at the end: [K + 1, 2]."""
        arms = self.radius * np.exp(1j * (2 * np.pi * self.frequency * t / self.length + self.phase))
        z = np.concatenate([[0], np.cumsum(arms)])
        return np.stack([z.real, z.imag], 1)


def epicycles(stroke: np.ndarray | torch.Tensor, k: int | None = None) -> Epicycles:
    """The ``k`` largest terms (all when None) of the complex DFT of ``stroke [T, 2]``, by radius."""
    if torch.is_tensor(stroke):
        stroke = stroke.detach().cpu().numpy()
    p = np.asarray(stroke, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 1:
        raise ValueError(f"epicycles take one stroke of shape [T, 2], got shape {list(p.shape)}")
    if not np.all(np.isfinite(p)):
        raise ValueError("the stroke contains NaN or infinite coordinates")
    length = len(p)
    k = length if k is None else _check_k(k, length, "epicycles")
    coeffs = np.fft.fft(p[:, 0] + 1j * p[:, 1]) / length
    frequency = np.fft.fftfreq(length, d=1.0 / length)  # whole cycles per stroke, signed
    order = np.argsort(-np.abs(coeffs), kind="stable")[:k]
    return Epicycles(frequency[order], np.abs(coeffs[order]), np.angle(coeffs[order]), length)
