"""Codes for signals and pen strokes: learned autoencoders against PCA and the DFT's coefficients.

Lesson 12 in the README: keeping the top k DFT coefficients is a fixed linear code (plus the indices of
the kept bins); a learned code can win where the DFT leaks. Everything here counts a code's size ``k``
in real numbers.

```python
from core.autoencoders import available, load
from core.autoencoders.data import signals

x = signals(256, seed=1).numpy()                   # [256, 100] sums of 3-6 harmonics
code = load("mlp", 16)                            # shipped, trained on such signals
z = code.encode(x)                                # [256, 16]
y = code.decode(z)                                # [256, 100]
print(((code.reconstruct(x) - x) ** 2).mean())
```

``load(name, k, kind)`` with ``kind`` "signals" (``x [B, T]``) or "strokes" (``x [B, T, 2]``, from
``data.strokes`` or ``data.resample_stroke``). Learned codes come from
``checkpoints/pretrained/autoencoders/<kind>/<name>-k<k>/best.pt``; "pca", "dft-topk" and "dft-lowpass"
need no training (PCA is fitted on a seeded sample of the training distribution when first loaded).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from core.autoencoders.codes import CLOSED_FORM, PCA, DFTLowPass, DFTTopK, Epicycles, epicycles
from core.autoencoders.data import KINDS, resample_stroke
from core.autoencoders.models import MODELS, check_hparams
from core.autoencoders.task import DATA_DEFAULTS, check_data, make_data
from core.runtime import PRETRAINED

__all__ = ["available", "shipped", "load", "Code", "epicycles", "Epicycles", "resample_stroke", "PRETRAINED_DIR"]

PRETRAINED_DIR = PRETRAINED / "autoencoders"
PCA_FIT_SIZE = 4096  # windows PCA is fitted on
PCA_FIT_SEED = 0  # the run seed of the shipped models: PCA sees the same first batches they trained on
MAX_INPUT = 1e6  # |values| beyond this are refused: no code here was built for them
FLOATS = (torch.float16, torch.float32, torch.float64)


def shipped(kind: str = "signals", root: Path | str | None = None) -> dict[str, list[int]]:
    """Learned codes with a shipped checkpoint for ``kind``: ``{name: [k, ...]}``, in ``MODELS`` order."""
    _check_kind(kind)
    folder = Path(root) if root is not None else PRETRAINED_DIR
    found: dict[str, list[int]] = {}
    for name in MODELS:
        ks = []
        for path in (folder / kind).glob(f"{name}-k*/best.pt"):
            suffix = path.parent.name[len(name) + 2 :]
            if path.parent.name.startswith(f"{name}-k") and suffix.isdigit():
                ks.append(int(suffix))
        if ks:
            found[name] = sorted(ks)
    return found


def available(kind: str | None = None) -> list[str]:
    """Every name ``load`` accepts: shipped learned codes (for ``kind``, or either kind), then the
    closed-form ones."""
    kinds = KINDS if kind is None else (_check_kind(kind),)
    learned = {name for one in kinds for name in shipped(one)}
    return [name for name in MODELS if name in learned] + list(CLOSED_FORM)


def _check_kind(kind: object) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    return kind


class Code:
    """One code of size ``k`` for one data kind: ``encode``, ``decode``, ``reconstruct``.

    Takes numpy arrays or torch tensors of float16/32/64, ``[B, T]`` for signals or ``[B, T, 2]`` for
    strokes (T = ``length``), and answers in the same container: float64 for float64 input, float32
    otherwise (torch tensors stay on their device). Bad input is a ValueError naming what was expected.
    ``decode`` of a DFT top-k code also needs ``index`` (the kept coordinates, side information) from
    ``encode_with_index``; ``reconstruct`` handles that itself.
    """

    def __init__(self, name: str, k: int, kind: str, length: int, inner: object, payload: dict | None = None):
        self.name, self.k, self.kind, self.length = name, k, kind, length
        self.channels = 1 if kind == "signals" else 2
        self.inner = inner
        self.payload = payload or {}
        self.learned = isinstance(inner, torch.nn.Module)

    def __repr__(self) -> str:
        return f"Code({self.name!r}, k={self.k}, kind={self.kind!r}, length={self.length})"

    @property
    def expected(self) -> str:
        return f"[B, {self.length}]" if self.kind == "signals" else f"[B, {self.length}, 2]"

    def _tensor(self, x: object, what: str, shape: str) -> tuple[torch.Tensor, object]:
        """x as a float64 CPU/device tensor, plus how to give results back (container, dtype, device)."""
        if isinstance(x, np.ndarray):
            if x.dtype not in (np.float16, np.float32, np.float64):
                raise ValueError(f"{what} must be float16, float32 or float64 {shape}, got dtype {x.dtype}")
            back = ("numpy", np.float64 if x.dtype == np.float64 else np.float32, None)
            t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float64))
        elif torch.is_tensor(x):
            if x.dtype not in FLOATS:
                raise ValueError(f"{what} must be float16, float32 or float64 {shape}, got {x.dtype}")
            back = ("torch", torch.float64 if x.dtype == torch.float64 else torch.float32, x.device)
            t = x.detach().to("cpu", torch.float64)  # every code runs on the CPU; answers go back to x's device
        else:
            raise ValueError(f"{what} must be a numpy array or torch tensor {shape}, got {type(x).__name__}")
        if t.numel() == 0:
            raise ValueError(f"{what} is empty: expected {shape}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{what} contains NaN or infinite values")
        if float(t.abs().max()) > MAX_INPUT:
            raise ValueError(f"{what} reaches {float(t.abs().max()):.3g}; values beyond {MAX_INPUT:g} are refused")
        return t, back

    def _input(self, x: object) -> tuple[torch.Tensor, object]:
        t, back = self._tensor(x, f"input to the {self.name!r} code", self.expected)
        ok = t.dim() == 2 and t.shape[1] == self.length
        if self.kind == "strokes":
            ok = t.dim() == 3 and t.shape[1] == self.length and t.shape[2] == 2
        if not ok:
            hint = " (strokes: resample a drawing with resample_stroke)" if self.kind == "strokes" else ""
            raise ValueError(f"the {self.name!r} {self.kind} code takes {self.expected}, got {list(t.shape)}{hint}")
        return t, back

    @staticmethod
    def _output(y: torch.Tensor, back: object) -> np.ndarray | torch.Tensor:
        container, dtype, device = back
        if container == "numpy":
            return y.detach().cpu().numpy().astype(dtype)
        return y.detach().to(device=device, dtype=dtype)

    @torch.no_grad()
    def _encode(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.learned:
            return self.inner.encode(t.float()).double(), None
        if isinstance(self.inner, DFTTopK):
            return self.inner.encode_with_index(t)
        return self.inner.encode(t), None

    @torch.no_grad()
    def _decode(self, z: torch.Tensor, index: torch.Tensor | None) -> torch.Tensor:
        if self.learned:
            return self.inner.decode(z.float()).double()
        if isinstance(self.inner, DFTTopK):
            return self.inner.decode(z, index, self.length, self.channels)
        if isinstance(self.inner, DFTLowPass):
            return self.inner.decode(z, self.length, self.channels)
        return self.inner.decode(z)

    def encode(self, x: object) -> np.ndarray | torch.Tensor:
        """x -> its code [B, k]."""
        t, back = self._input(x)
        return self._output(self._encode(t)[0], back)

    def encode_with_index(self, x: object) -> tuple[np.ndarray | torch.Tensor, np.ndarray | torch.Tensor | None]:
        """(code [B, k], the kept coordinates' indices [B, k] for DFT top-k, else None)."""
        t, back = self._input(x)
        z, index = self._encode(t)
        if index is None:
            return self._output(z, back), None
        return self._output(z, back), (index.numpy() if back[0] == "numpy" else index.to(back[2]))

    def decode(self, z: object, index: object = None) -> np.ndarray | torch.Tensor:
        """A code [B, k] -> the window it stands for ([B, T] or [B, T, 2])."""
        t, back = self._tensor(z, f"a code for {self.name!r}", f"[B, {self.k}]")
        if t.dim() != 2 or t.shape[1] != self.k:
            raise ValueError(f"the {self.name!r} decoder takes codes [B, {self.k}], got {list(t.shape)}")
        if isinstance(self.inner, DFTTopK):
            index = self._index(index, t)
        return self._output(self._decode(t, index), back)

    def _index(self, index: object, z: torch.Tensor) -> torch.Tensor:
        if index is None:
            raise ValueError(
                "a DFT top-k code is decoded with the indices of its kept coordinates (side information): "
                "decode(z, index) with index from encode_with_index"
            )
        idx = torch.as_tensor(np.asarray(index) if not torch.is_tensor(index) else index).cpu()
        top = self.channels * self.length
        if idx.shape != z.shape or idx.is_floating_point() or idx.is_complex() or idx.min() < 0 or idx.max() >= top:
            raise ValueError(f"index must be whole numbers in [0, {top}) of the code's shape {list(z.shape)}")
        return idx.long().to(z.device)

    def reconstruct(self, x: object) -> np.ndarray | torch.Tensor:
        """decode(encode(x)): what survives the k numbers."""
        t, back = self._input(x)
        return self._output(self._decode(*self._encode(t)), back)


def _pretrained_path(name: str, k: int, kind: str, root: Path | str | None) -> Path:
    return (Path(root) if root is not None else PRETRAINED_DIR) / kind / f"{name}-k{k}" / "best.pt"


def load_checkpoint(path: Path | str, expect: str | None = None) -> tuple[torch.nn.Module, dict]:
    """Rebuild the autoencoder a checkpoint holds (eval mode, CPU): -> (model, payload).

    Unknown model, hyperparameters the model does not take or beyond ``models.LIMITS``, NaN weights or
    weights that do not fit: one ValueError each, before or instead of building.
    """
    from core.checkpoints import read_checkpoint

    payload = read_checkpoint(path)
    task = payload.get("task", (payload.get("config") or {}).get("task", "autoencoder"))
    if task != "autoencoder":
        raise ValueError(f"checkpoint {path} was trained for the {task!r} task, not as an autoencoder")
    name, state = payload["model"], payload["model_state"]
    if expect is not None and name != expect:
        raise ValueError(f"checkpoint {path} holds a {name!r} model, not {expect!r}")
    hparams = check_hparams(name, payload["hparams"], f"checkpoint {path}")
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f"checkpoint {path} has no usable weights (model_state must map names to tensors)")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise ValueError(f"checkpoint {path} has NaN or infinite weights")
    model = MODELS[name](**hparams)
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {path} does not fit the {name!r} architecture: {exc}") from None
    return model.eval(), payload


