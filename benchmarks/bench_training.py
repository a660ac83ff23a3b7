"""Training-loop throughput (samples/s): batches generated in one call on the training device (the loop's
way) vs the same model fed by a per-sample torch DataLoader (the original study's way), and what that
rate means for the original study's schedule of 17.5M generated signals. On a machine with CUDA the
batched way is measured there too (batch 256 and 8192).

    python benchmarks/bench_training.py
"""

import json
import time

import torch
from _common import ROOT  # puts the repo on sys.path
from torch.utils.data import DataLoader, Dataset

from core.models import build
from core.signals import SignalSpec, generate
from core.training.loop import data_seed
from core.training.tasks import loss_weights

SPEC = SignalSpec(components=(3, 44), periods=(10, 99))
BATCH, STEPS = 256, 15
CPU = torch.device("cpu")
SCHEDULE = 17_500_000  # signals the original study trained its final model on
SHIPPED_FFT_GRU = json.loads((ROOT / "checkpoints/pretrained/fft_gru/config.json").read_text())["model_options"]
MODELS = {  # name in the table -> (family, options)
    "linear_net": ("linear_net", {}),
    "lstm": ("lstm", {}),
    "seq2seq": ("seq2seq", {}),
    "fft_gru": ("fft_gru", {}),
    "fft_gru, hybrid (shipped: guides and a validated blend)": ("fft_gru", SHIPPED_FFT_GRU),
}


class PerSample(Dataset):
    """One signal per __getitem__, as a notebook's Dataset does."""

    def __len__(self):
        return 10**9

    def __getitem__(self, i):
        return generate(SPEC, 1, seed=i)[0]


def run(model, batches, device: torch.device = CPU) -> float:
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    weights = loss_weights("inv_k", 10, device)
    start, done = time.perf_counter(), 0
    for step, batch in zip(range(STEPS), batches):
        batch = batch.to(device)
        loss = model.loss(batch[:, :100], batch[:, 100:], weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done += len(batch)
        if step == 1:  # skip warm-up
            if device.type == "cuda":
                torch.cuda.synchronize()
            start, done = time.perf_counter(), 0
    if device.type == "cuda":
        torch.cuda.synchronize()
    return done / (time.perf_counter() - start)


def schedule(rate: float) -> str:
    seconds = SCHEDULE / rate
    return (
        f"{seconds / 3600:.1f} h"
        if seconds > 5400
        else f"{seconds / 60:.0f} min"
        if seconds > 90
        else f"{seconds:.1f} s"
    )


def arithmetic_bound(family: str, options: dict) -> None:
    """The most the batched/per-sample ratio can be on this core: the step's floating-point operations
    (forward and backward, counted by torch) at the core's own measured matrix-multiply rate, against what
    drawing 256 signals one by one costs. Ratio = (per-sample drawing + step) / step. Batching only removes
    the drawing; a step cannot be faster than its arithmetic."""
    from torch.utils.flop_counter import FlopCounterMode

    model = build(family, **options)
    batch = generate(SPEC, BATCH, seed=0)
    weights = loss_weights("inv_k", 10, CPU)
    with FlopCounterMode(display=False) as counter:
        model.loss(batch[:, :100], batch[:, 100:], weights).backward()
    flops = counter.get_total_flops()
    a, w = torch.randn(BATCH, 257), torch.randn(257, 768)  # the GRU's gate multiply, its largest per step
    for _ in range(20):
        a @ w
    start = time.perf_counter()
    for _ in range(400):
        a @ w
    rate = 400 * 2 * a.shape[0] * a.shape[1] * w.shape[1] / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(BATCH):
        generate(SPEC, 1, seed=i)
    drawing = time.perf_counter() - start
    fastest = flops / rate
    print(
        f"| {family} | {flops / 1e9:.2f} GFLOP | {rate / 1e9:.0f} GFLOP/s | {1e3 * fastest:.0f} ms | "
        f"{1e3 * drawing:.0f} ms | {(drawing + fastest) / fastest:.1f}x |"
    )


def main() -> None:
    torch.set_num_threads(1)
    print(f"batch {BATCH}, final spec, 1 torch thread, CPU\n")
    print("| model | batched on device (samples/s) | per-sample DataLoader (samples/s) | ratio | 17.5M signals |")
    print("| --- | --- | --- | --- | --- |")
    for label, (family, options) in MODELS.items():
        torch.manual_seed(0)
        batched = run(build(family, **options), (generate(SPEC, BATCH, seed=data_seed(0, s)) for s in range(STEPS)))
        loader = DataLoader(PerSample(), batch_size=BATCH, num_workers=0)
        per_sample = run(build(family, **options), iter(loader))
        print(f"| {label} | {batched:,.0f} | {per_sample:,.0f} | {batched / per_sample:.1f}x | {schedule(batched)} |")
    print(
        "\nThe ceiling on that ratio: a step's arithmetic at this core's matrix-multiply rate vs drawing "
        f"{BATCH} signals one by one\n"
    )
    print("| model | step (fwd + bwd) | core's matmul rate | fastest step | per-sample drawing | highest ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    arithmetic_bound("fft_gru", {})  # (nn.LSTM's fused kernel is not counted by torch's FLOP counter)
    if torch.cuda.is_available():
        device = torch.device("cuda")
        print(f"\nCUDA: {torch.cuda.get_device_name(device)}, data generated on the GPU\n")
        print("| model | batch | samples/s | 17.5M signals |")
        print("| --- | --- | --- | --- |")
        for label, (family, options) in MODELS.items():
            for batch in (BATCH, 8192):
                data = (generate(SPEC, batch, seed=data_seed(0, s), device=device) for s in range(STEPS))
                rate = run(build(family, **options), data, device)
                print(f"| {label} | {batch} | {rate:,.0f} | {schedule(rate)} |")


if __name__ == "__main__":
    main()
