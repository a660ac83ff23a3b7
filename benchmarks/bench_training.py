"""Training-loop throughput (samples/s): batches generated in one call on the training device (the loop's
way) vs the same model fed by a per-sample torch DataLoader (the original study's way), and what that
rate means for the original study's schedule of 17.5M generated signals. On a machine with CUDA the
batched way is measured there too (batch 256, 4096 and 65536; every draw on the GPU).

    python benchmarks/bench_training.py
    python benchmarks/bench_training.py --quality [--signals 1000000] [--batches 256,4096] [--device cpu]

``--quality`` is time to quality instead: the specialist fft_gru-final's recipe (its curriculum compressed
to ``--signals`` generated signals) trained by the real training loop at each batch size, scaled by
``TrainConfig.at_batch`` (the same signals in fewer steps, lr x sqrt of the factor), and for each: its
samples/s, the signals and seconds it took to reach a validation MSE on ``final`` of 0.019, 0.005 and
0.001, and where it ended. Equal signals is the test of a batch-scaling rule: a larger batch that needs
more signals to get as good is not "the same quality".
"""

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
from _common import ROOT  # puts the repo on sys.path
from torch.utils.data import DataLoader, Dataset

from core.models import build
from core.signals import SignalSpec, generate
from core.training.loop import data_seed
from core.training.tasks import loss_weights

SPEC = SignalSpec(components=(3, 44), periods=(10, 99))
BATCH, STEPS = 256, 40  # 38 measured steps: at 15 the ratio moved by a fifth between runs
CPU = torch.device("cpu")
SCHEDULE = 17_500_000  # signals the original study trained its final model on
SHIPPED_FFT_GRU = json.loads((ROOT / "checkpoints/pretrained/fft_gru/config.json").read_text())["model_options"]
MODELS = {  # name in the table -> (family, options, bf16 autocast, torch.compile)
    "linear_net": ("linear_net", {}, False, False),
    "lstm": ("lstm", {}, False, False),
    "seq2seq": ("seq2seq", {}, False, False),
    "fft_gru": ("fft_gru", {}, False, False),
    "fft_gru, compiled (`compile`)": ("fft_gru", {}, False, True),
    "fft_gru, bf16 autocast (`amp`)": ("fft_gru", {}, True, False),
    "fft_gru, bf16 and compiled": ("fft_gru", {}, True, True),
    "fft_gru, hybrid (shipped: guides and a validated blend)": ("fft_gru", SHIPPED_FFT_GRU, False, False),
}


class PerSample(Dataset):
    """One signal per __getitem__, as a notebook's Dataset does."""

    def __len__(self):
        return 10**9

    def __getitem__(self, i):
        return generate(SPEC, 1, seed=i)[0]


def run(model, batches, device: torch.device = CPU, amp: bool = False, compiled: bool = False) -> float:
    """samples/s of the training step on ``batches``, after two unmeasured steps (a compile happens there)."""
    model.to(device)
    objective = torch.compile(model.loss) if compiled else model.loss
    # the training loop's optimiser: one fused update kernel on CPU and CUDA
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=device.type in ("cpu", "cuda"))
    weights = loss_weights("inv_k", 10, device)
    start, done = time.perf_counter(), 0
    for step, batch in zip(range(STEPS), batches):
        batch = batch.to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=amp):  # as the loop's `amp` does
            loss = objective(batch[:, :100], batch[:, 100:], weights)
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


def step_ab(rounds: int = 5, steps: int = 5) -> None:
    """fft_gru's training step (batch 256, one fixed batch) eager vs compiled, in float32 and bf16: the four
    ways alternate round by round, so a slower minute of a shared machine falls on all of them alike."""
    batch, weights = generate(SPEC, BATCH, seed=0), loss_weights("inv_k", 10, CPU)
    ways = {}
    for compiled in (False, True):
        for amp in (False, True):
            torch.manual_seed(0)
            model = build("fft_gru")
            optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
            objective = torch.compile(model.loss) if compiled else model.loss

            def step(objective=objective, optimizer=optimizer, amp=amp):
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
                    loss = objective(batch[:, :100], batch[:, 100:], weights)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

            step(), step()  # a compile happens here
            ways[(compiled, amp)] = (step, [])
    for _ in range(rounds):
        for step, times in ways.values():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times.append((time.perf_counter() - start) / steps)
    print(f"\nfft_gru step, batch {BATCH}, one fixed batch, the four ways alternating (median of {rounds} rounds)\n")
    print("| step | float32 (ms) | bf16 (ms) |")
    print("| --- | --- | --- |")
    for compiled in (False, True):
        t32, t16 = ways[(compiled, False)][1], ways[(compiled, True)][1]
        print(
            f"| {'compiled' if compiled else 'eager'} | {1e3 * statistics.median(t32):.1f} | "
            f"{1e3 * statistics.median(t16):.1f} |"
        )


THRESHOLDS = (0.019, 0.005, 0.001)