@lru_cache(maxsize=4)
def _pca_all_axes(data_key: tuple) -> PCA:
    """PCA with every axis, fitted once per data spec; a k-number PCA is its first k axes."""
    sample = training_sample(dict(data_key), PCA_FIT_SIZE, seed=PCA_FIT_SEED, batch_size=256).double()
    return PCA(min(PCA_FIT_SIZE, sample[0].numel())).fit(sample)


def _fitted_pca(k: int, data_key: tuple) -> PCA:
    full = _pca_all_axes(data_key)
    if k > len(full.axes):
        raise ValueError(f"PCA: k must be a whole number of reals between 1 and {len(full.axes)}, got {k}")
    pca = PCA(k)
    pca.mean, pca.axes, pca.shape = full.mean, full.axes[:k], full.shape
    return pca


def training_sample(data: dict, n: int, seed: int = 0, batch_size: int = 256) -> torch.Tensor:
    """The first ``n`` windows a run with this data, run seed and batch size trained on (its steps 0, 1, ...):
    the "train" rows of the evaluation, on data a model has really seen."""
    from core.training.loop import data_seed

    data = check_data(data)
    batches, have, step = [], 0, 0
    while have < n:
        batches.append(make_data(data, batch_size, data_seed(seed, step, 0)))
        have, step = have + batch_size, step + 1
    return torch.cat(batches)[:n]


