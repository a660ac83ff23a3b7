"""``python -m core.evaluate --suite NAME [--models a,b] [--n N] [--seed S] [--json PATH]``.

Prints a markdown table (MSE, MAE, MSE per horizon step) and optionally writes the full JSON
(per-horizon confidence intervals, MSE against the number of components).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import forecasters
from core.evaluation import SUITES, markdown_table, score, suite, to_json
from core.runtime import configure_threads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--suite", required=True, choices=sorted(SUITES))
    parser.add_argument("--models", default=",".join(forecasters.available()), help="comma-separated names")
    parser.add_argument("--n", type=int, default=1000, help="number of signals (default 1000)")
    parser.add_argument("--seed", type=int, default=None, help="override the suite's fixed seed")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="MODEL=PATH_OR_RUN",
        help="use this checkpoint for MODEL instead of the shipped one (repeatable)",
    )
    args = parser.parse_args(argv)
    configure_threads()
    checkpoints = dict(item.split("=", 1) for item in args.checkpoint)
    data = suite(args.suite, n=args.n, seed=args.seed)
    results, problems = {}, []
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        try:
            model = forecasters.load(name, checkpoint=checkpoints.get(name))
            results[name] = score(model, data.history, data.future)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
    if not results:
        print("no model could be evaluated:\n" + "\n".join(problems), file=sys.stderr)
        return 2
    print(
        f"suite {args.suite}, {len(data.history)} signals, lookback {data.history.shape[1]}, "
        f"horizon {data.future.shape[1]}\n"
    )
    print(markdown_table(results))
    for problem in problems:
        print(f"\nskipped {problem}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(to_json(args.suite, results, data), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
