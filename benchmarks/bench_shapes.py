"""Every default forecaster on shapes outside every training family, against repeating the last value.

The suites in ``core.evaluation`` are what the models are scored on; the shapes of ``core.shapes`` are
in no suite and no training world (jumps, kinks, counts, white noise, periods beyond the window, ...),
the kinds of series a user may bring. Each shape: ``--n`` series of 110 samples
(``core.evaluation.shape_suite``, seeded), scaled by the lookback (centred on its mean, peak deviation
1) like the real windows, passed as float32; MSE over the 10 samples after a lookback of 100, as a
multiple of repeating the last value's (``naive``). The ``mean`` column is the lookback's mean held
flat, the best guess where nothing can be foreseen.
``!``: some single series' MSE is above 4.

    python benchmarks/bench_shapes.py [--n 1000] [--seed 2027] [--models naive,linear,...]
"""

import argparse

import numpy as np
import torch
from _common import ROOT  # noqa: F401  (puts the repository on sys.path)

from core import evaluation, forecasters, shapes

LOOKBACK, HORIZON = 100, 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=evaluation.SHAPE_SEED)
    parser.add_argument("--models", default=",".join(k for k in forecasters.available() if not k.endswith("-final")))
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.models.split(",")
    loaded = {name: forecasters.load(name) for name in names}
    print(f"MSE / repeating the last value's, {args.n} series per shape, seed {args.seed}, float32 input\n")
    print("| shape | `naive` MSE | mean | " + " | ".join(f"`{name}`" for name in names) + " |")
    print("| --- " * (len(names) + 3) + "|")
    for shape in shapes.KINDS:
        data = evaluation.shape_suite(shape, args.n, args.seed, LOOKBACK, HORIZON)
        history, future = data.history.astype(np.float32), data.future
        naive = ((history[:, -1:] - future) ** 2).mean()
        cells = [f"{((history.mean(1, keepdims=True) - future) ** 2).mean() / naive:.2f}"]
        for forecaster in loaded.values():
            rows = ((np.asarray(forecaster.predict(history, HORIZON), dtype=float) - future) ** 2).mean(1)
            cells.append(f"{rows.mean() / naive:.2f}{'!' if rows.max() > 4 else ''}")
        print(f"| {shape} | {naive:.3g} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
