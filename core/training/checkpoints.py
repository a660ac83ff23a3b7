"""Checkpoint files: written atomically, read with ``weights_only``, errors a person can act on."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import torch

from core.models import MODELS, ForecastModel, build


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file beside ``path``, fsync, then rename: a crash leaves the old file intact."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, payload: dict) -> None:
    atomic_write_bytes(path, json.dumps(payload, indent=2).encode())


def save_checkpoint(path: Path, payload: dict) -> None:
    """``payload`` holds at least "model", "hparams", "model_state" (see DESIGN.md)."""
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read_checkpoint(path: Path | str, map_location: str | torch.device = "cpu") -> dict:
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"checkpoint not found: {path}")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise ValueError(f"checkpoint {path} is damaged or not a checkpoint ({type(exc).__name__}: {exc})") from exc
    if not isinstance(payload, dict) or not {"model", "hparams", "model_state"} <= set(payload):
        raise ValueError(f"checkpoint {path} is not a Harmonics Lab checkpoint (no model/hparams/model_state)")
    return payload


def load_model(
    path: Path | str, device: str | torch.device = "cpu", expect: str | None = None
) -> tuple[ForecastModel, dict]:
    """Rebuild the model a checkpoint holds: -> (model in eval mode on ``device``, payload)."""
    payload = read_checkpoint(path)
    if not isinstance(payload, dict):
        raise ValueError(f"checkpoint {path} is not a model checkpoint (no dict inside)")
    name, hparams, state = payload.get("model"), payload.get("hparams"), payload.get("model_state")
    if not isinstance(name, str) or name not in MODELS:
        raise ValueError(f"checkpoint {path} holds an unknown model {name!r}")
    if expect is not None and name != expect:
        raise ValueError(f"checkpoint {path} holds a {name!r} model, not {expect!r}")
    if not isinstance(hparams, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 4096 for v in hparams.values()
    ):
        raise ValueError(f"checkpoint {path} has malformed hyperparameters (whole numbers up to 4096 expected)")
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f"checkpoint {path} has no usable weights (model_state must map names to tensors)")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise ValueError(f"checkpoint {path} has NaN or infinite weights: it would forecast NaN")
    try:
        model = build(name, **hparams)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {path} has hyperparameters the {name!r} model does not take: {exc}") from exc
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise ValueError(f"checkpoint {path} does not fit the {name!r} architecture: {exc}") from exc
    return model.to(device).eval(), payload


def export_pretrained(run_dir: Path | str, dest: Path | str) -> Path:
    """Copy a run's best model into ``dest`` (a shipped-checkpoint folder), without optimiser state.

    Keeps what a user needs to trust and reproduce it: ``best.pt`` (weights, hparams, step, validation
    score, config), ``config.json`` and ``metrics.jsonl`` (the training curve).
    """
    run_dir, dest = Path(run_dir), Path(dest)
    payload = read_checkpoint(run_dir / "best.pt")
    keep = {k: payload[k] for k in ("model", "hparams", "model_state", "step", "best_val", "config") if k in payload}
    dest.mkdir(parents=True, exist_ok=True)
    save_checkpoint(dest / "best.pt", keep)
    for name in ("config.json", "metrics.jsonl"):
        (dest / name).write_bytes((run_dir / name).read_bytes())
    return dest
