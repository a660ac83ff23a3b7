"""TrainConfig: everything needed to build, train and resume a run, round-tripped through JSON."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from core.signals import SignalSpec
from core.training.tasks import get_task
from core.validation import check_number

LOSSES = ("mse", "inv_k")
# Bounds checked before anything is allocated: a typo must give a message, not an out-of-memory kill.
LIMITS = {
    "lookback": 4096,
    "horizon": 1024,
    "batch_size": 65536,
    "steps": 100_000_000,
    "eval_every": 100_000_000,
    "checkpoint_every": 100_000_000,
    "log_every": 100_000_000,
    "val_size": 65536,
}
MAX_BATCH_VALUES = 2**24  # 16M float32 values, 64 MB, per generated batch
SCHEDULES = ("constant", "cosine")


@dataclass
class TrainConfig:
    """A training run. ``signal`` is the final data distribution; ``curriculum`` grows into it.

    task: what is trained (``core.training.tasks``): "forecast" (the default: ``model`` is one of
        ``core.models``, data from ``signal``, ``lookback`` and ``horizon``), "frames" or "autoencoder"
        (``model`` and ``data`` are that domain's; ``signal``, ``curriculum``, ``lookback``, ``horizon``
        and ``loss`` are not used).
    data: the task's data options (frames: ``{"preset": "blob32"}``); empty for forecasting.

    curriculum: list of ``{"until": step, "components": [min, max]}`` stages; before each stage's
        ``until`` step the signals have that component range, after the last stage ``signal``'s.
    loss: "mse" (every horizon step counts the same) or "inv_k" (step k weighs 1/k, normalised).
    device: "auto" (cuda > mps > cpu), or a device name that must then exist.
    tensorboard: also log to ``<run>/tensorboard`` when the tensorboard package is installed.
    init_from: a checkpoint (a shipped or a run's ``best.pt``) whose weights a new run starts from instead
        of a fresh initialisation: fine-tuning, with the same loop. It must fit ``model`` and
        ``model_options``; a resumed run continues from its own ``last.pt`` and ignores it.
    amp: bf16 autocast in the training step (CUDA and CPU); weights, optimiser and validation stay float32.
    compile: the training step's forward (``model.loss``) through ``torch.compile`` (a C++ compiler on a
        CPU). It costs a compile at the start (about a minute cold on this project's CPU, seconds from
        the compile cache) and pays where the step is many small operations: fft_gru's step at batch
        256 on one CPU thread, 47 -> 43 ms in float32 and 28 -> 23 ms in bf16 (benchmarks/bench_training.py).
    clean_target: forecast task: the loss compares the forecast with the future as it was before the
        noise was added (the lookback stays noisy). The noise is zero-mean and independent of the past,
        so the best forecast is the same either way, but the gradient no longer carries the noise's
        own error: at 20% noise most of each step's squared error is noise no forecaster can predict.
        Validation still scores against the noisy future, as users' data is scored.
    """

    model: str = "fft_gru"
    model_options: dict = field(default_factory=dict)
    task: str = "forecast"
    data: dict = field(default_factory=dict)
    lookback: int = 100
    horizon: int = 10
    signal: dict = field(default_factory=lambda: {"components": [3, 44], "periods": [10, 99]})
    curriculum: list = field(default_factory=list)
    batch_size: int = 256
    steps: int = 2000
    lr: float = 1e-3
    weight_decay: float = 0.0
    schedule: str = "cosine"
    warmup: int = 100
    loss: str = "mse"
    grad_clip: float = 1.0
    eval_every: int = 100
    checkpoint_every: int = 100
    log_every: int = 10
    val_size: int = 512
    device: str = "auto"
    amp: bool = False
    compile: bool = False
    tensorboard: bool = False
    seed: int = 0
    init_from: str | None = None
    clean_target: bool = False

    def __post_init__(self) -> None:
        task = get_task(self.task)
        for name, most in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
                raise ValueError(f"{name} must be a whole number, got {value!r}")
            if not 1 <= value <= most:
                raise ValueError(f"{name} must be between 1 and {most:,}, got {value:,}")
        if self.lookback < 4:
            raise ValueError(f"lookback must be at least 4 samples, got {self.lookback}")
        if self.batch_size * (self.lookback + self.horizon) > MAX_BATCH_VALUES:
            raise ValueError(
                f"batch_size x (lookback + horizon) = {self.batch_size * (self.lookback + self.horizon):,} values "
                f"per step; the limit is {MAX_BATCH_VALUES:,} (lower the batch or the window)"
            )
        for name, most in (("lr", 10.0), ("grad_clip", 1e6), ("weight_decay", 10.0)):
            check_number(name, getattr(self, name), 0.0, most)  # NaN refused: it once turned clipping off
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if not isinstance(self.model_options, dict) or not isinstance(self.data, dict):
            raise ValueError(f"model_options and data must be JSON objects, got {self.model_options!r}, {self.data!r}")
        for name in ("amp", "compile", "tensorboard", "clean_target"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.device, str):
            raise ValueError(f"device must be a name such as 'auto', 'cpu' or 'cuda', got {self.device!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**63:
            raise ValueError(f"seed must be a whole number between 0 and 2**63 - 1, got {self.seed!r}")
        if self.init_from is not None and (not isinstance(self.init_from, str) or not 0 < len(self.init_from) <= 4096):
            raise ValueError(f"init_from must be the path of a checkpoint or null, got {self.init_from!r}")
        if not isinstance(self.signal, dict) or not isinstance(self.curriculum, list):
            raise ValueError("signal must be a JSON object and curriculum a list of stages")
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if isinstance(self.warmup, bool) or not isinstance(self.warmup, int) or not 0 <= self.warmup <= LIMITS["steps"]:
            raise ValueError(f"warmup must be a whole number between 0 and {LIMITS['steps']:,}, got {self.warmup!r}")
        self.signal_spec()  # validates the signal fields, naming the bad one
        last = 0
        for stage in self.curriculum:
            if not isinstance(stage, dict) or set(stage) != {"until", "components"}:
                raise ValueError(f"a curriculum stage needs exactly 'until' and 'components', got {stage}")
            if isinstance(stage["until"], bool) or not isinstance(stage["until"], int) or stage["until"] <= last:
                raise ValueError("curriculum stages must have increasing 'until' steps")
            last = stage["until"]
            self.signal_spec(stage["components"])
        task.check(self)  # the model, its options and the task's data

    def signal_spec(self, components: list | tuple | None = None) -> SignalSpec:
        data = {**self.signal, "length": self.lookback + self.horizon}
        if components is not None:
            data["components"] = components
        return SignalSpec.from_dict(data)

    def stage(self, step: int) -> int:
        """Index of the curriculum stage at ``step`` (``len(curriculum)`` = the final distribution)."""
        for i, stage in enumerate(self.curriculum):
            if step < stage["until"]:
                return i
        return len(self.curriculum)

    def spec_at(self, step: int) -> SignalSpec:
        i = self.stage(step)
        return self.signal_spec(self.curriculum[i]["components"] if i < len(self.curriculum) else None)

    def at_batch(self, batch_size: int) -> TrainConfig:
        """The same run at another batch size: the same signals seen, in fewer, larger steps.

        Everything counted in steps (steps, warm-up, the curriculum's stage ends, the log, evaluation
        and checkpoint intervals) is divided by ``batch_size / self.batch_size``, so each stage sees the
        same number of signals and a killed run loses at most the same number of signals' work. The
        learning rate follows the square-root rule for Adam-type optimisers (Malladi et al., "On the SDEs
        and scaling rules for adaptive gradient algorithms", NeurIPS 2022): ``lr * sqrt(factor)``, where a
        linear rule overshoots; the warm-up keeps at least its share of the run, and it is what makes the
        larger first steps safe. Whether quality holds at equal signals is measured, not assumed
        (``benchmarks/bench_training.py --quality``; the README's figures).
        """
        check_number("batch_size", batch_size, 1, LIMITS["batch_size"])
        if int(batch_size) != batch_size:
            raise ValueError(f"batch_size must be a whole number, got {batch_size!r}")
        factor = int(batch_size) / self.batch_size

        def steps(n: int) -> int:
            return max(1, round(n / factor))

        curriculum, last = [], 0
        for stage in self.curriculum:  # a stage that shrinks to no step of its own is dropped
            until = steps(stage["until"])
            if until > last and until < steps(self.steps):
                curriculum.append({"until": until, "components": stage["components"]})
                last = until
        return replace(
            self,
            batch_size=int(batch_size),
            steps=steps(self.steps),
            # the warm-up keeps its share of the run, but at least 5 % of it (up to the old count): the
            # scaled learning rate is reached in more, not fewer, steps
            warmup=max(round(self.warmup / factor), min(self.warmup, steps(self.steps) // 20)),
            curriculum=curriculum,
            lr=min(self.lr * math.sqrt(factor), 10.0),
            eval_every=steps(self.eval_every),
            checkpoint_every=steps(self.checkpoint_every),
            log_every=steps(self.log_every),
        )

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Build from JSON-like data; anything malformed (wrong types included) is one ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"a training config must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown training option(s): {sorted(unknown)}")
        try:
            return cls(**data)
        except (TypeError, KeyError, AttributeError) as exc:  # e.g. a list where a number belongs
            raise ValueError(f"malformed training config: {exc}") from None

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: Path) -> TrainConfig:
        """Read a config file; a missing, unreadable, non-JSON or malformed file is one ValueError."""
        try:
            data = json.loads(Path(path).read_text())
        except OSError as exc:
            raise ValueError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"the config file {path} is not valid JSON: {exc}") from None
        return cls.from_dict(data)
