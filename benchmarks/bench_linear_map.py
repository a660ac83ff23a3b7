"""The best single linear map a world allows, against repeating the last value, as the world's share of curves grows.

``linear_net`` is one learned linear layer, lookback 100 -> horizon 10, applied to the lookback centred
on its mean and scaled to peak deviation 1. The best such map for a training world has a closed form:
least squares over the world's signals. This solves it exactly on ``--signals`` signals of the shipped
``linear_net``'s world (its ``config.json``), with ``SignalSpec.curves`` (the share of the non-clean
signals that are a smooth trend with one seasonal harmonic) set to each of ``--curves``, and scores it
on every suite, inputs as float32, on seeds no run draws. What it shows: a fixed map that beats repeating
the last value on ``trends`` does so only when curves fill about half of its world, and then it is no
better than repeating the last value anywhere else.

    python benchmarks/bench_linear_map.py [--signals 100000] [--curves 0 0.35 0.7] [--seeds 777 778]
"""

import argparse
import json

import numpy as np
import torch
from _common import ROOT

from core.evaluation import HORIZON, LOOKBACK, SUITES, suite
from core.models.base import normalise
from core.signals import SignalSpec, generate

CHUNK = 10_000


def best_map(spec: SignalSpec, signals: int, seed: int = 5) -> torch.Tensor:
    """The least-squares map [LOOKBACK, HORIZON] from scaled lookback to scaled future over ``signals`` draws."""
    gram = torch.zeros(LOOKBACK, LOOKBACK, dtype=torch.float64)
    cross = torch.zeros(LOOKBACK, HORIZON, dtype=torch.float64)
    for k in range(max(1, signals // CHUNK)):
        x = generate(spec, CHUNK, seed=seed + k, dtype=torch.float64)
        z, mean, scale = normalise(x[:, :LOOKBACK])
        gram += z.T @ z
        cross += z.T @ ((x[:, LOOKBACK:] - mean) / scale)
    gram += 1e-6 * gram.diagonal().mean() * torch.eye(LOOKBACK, dtype=torch.float64)
    return torch.linalg.solve(gram, cross)


def ratios(weights: torch.Tensor, seeds: list[int]) -> dict[str, float]:
    """Per suite: the map's MSE over the seeds' signals / repeating the last value's."""
    out = {}
    for name in SUITES:
        err = naive = 0.0
        for seed in seeds:
            s = suite(name, n=256, seed=seed)
            history = torch.tensor(s.history.astype(np.float32), dtype=torch.float64)
            z, mean, scale = normalise(history)
            forecast = ((z @ weights) * scale + mean).numpy()
            err += ((forecast - s.future) ** 2).mean()
            naive += ((s.history[:, -1:] - s.future) ** 2).mean()
        out[name] = err / naive
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--curves", type=float, nargs="+", default=[0.0, 0.35, 0.7])
    parser.add_argument("--seeds", type=int, nargs="+", default=[777, 778])
    args = parser.parse_args()
    torch.set_num_threads(1)
    world = json.loads((ROOT / "checkpoints/pretrained/linear_net/config.json").read_text())["signal"]
    print(f"MSE / repeating the last value, suites at seeds {args.seeds} (256 each, float32); * = worse\n")
    print("| curves | " + " | ".join(SUITES) + " |")
    print("| --- " * (len(SUITES) + 1) + "|")
    for share in args.curves:
        spec = SignalSpec.from_dict({**world, "curves": share, "length": LOOKBACK + HORIZON})
        cells = [f"{r:.2f}{'*' if r > 1 else ''}" for r in ratios(best_map(spec, args.signals), args.seeds).values()]
        print(f"| {share} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
