"""``python -m core.training``: train headless with the code the dashboard launches.

Examples:
    python -m core.training --model fft_gru --steps 3000 --run-id my-run
    python -m core.training --config run.json --run-id my-run
    python -m core.training --resume my-run
    python -m core.training --config run.json --at-batch 16384 --run-id big  # the same run, GPU-sized steps
    torchrun --nproc_per_node=2 -m core.training --model lstm --steps 500 --run-id ddp-run
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from dataclasses import fields
from pathlib import Path

from core.runtime import configure_threads, parse_threads, runs_root
from core.training.config import TrainConfig
from core.training.loop import train
from core.validation import check_run_id


def _json_object(text: str) -> dict:
    """--model-options: a JSON object, or argparse's one-line usage error (exit 2, no traceback)."""
    try:
        value = json.loads(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not valid JSON: {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"must be a JSON object such as '{{\"hidden\": 128}}', got {text!r}")
    return value


def _bool(text: str) -> bool:
    """true/false, yes/no, 1/0: anything else is an error rather than a silent False."""
    low = text.strip().lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag is one ValueError line (exit 2 from main), not usage text plus error."""

    def error(self, message: str):  # type: ignore[override]
        raise ValueError(f"{message} (see python -m core.training --help)")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _Parser(prog="python -m core.training", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="a JSON file of TrainConfig fields")
    parser.add_argument("--resume", metavar="RUN", help="continue run RUN from its last checkpoint")
    parser.add_argument("--run-id", help="name of the run folder (default: model-timestamp)")
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="where run folders live (default: $HARMONICS_CHECKPOINTS or checkpoints/)",
    )
    parser.add_argument(
        "--threads",
        type=lambda v: _argtype(parse_threads, v, "--threads"),
        default=None,
        help="torch CPU threads (default 1, see README)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    for f in fields(TrainConfig):
        if f.type in ("int", "float", "str", "bool"):
            kind = {"int": int, "float": float, "str": str, "bool": _bool}
            parser.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, type=kind[f.type], default=None)
    parser.add_argument("--components", type=int, nargs=2, metavar=("MIN", "MAX"), help="signal component range")
    parser.add_argument("--model-options", type=_json_object, help="JSON, e.g. '{\"hidden\": 128}'")
    parser.add_argument(
        "--at-batch",
        type=int,
        metavar="B",
        help="the same run at batch B: the same signals in fewer, larger steps (steps, curriculum and "
        "intervals divided, lr x sqrt of the factor); for a GPU, e.g. 4096-65536",
    )
    return parser.parse_args(argv)


def _argtype(check, value: str, flag: str):
    try:
        return check(value, flag)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    try:
        return run(parse(argv))
    except ValueError as exc:  # bad input of any kind: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _read_config(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, RecursionError) as exc:
        raise ValueError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"the config file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the config file {path} must hold a JSON object of training options")
    return data


def _claim_default_run_dir(root: Path, base: str) -> Path:
    """Create ``base``, else ``base-2``, ``base-3``, ...: mkdir is atomic, so ten CLI runs started in the
    same second get ten folders (they once lost nine to "exists already")."""
    root.mkdir(parents=True, exist_ok=True)
    name, copy = base, 1
    while True:
        try:
            (root / name).mkdir()
            return root / name
        except FileExistsError:
            copy += 1
            name = f"{base}-{copy}"


def run(args: argparse.Namespace) -> int:
    configure_threads(args.threads)
    args.root = args.root if args.root is not None else runs_root()  # the folder the dashboard reads
    if args.resume:
        check_run_id(args.resume)
        run_dir = args.root / args.resume
        if not (run_dir / "config.json").exists():
            print(f"no run {args.resume!r} under {args.root}/", file=sys.stderr)
            return 2
        given = [f.name for f in fields(TrainConfig) if getattr(args, f.name, None) is not None]
        given += [name for name in ("config", "components", "model_options", "at_batch") if getattr(args, name)]
        if given:
            raise ValueError(
                "--resume continues a run with its own config.json; options given with it would be ignored "
                f"({', '.join(given)}): start a new run instead"
            )
        try:
            config = TrainConfig.from_dict(_read_config(run_dir / "config.json"))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"run {args.resume!r} has a damaged config.json: {exc}") from None
    else:
        data = _read_config(args.config) if args.config else {}
        for f in fields(TrainConfig):
            value = getattr(args, f.name, None)
            if value is not None:
                data[f.name] = value
        if "warmup" not in data:  # a 50-step run must not spend all of it warming up (default 100)
            data["warmup"] = min(TrainConfig.warmup, int(data.get("steps", TrainConfig.steps)) // 10)
        if args.components:
            data["signal"] = {**data.get("signal", TrainConfig().signal), "components": args.components}
        try:
            config = TrainConfig.from_dict(data)
            if args.at_batch is not None:
                config = config.at_batch(args.at_batch)
        except (TypeError, ValueError) as exc:
            print(f"invalid training config: {exc}", file=sys.stderr)
            return 2
        if args.run_id is not None:
            check_run_id(args.run_id)
        if args.run_id is None and "RANK" not in os.environ:
            run_dir = _claim_default_run_dir(args.root, f"{config.model}-{time.strftime('%Y%m%d-%H%M%S')}")
        else:  # under torchrun every rank must name the same folder: the second is shared by all
            run_dir = args.root / (args.run_id or f"{config.model}-{time.strftime('%Y%m%d-%H%M%S')}")
        if (run_dir / "config.json").exists() and os.environ.get("RANK", "0") == "0":
            print(f"run {run_dir.name!r} exists already: use --resume {run_dir.name}", file=sys.stderr)
            return 2
    if config.tensorboard and importlib.util.find_spec("tensorboard") is None:
        print(
            "note: --tensorboard asked for, but the tensorboard package is not installed: logging without it "
            "(pip install tensorboard)",
            file=sys.stderr,
        )
    status = train(config, run_dir, resume=bool(args.resume), progress=not args.no_progress)
    if os.environ.get("RANK", "0") == "0":  # under torchrun, one summary, not one per rank
        print(json.dumps({k: status.get(k) for k in ("state", "step", "message", "best_val")}))
    return 0 if status.get("state") in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
