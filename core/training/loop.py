"""The training loop: one function a person can hold in their head, that resumes and runs under DDP.

A run lives in a folder (README, "Training"): ``config.json``, ``metrics.jsonl`` (one JSON object
per logged step, flushed), ``status.json`` (replaced atomically), ``last.pt`` and ``best.pt``. What is
trained comes from the run's task (``core.training.tasks``: forecasting, frames, autoencoders): the
loop asks it for a model, a batch per step and a validation score. Data is drawn per step on the
training device with a seed derived from the run seed, the step and the DDP rank, so a resumed run
sees exactly the data the uninterrupted one would.
"""

from __future__ import annotations

import json
import math
import os
import signal
import time
import traceback
from pathlib import Path

import torch
import torch.distributed as dist

from core.checkpoints import atomic_write_bytes, atomic_write_json, read_checkpoint, save_checkpoint
from core.runtime import pick_device
from core.training.config import TrainConfig
from core.training.tasks import get_task

STATES = ("queued", "running", "finished", "stopped", "failed")


class TrainingFailed(RuntimeError):
    """The run cannot go on (a NaN loss, say); the message says why."""


def data_seed(run_seed: int, step: int, rank: int = 0) -> int:
    return (run_seed * 1_000_003 + step) * 64 + rank


def lr_at(config: TrainConfig, step: int) -> float:
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    if config.schedule == "constant":
        return config.lr
    progress = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


class RunFiles:
    """The files of one run folder; only rank 0 writes them."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self.config = self.dir / "config.json"
        self.metrics = self.dir / "metrics.jsonl"
        self.status = self.dir / "status.json"
        self.last = self.dir / "last.pt"
        self.best = self.dir / "best.pt"
        self.stop_request = self.dir / "STOP"

    def write_status(self, state: str, step: int, steps: int, message: str = "", **extra) -> None:
        assert state in STATES
        payload = {"state": state, "pid": os.getpid(), "step": step, "steps": steps, "message": message}
        payload.update(updated=time.time(), **extra)
        atomic_write_json(self.status, payload)

    def forget_metrics_after(self, step: int) -> None:
        """Drop logged records past ``step`` (written after the last checkpoint of a killed run), so a
        resumed run's curve does not repeat the steps it replays. Rewritten atomically."""
        if not self.metrics.exists():
            return
        kept = []
        for line in self.metrics.read_text().splitlines():
            try:
                if int(json.loads(line).get("step", 0)) <= step:
                    kept.append(line)
            except (ValueError, AttributeError, TypeError):
                continue  # a line cut short by the kill
        atomic_write_bytes(self.metrics, "".join(f"{line}\n" for line in kept).encode())

    def read_status(self) -> dict:
        try:
            return json.loads(self.status.read_text())
        except (OSError, ValueError):
            return {}


class Objective(torch.nn.Module):
    """``model.loss`` as a module's forward, so DistributedDataParallel can sync its gradients."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *batch: torch.Tensor) -> torch.Tensor:
        return self.model.loss(*batch)


def _distributed() -> tuple[int, int]:
    """(rank, world size) under torchrun, else (0, 1). Initialises the process group once."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank(), dist.get_world_size()


