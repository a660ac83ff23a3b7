"""``python -m core.training``: train headless with the code the dashboard launches.

Examples:
    python -m core.training --model fft_gru --steps 3000 --run-id my-run
    python -m core.training --config run.json --run-id my-run
    python -m core.training --resume my-run
    torchrun --nproc_per_node=2 -m core.training --model lstm --steps 500 --run-id ddp-run
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import fields
from pathlib import Path

from core.runtime import configure_threads
from core.training.config import TrainConfig
from core.training.loop import train


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core.training", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="a JSON file of TrainConfig fields")
    parser.add_argument("--resume", metavar="RUN", help="continue run RUN from its last checkpoint")
    parser.add_argument("--run-id", help="name of the run folder (default: model-timestamp)")
    parser.add_argument("--root", type=Path, default=Path("checkpoints"), help="where run folders live")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default 1, see README)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    for f in fields(TrainConfig):
        if f.type in ("int", "float", "str", "bool"):
            kind = {"int": int, "float": float, "str": str, "bool": lambda v: v.lower() in ("1", "true", "yes")}
            parser.add_argument(f"--{f.name.replace('_', '-')}", dest=f.name, type=kind[f.type], default=None)
    parser.add_argument("--components", type=int, nargs=2, metavar=("MIN", "MAX"), help="signal component range")
    parser.add_argument("--model-options", type=json.loads, help="JSON, e.g. '{\"hidden\": 128}'")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    try:
        return run(args)
    except ValueError as exc:  # bad input of any kind: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _read_config(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise ValueError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"the config file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the config file {path} must hold a JSON object of training options")
    return data


def run(args: argparse.Namespace) -> int:
    configure_threads(args.threads)
    if args.resume:
        run_dir = args.root / args.resume
        if not (run_dir / "config.json").exists():
            print(f"no run {args.resume!r} under {args.root}/", file=sys.stderr)
            return 2
        given = [f.name for f in fields(TrainConfig) if getattr(args, f.name, None) is not None]
        if given or args.config or args.components or args.model_options:
            raise ValueError(
                "--resume continues a run with its own config.json; options given with it would be ignored "
                f"({', '.join(given) or 'config/components/model options'}): start a new run instead"
            )
        try:
            config = TrainConfig.from_dict(_read_config(run_dir / "config.json"))
        except TypeError as exc:
            raise ValueError(f"run {args.resume!r} has a damaged config.json: {exc}") from None
    else:
        data = _read_config(args.config) if args.config else {}
        for f in fields(TrainConfig):
            value = getattr(args, f.name, None)
            if value is not None:
                data[f.name] = value
        if args.components:
            data["signal"] = {**data.get("signal", TrainConfig().signal), "components": args.components}
        try:
            config = TrainConfig.from_dict(data)
        except (TypeError, ValueError) as exc:
            print(f"invalid training config: {exc}", file=sys.stderr)
            return 2
        run_dir = args.root / (args.run_id or f"{config.model}-{time.strftime('%Y%m%d-%H%M%S')}")
        if (run_dir / "config.json").exists() and os.environ.get("RANK", "0") == "0":
            print(f"run {run_dir.name!r} exists already: use --resume {run_dir.name}", file=sys.stderr)
            return 2
    status = train(config, run_dir, resume=bool(args.resume), progress=not args.no_progress)
    print(json.dumps({k: status.get(k) for k in ("state", "step", "message", "best_val")}))
    return 0 if status.get("state") in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
