"""Model speed: LSTM rollout with carried state vs recomputing the sequence each step; fft_gru training
step vs a per-step-tensor-write implementation; each forecaster's latency at B=1 and B=256; torch threads 1 vs 2.

    python benchmarks/bench_models.py
"""

import numpy as np
import torch
from _common import median_time

from core import forecasters
from core.evaluation import suite
from core.models import build
from core.models.base import normalise, spectrum_features, weighted_mse


def fft_gru_per_step_writes_loss(model, history, future, weights):
    """The straightforward implementation: preallocate the output and write each step into it in place."""
    z, mean, scale = normalise(history)
    state = model.mlp(torch.cat([z, spectrum_features(z)], 1))
    value = z[:, -1:]
    out = torch.zeros(future.shape, dtype=z.dtype)
    for k in range(future.shape[1]):
        state = model.cell(value, state)
        value = value + model.head(state)
        out[:, k] = value[:, 0]  # per-step tensor write
    return weighted_mse(out, (future - mean) / scale, weights)


def train_step(model, loss_fn, optimizer, history, future, weights):
    optimizer.zero_grad()
    loss_fn(history, future, weights).backward()
    optimizer.step()


def measure(threads: int) -> tuple[float, float, float, float]:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    lstm = build("lstm", hidden=64).eval()
    history = torch.randn(64, 100)
    with torch.inference_mode():
        carried = median_time(lambda: lstm(history, 50), repeat=5)
        recompute = median_time(lambda: lstm.forward_recompute(history, 50), repeat=3)
    model = build("fft_gru")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    h, f, w = torch.randn(256, 100), torch.randn(256, 10), torch.full((10,), 0.1)
    stacked = median_time(lambda: train_step(model, model.loss, optimizer, h, f, w), repeat=10)
    per_step = lambda *a: fft_gru_per_step_writes_loss(model, *a)
    writes = median_time(lambda: train_step(model, per_step, optimizer, h, f, w), repeat=10)
    return carried, recompute, stacked, writes


def main() -> None:
    results = {threads: measure(threads) for threads in (1, 2)}
    print(
        "| threads | LSTM rollout carried (ms) | recompute each step (ms) | ratio | fft_gru step stacked (ms) "
        "| per-step writes (ms) | ratio | fft_gru samples/s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for threads, (carried, recompute, stacked, writes) in results.items():
        print(
            f"| {threads} | {carried * 1e3:.1f} | {recompute * 1e3:.1f} | {recompute / carried:.1f}x | "
            f"{stacked * 1e3:.1f} | {writes * 1e3:.1f} | {writes / stacked:.2f}x | {256 / stacked:,.0f} |"
        )
    print(
        f"\n2 threads vs 1 thread, LSTM rollout: {results[2][0] / results[1][0]:.2f}x the time; "
        f"fft_gru training step: {results[2][2] / results[1][2]:.2f}x the time"
    )

    torch.set_num_threads(1)
    data = suite("final", n=256)
    print("\n| forecaster | B=1 (ms) | B=256 (ms) |")
    print("| --- | --- | --- |")
    for name in forecasters.available():
        try:
            f = forecasters.load(name)
        except ValueError as exc:
            print(f"| {name} | - | - | ({exc})")
            continue
        one = median_time(lambda f=f: f.predict(data.history[:1], 10), repeat=20)
        many = median_time(lambda f=f: f.predict(data.history, 10), repeat=5)
        print(f"| {name} | {one * 1e3:.2f} | {many * 1e3:.1f} |")
    np.set_printoptions()


if __name__ == "__main__":
    main()