def train(config: TrainConfig, run_dir: Path | str, resume: bool = False, progress: bool = False) -> dict:
    """Train (or resume) the run in ``run_dir``; returns its final status. Never raises for a failed run:
    the failure is written to ``status.json`` and returned, because a background process has no caller."""
    files = RunFiles(Path(run_dir))
    rank, world = _distributed()
    writer = rank == 0
    step, failed = 0, False
    try:
        device = pick_device(config.device)
        if world > 1 and device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
        if writer:
            files.dir.mkdir(parents=True, exist_ok=True)
            if not files.config.exists():
                config.save(files.config)
        task = get_task(config.task)
        torch.manual_seed(config.seed)
        model = task.build(config)
        model.to(device)
        # One fused kernel for the whole update where torch has one (CPU, CUDA): on this 2-core CPU the
        # fft_gru's optimiser step went from 0.9-1.4 ms to 0.3 ms (of a ~50 ms step); the same update.
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=device.type in ("cpu", "cuda")
        )
        best_val = math.inf
        if config.init_from and not (resume and files.last.exists()):  # fine-tuning: start from these weights
            start = read_checkpoint(config.init_from, map_location=device)
            try:
                model.load_state_dict(start["model_state"])
            except (RuntimeError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"init_from {config.init_from} does not fit {config.model} with {config.model_options}: {exc}"
                ) from None
        if resume and files.last.exists():
            state = read_checkpoint(files.last, map_location=device)
            model.load_state_dict(state["model_state"])
            optimizer.load_state_dict(state["optimizer"])
            step, best_val = int(state["step"]), float(state["best_val"])
            torch.set_rng_state(state["rng"])
            if writer:
                files.forget_metrics_after(step)  # those steps are about to be trained again
        objective = Objective(model)
        trainer = torch.nn.parallel.DistributedDataParallel(objective) if world > 1 else objective
        if config.compile:  # the wrapper is compiled; the model, its state_dict and validation stay eager
            trainer = torch.compile(trainer)
        held_out = task.validation(config, device)
        describe = getattr(task, "describe", lambda config, step: {})
        # bf16 autocast (``amp``) on CUDA and on CPUs (on this project's CPU, which has AMX bf16 units, fft_gru
        # steps ~1.7x faster: benchmarks/bench_training.py); validation is scored in float32 either way.
        autocast = torch.autocast(
            device.type, dtype=torch.bfloat16, enabled=config.amp and device.type in ("cuda", "cpu")
        )

        def checkpoint(path: Path) -> None:
            save_checkpoint(
                path,
                {
                    "task": config.task,
                    "model": config.model,
                    "hparams": model.hparams,
                    "model_state": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "step": step,
                    "best_val": best_val,
                    "stage": config.stage(step),
                    "rng": torch.get_rng_state(),
                    "config": config.to_dict(),
                },
            )

        board, note = None, ""
        if writer and config.tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter

                board = SummaryWriter(str(files.dir / "tensorboard"))
            except ImportError:
                note = " (TensorBoard asked for but not installed: pip install tensorboard)"
        if writer:
            files.write_status("running", step, config.steps, f"training on {device.type}{note}", device=str(device))
        metrics = open(files.metrics, "a") if writer else None  # noqa: SIM115 - closed in finally
        bar = None
        if progress and writer:
            from tqdm import tqdm

            bar = tqdm(total=config.steps, initial=step, desc=f"{config.model}", unit="step")
        window_start, window_samples = time.perf_counter(), 0
        stop_flag = {"stop": False}
        if writer and hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, lambda *_: stop_flag.update(stop=True))

        def stop_requested(at: int) -> bool:
            """A STOP file or SIGTERM. Under DDP every rank must stop at the same step or the others hang
            in the next all-reduce: rank 0's answer is shared at each log step (one tiny collective then,
            none in between)."""
            asked = files.stop_request.exists() or stop_flag["stop"]
            if world == 1:
                return asked
            if at % config.log_every:
                return False
            flag = torch.tensor([int(asked and writer)], device=device)
            dist.broadcast(flag, src=0)
            return bool(flag.item())

        model.train()
        first_bad = torch.tensor(-1, device=device)
        try:
            while step < config.steps:
                if stop_requested(step):
                    if not writer:
                        return {"state": "stopped", "step": step}
                    checkpoint(files.last)
                    files.stop_request.unlink(missing_ok=True)  # consumed: a later resume runs
                    files.write_status("stopped", step, config.steps, "stopped on request", best_val=best_val)
                    return files.read_status()
                for group in optimizer.param_groups:
                    group["lr"] = lr_at(config, step)
                batch = task.batch(config, step, data_seed(config.seed, step, rank), device)
                with autocast:
                    loss = trainer(*batch)
                # Remember the first non-finite step on the device; it is read on the host only at the
                # next log, evaluation or checkpoint (no per-step synchronisation, which stalls a GPU).
                first_bad = torch.where((first_bad < 0) & ~torch.isfinite(loss.detach()), step, first_bad)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if config.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
                optimizer.step()
                step += 1
                window_samples += config.batch_size * world
                boundary = any(
                    step % every == 0 for every in (config.log_every, config.eval_every, config.checkpoint_every)
                )
                if boundary or step == config.steps:
                    bad_step = int(first_bad)  # the one host read, before anything is logged or saved
                    if bad_step >= 0:
                        step = bad_step
                        raise TrainingFailed(f"the loss became nan or infinite at step {bad_step}: training stopped")
                if bar is not None:
                    bar.update(1)
                    if step % config.log_every == 0:
                        bar.set_postfix(loss=f"{loss.item():.3g}")
                record = None
                if step % config.log_every == 0 or step == config.steps:
                    elapsed = time.perf_counter() - window_start
                    record = {
                        "step": step,
                        "train_loss": loss.item(),
                        "lr": optimizer.param_groups[0]["lr"],
                        "stage": config.stage(step),
                        "samples_per_s": window_samples / max(elapsed, 1e-9),
                        "time": time.time(),
                        **describe(config, step),
                    }
                    window_start, window_samples = time.perf_counter(), 0
                if step % config.eval_every == 0 or step == config.steps:
                    val = task.score(model, *held_out)
                    model.train()
                    record = (record or {"step": step, "time": time.time()}) | {"val_mse": val}
                    if val < best_val:
                        best_val = val
                        if writer:
                            checkpoint(files.best)
                if writer and record is not None:
                    metrics.write(json.dumps(record) + "\n")
                    metrics.flush()
                    if board is not None:
                        for key in ("train_loss", "val_mse", "lr", "samples_per_s"):
                            if key in record:
                                board.add_scalar(key, record[key], step)
                if writer and (step % config.checkpoint_every == 0 or step == config.steps):
                    checkpoint(files.last)
                    files.write_status(
                        "running", step, config.steps, note.strip(), device=str(device), best_val=best_val
                    )
        finally:
            if metrics is not None:
                metrics.close()
            if bar is not None:
                bar.close()
            if board is not None:
                board.close()
        if not writer:
            return {"state": "finished", "step": step}
        files.write_status("finished", step, config.steps, "done", device=str(device), best_val=best_val)
        return files.read_status()
    except Exception as exc:
        failed = True
        if writer:
            tail = "".join(traceback.format_exception(exc)[-6:])
            files.dir.mkdir(parents=True, exist_ok=True)
            files.write_status("failed", step, config.steps, str(exc), traceback=tail)
        return files.read_status() if writer else {"state": "failed", "message": str(exc)}
    finally:
        if world > 1 and dist.is_initialized():
            if not failed:
                # A rank that tore its process group down while another was still writing the final
                # checkpoint aborted in gloo ("terminate called without an active exception"), about
                # one run in three: leave together. (A failed rank skips this: no peer may be waiting.)
                dist.barrier()
            dist.destroy_process_group()