def quality(signals: int, batches: list[int], device: str, amps: tuple[bool, ...] = (False,)) -> None:
    from core.training.config import TrainConfig
    from core.training.loop import train

    recipe = json.loads((ROOT / "checkpoints/pretrained/fft_gru-final/config.json").read_text())
    squeeze = signals / (recipe["batch_size"] * recipe["steps"])
    steps = max(1, round(recipe["steps"] * squeeze))
    base = TrainConfig.from_dict(
        recipe
        | {
            "steps": steps,
            "warmup": max(1, round(recipe["warmup"] * squeeze)),
            "curriculum": [s | {"until": max(1, round(s["until"] * squeeze))} for s in recipe["curriculum"]],
            "eval_every": max(1, steps // 20),
            "checkpoint_every": steps,
            "log_every": max(1, steps // 20),
            "device": device,
        }
    )
    print(
        f"time to quality: fft_gru-final's recipe compressed to {signals:,} signals, device {device}, "
        f"{torch.get_num_threads()} thread(s); validation MSE on `final` ({base.val_size} signals)\n"
    )
    head = " | ".join(f"<= {t} (signals, s)" for t in THRESHOLDS)
    print(f"| batch | bf16 | steps | lr | samples/s | {head} | end: val MSE |")
    print("| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in THRESHOLDS) + " | --- |")
    for batch, amp in ((b, a) for b in batches for a in amps):
        config = replace(base.at_batch(batch), amp=amp)
        with tempfile.TemporaryDirectory() as folder:
            start = time.time()  # the records' clock: seconds include building the model and its validation set
            status = train(config, Path(folder) / "run")
            rows = [json.loads(line) for line in (Path(folder) / "run" / "metrics.jsonl").read_text().splitlines()]
        if status.get("state") != "finished":
            print(f"| {batch} | {amp} | {config.steps} | {config.lr:.2g} | failed: {status.get('message')} |")
            continue
        evals = [r for r in rows if "val_mse" in r]
        reached = []
        for threshold in THRESHOLDS:
            hit = next((r for r in evals if r["val_mse"] <= threshold), None)
            reached.append(
                "not reached" if hit is None else f"{hit['step'] * config.batch_size:,}, {hit['time'] - start:.0f}"
            )
        rate = sum(r.get("samples_per_s", 0) for r in rows) / max(1, sum("samples_per_s" in r for r in rows))
        print(
            f"| {batch} | {'yes' if amp else 'no'} | {config.steps:,} | {config.lr:.2g} | {rate:,.0f} | "
            f"{' | '.join(reached)} | {evals[-1]['val_mse']:.4f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="time to quality at several batch sizes")
    parser.add_argument("--signals", type=int, default=1_000_000, help="--quality: signals per run")
    parser.add_argument("--batches", default=None, help="--quality: comma-separated batch sizes")
    parser.add_argument("--device", default=None, help="--quality: cpu or cuda (default: cuda if present)")
    parser.add_argument("--amp", choices=("off", "on", "both"), default="off", help="--quality: bf16 autocast")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.quality:
        device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
        default = "256,4096,16384,65536" if device == "cuda" else "256,4096"
        amps = {"off": (False,), "on": (True,), "both": (False, True)}[args.amp]
        quality(args.signals, [int(b) for b in (args.batches or default).split(",")], device, amps)
        return
    print(f"batch {BATCH}, final spec, 1 torch thread, CPU\n")
    print("| model | batched on device (samples/s) | per-sample DataLoader (samples/s) | ratio | 17.5M signals |")
    print("| --- | --- | --- | --- | --- |")
    for label, (family, options, amp, compiled) in MODELS.items():
        torch.manual_seed(0)
        data = (generate(SPEC, BATCH, seed=data_seed(0, s)) for s in range(STEPS))
        batched = run(build(family, **options), data, amp=amp, compiled=compiled)
        loader = DataLoader(PerSample(), batch_size=BATCH, num_workers=0)
        per_sample = run(build(family, **options), iter(loader), amp=amp, compiled=compiled)
        print(f"| {label} | {batched:,.0f} | {per_sample:,.0f} | {batched / per_sample:.1f}x | {schedule(batched)} |")
    print(
        "\nThe ceiling on that ratio: a step's arithmetic at this core's matrix-multiply rate vs drawing "
        f"{BATCH} signals one by one\n"
    )
    print("| model | step (fwd + bwd) | core's matmul rate | fastest step | per-sample drawing | highest ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    arithmetic_bound("fft_gru", {})  # (nn.LSTM's fused kernel is not counted by torch's FLOP counter)
    step_ab()
    if torch.cuda.is_available():
        device = torch.device("cuda")
        print(f"\nCUDA: {torch.cuda.get_device_name(device)}, data generated on the GPU\n")
        print("| model | batch | samples/s | 17.5M signals |")
        print("| --- | --- | --- | --- |")
        for label, (family, options, amp, compiled) in MODELS.items():
            for batch in (BATCH, 4096, 65536):
                data = (
                    generate(SPEC, batch, seed=data_seed(0, s), device=device, draw_on="device") for s in range(STEPS)
                )
                rate = run(build(family, **options), data, device, amp, compiled)
                print(f"| {label} | {batch} | {rate:,.0f} | {schedule(rate)} |")


if __name__ == "__main__":
    main()