def load(name: str, k: int, kind: str = "signals", length: int = 100, root: Path | str | None = None) -> Code:
    """A code of ``k`` real numbers for ``kind`` ("signals" or "strokes"); see ``available()``.

    Learned codes are read from the shipped checkpoint (``root`` overrides the folder); an absent one
    is a ValueError listing the shipped k. Closed-form codes work at any ``length`` (PCA fits its
    training sample at that length); learned ones only at the length they were trained for.
    """
    _check_kind(kind)
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    k = int(k)
    if name in CLOSED_FORM:
        data = check_data({**DATA_DEFAULTS[kind], "length": length})
        if name == "pca":
            inner = _fitted_pca(k, tuple(sorted(data.items())))
        else:
            inner = (DFTTopK if name == "dft-topk" else DFTLowPass)(k)
            (inner.encode_with_index if name == "dft-topk" else inner.encode)(make_data(data, 1, 0).double())
        return Code(name, k, kind, data["length"], inner)
    if name not in MODELS:
        raise ValueError(f"unknown code {name!r}; choose one of: {', '.join([*MODELS, *CLOSED_FORM])}")
    path = _pretrained_path(name, k, kind, root)
    if not path.is_file():
        ks = shipped(kind, root).get(name, [])
        raise ValueError(f"no shipped {name!r} code for {kind} at k = {k}; shipped k: {ks or 'none'}")
    model, payload = load_checkpoint(path, expect=name)
    if model.k != k or model.channels != (1 if kind == "signals" else 2):
        raise ValueError(f"checkpoint {path} holds k = {model.k}, {model.channels} channel(s): not {kind} at k = {k}")
    return Code(name, k, kind, model.length, model, payload)
