"""Checkpoint files: written atomically, read with ``weights_only``, errors a person can act on."""

from __future__ import annotations

import inspect
import io
import json
import os
from pathlib import Path

import torch

from core.models import MODELS, ForecastModel, build
from core.validation import MAX_WIDTH, check_model_options, check_model_size

# Window sizes a checkpoint may claim (they size the model's input and output layers).
HPARAM_LIMITS = {"lookback": 4096, "horizon": 1024}


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
    """JSON beside ``path`` then renamed: readers (the dashboard) never see half a status file."""
    atomic_write_bytes(path, json.dumps(payload, indent=2).encode())


def save_checkpoint(path: Path, payload: dict) -> None:
    """``payload`` holds at least "model", "hparams", "model_state" (name, constructor options, weights)."""
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read_checkpoint(path: Path | str, map_location: str | torch.device = "cpu") -> dict:
    """Load with ``weights_only`` (no code from a crafted pickle runs); every failure is ValueError."""
    try:
        path = Path(path)
    except TypeError:
        raise ValueError(f"a checkpoint must be a path, got {path!r}") from None
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
    hparams = check_hparams(name, hparams, f"checkpoint {path}")
    if not isinstance(state, dict) or not all(torch.is_tensor(v) for v in state.values()):
        raise ValueError(f"checkpoint {path} has no usable weights (model_state must map names to tensors)")
    if not all(bool(torch.isfinite(v).all()) for v in state.values() if v.is_floating_point()):
        raise ValueError(f"checkpoint {path} has NaN or infinite weights: it would forecast NaN")
    try:
        model = build(name, **hparams)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(f"checkpoint {path} has hyperparameters the {name!r} model does not take: {exc}") from exc
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {path} does not fit the {name!r} architecture: {exc}") from exc
    return model.to(device).eval(), payload


def check_hparams(name: str, hparams: object, where: str) -> dict:
    """Check hyperparameters against the model constructor's signature and bounds BEFORE building.

    Why: building first let an unknown or list-typed option raise TypeError (which pages do not catch)
    and a huge ``hidden`` try to allocate hundreds of GB; here each becomes one ValueError.
    """
    params = {
        k: p
        for k, p in inspect.signature(MODELS[name]).parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    unknown = sorted(str(k) for k in hparams if k not in params) if isinstance(hparams, dict) else []
    if unknown:
        raise ValueError(
            f"{where} has hyperparameters the {name!r} model does not take: {unknown} (known: {sorted(params)})"
        )
    try:
        checked = check_model_options("hyperparameter", hparams)
        check_model_size("hyperparameters", checked, checked.get("lookback", 100), checked.get("horizon", 10))
    except ValueError as exc:
        raise ValueError(f"{where} has malformed hyperparameters: {exc}") from None
    for key, most in HPARAM_LIMITS.items():
        if key in checked and not 1 <= checked[key] <= most:
            raise ValueError(
                f"{where} has malformed hyperparameters: {key!r} must be between 1 and {most}, got {checked[key]}"
            )
    missing = [k for k, p in params.items() if p.default is inspect.Parameter.empty and k not in checked]
    if missing:
        raise ValueError(f"{where}: hyperparameter(s) {missing} missing for the {name!r} model")
    assert max(checked.values(), default=0) <= MAX_WIDTH
    return checked


def export_pretrained(run_dir: Path | str, dest: Path | str) -> Path:
    """Copy a run's best model into ``dest`` (a shipped-checkpoint folder), without optimiser state.

    Keeps what a user needs to trust and reproduce it: ``best.pt`` (weights, hparams, step, validation
    score, config), ``config.json`` and ``metrics.jsonl`` (the training curve).
    """
    run_dir, dest = Path(run_dir), Path(dest)
    payload = read_checkpoint(run_dir / "best.pt")
    keep = {
        k: payload[k] for k in ("task", "model", "hparams", "model_state", "step", "best_val", "config") if k in payload
    }
    dest.mkdir(parents=True, exist_ok=True)
    save_checkpoint(dest / "best.pt", keep)
    for name in ("config.json", "metrics.jsonl"):
        (dest / name).write_bytes((run_dir / name).read_bytes())
    return dest
