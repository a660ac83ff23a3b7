"""Training-loop throughput (samples/s): batches generated in one call on the training device (the loop's
way) vs the same model fed by a per-sample torch DataLoader (the original study's way).

    python benchmarks/bench_training.py
"""

import time

import torch
from _common import ROOT  # noqa: F401 - puts the repo on sys.path
from torch.utils.data import DataLoader, Dataset

from core.models import build
from core.signals import SignalSpec, generate
from core.training.loop import data_seed
from core.training.tasks import loss_weights

SPEC = SignalSpec(components=(3, 44), periods=(10, 99))
BATCH, STEPS = 256, 15


class PerSample(Dataset):
    """One signal per __getitem__, as a notebook's Dataset does."""

    def __len__(self):
        return 10**9

    def __getitem__(self, i):
        return generate(SPEC, 1, seed=i)[0]


def run(model, batches) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    weights = loss_weights("inv_k", 10, torch.device("cpu"))
    start, done = time.perf_counter(), 0
    for step, batch in zip(range(STEPS), batches):
        loss = model.loss(batch[:, :100], batch[:, 100:], weights)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done += len(batch)
        if step == 1:  # skip warm-up
            start, done = time.perf_counter(), 0
    return done / (time.perf_counter() - start)


def main() -> None:
    torch.set_num_threads(1)
    print(f"batch {BATCH}, final spec, 1 torch thread, CPU\n")
    print("| model | batched on device (samples/s) | per-sample DataLoader (samples/s) | ratio |")
    print("| --- | --- | --- | --- |")
    for name in ("linear_net", "lstm", "seq2seq", "fft_gru"):
        torch.manual_seed(0)
        batched = run(build(name), (generate(SPEC, BATCH, seed=data_seed(0, s)) for s in range(STEPS)))
        loader = DataLoader(PerSample(), batch_size=BATCH, num_workers=0)
        per_sample = run(build(name), iter(loader))
        print(f"| {name} | {batched:,.0f} | {per_sample:,.0f} | {batched / per_sample:.1f}x |")


if __name__ == "__main__":
    main()
