"""Signal generator throughput: core.signals.generate (one vectorised pass) vs a per-signal numpy loop.

python benchmarks/bench_generate.py
"""

import math

import numpy as np
import torch
from _common import median_time

from core.runtime import configure_threads
from core.signals import SignalSpec, generate


def numpy_loop(spec: SignalSpec, n: int, seed: int) -> np.ndarray:
    """The straightforward way: one signal at a time, one component at a time (the original notebook's way)."""
    rng = np.random.default_rng(seed)
    t = np.arange(spec.length)
    out = np.empty((n, spec.length))
    for i in range(n):
        k = rng.integers(spec.components[0], spec.components[1] + 1)
        x = np.zeros(spec.length)
        amps = rng.random(k)
        amps /= amps.sum()
        for a in amps:
            period = rng.integers(int(spec.periods[0]), int(spec.periods[1]) + 1)
            x += a * np.cos(2 * math.pi * t / period + rng.random() * 2 * math.pi)
        out[i] = x / np.abs(x).max()
    return out


def main() -> None:
    configure_threads()
    n = 4096
    print(f"n={n} signals of length 110, torch threads={torch.get_num_threads()}\n")
    print("| spec | generate (signals/s) | numpy loop (signals/s) | ratio |")
    print("| --- | --- | --- | --- |")
    for name, spec in [
        ("easy (3..6 comps)", SignalSpec()),
        ("final (3..44 comps)", SignalSpec(components=(3, 44), periods=(10, 99))),
    ]:
        fast = median_time(lambda spec=spec: generate(spec, n, seed=1), repeat=5)
        slow = median_time(lambda spec=spec: numpy_loop(spec, n, 1), repeat=3)
        print(f"| {name} | {n / fast:,.0f} | {n / slow:,.0f} | {slow / fast:.1f}x |")
    if torch.cuda.is_available():
        spec = SignalSpec(components=(3, 44), periods=(10, 99))
        gpu = median_time(lambda: (generate(spec, 65536, seed=1, device="cuda"), torch.cuda.synchronize()))
        print(f"\nCUDA: {65536 / gpu:,.0f} signals/s (final spec, n=65536)")


if __name__ == "__main__":
    main()
