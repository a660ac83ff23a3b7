"""Background runs: each in its own process, known only through its run folder.

The dashboard starts a run as a separate process (``python -m core.training``, a fresh interpreter:
never a fork of the Streamlit server) and afterwards only reads the run's files. A browser reload, a
Streamlit rerun or a server restart loses nothing; a crash of the run never takes the dashboard down.
A run whose status says "running" but whose process is gone is reported as failed, with its last
checkpoint ready to resume.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.runtime import runs_root
from core.training.checkpoints import atomic_write_json
from core.training.config import TrainConfig
from core.training.loop import RunFiles

ROOT = Path(__file__).resolve().parents[2]
MAX_CONCURRENT = 2


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    model: str
    state: str  # queued, running, finished, stopped, failed
    step: int
    steps: int
    best_val: float | None
    created: float
    message: str
    has_checkpoint: bool
    pid: int | None

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")


def _root(root: Path | str | None) -> Path:
    """``None`` means the default folder (``core.runtime.runs_root``), looked up at call time."""
    return Path(root) if root is not None else runs_root()


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def run_info(run_dir: Path) -> RunInfo | None:
    """What a run folder says, corrected for a process that died without saying so."""
    files = RunFiles(run_dir)
    if not files.config.exists():
        return None
    try:
        config = json.loads(files.config.read_text())
    except (OSError, ValueError):
        return None
    status = files.read_status()
    state = status.get("state", "queued")
    message = status.get("message", "")
    just_queued = state == "queued" and status.get("pid") is None and time.time() - status.get("updated", 0) < 60
    if state in ("running", "queued") and not just_queued and not pid_alive(status.get("pid")):
        state, message = (
            "failed",
            "the training process ended unexpectedly (killed?); resume continues from the last checkpoint",
        )
    return RunInfo(
        run_id=run_dir.name,
        model=config.get("model", "?"),
        state=state,
        step=int(status.get("step", 0)),
        steps=int(status.get("steps", config.get("steps", 0))),
        best_val=status.get("best_val"),
        created=files.config.stat().st_mtime,
        message=message,
        has_checkpoint=files.best.exists() or files.last.exists(),
        pid=status.get("pid"),
    )


def list_runs(root: Path | str | None = None) -> list[RunInfo]:
    """Every run under ``root``, newest first (the shipped ``pretrained/`` folder is not a run)."""
    root = _root(root)
    if not root.is_dir():
        return []
    infos = [run_info(d) for d in root.iterdir() if d.is_dir() and d.name != "pretrained"]
    return sorted((i for i in infos if i is not None), key=lambda i: i.created, reverse=True)


def _launch(run_dir: Path) -> int:
    """Start the worker for ``run_dir`` (which resumes from ``last.pt`` if there is one)."""
    files = RunFiles(run_dir)
    status = files.read_status()
    status.update(state="queued", pid=None, message="starting", updated=time.time())
    atomic_write_json(files.status, status)
    log = open(run_dir / "worker.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.training",
            "--root",
            str(run_dir.parent),
            "--no-progress",
            "--resume",
            run_dir.name,
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,  # survives the dashboard's restarts; a Ctrl-C there does not kill it
    )
    log.close()
    status = files.read_status()
    if status.get("state") == "queued" and status.get("pid") is None:  # the worker has not written yet
        status["pid"] = process.pid
        atomic_write_json(files.status, status)
    return process.pid


def _check_capacity(root: Path) -> None:
    active = [r for r in list_runs(root) if r.active]
    if len(active) >= MAX_CONCURRENT:
        raise ValueError(
            f"{len(active)} runs are already training (limit {MAX_CONCURRENT} at once on this machine): "
            "stop one or wait"
        )


@contextmanager
def _start_lock(root: Path):
    """One start at a time per runs folder (across processes): the capacity check and the new folder
    are then one step, so ten simultaneous clicks cannot start more than the limit."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".start.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_run(config: TrainConfig, run_id: str | None = None, root: Path | str | None = None) -> str:
    """Start a new run in the background; returns its id (a default id never collides)."""
    root = _root(root)
    if run_id is not None and (not run_id.replace("-", "").replace("_", "").isalnum() or len(run_id) > 100):
        raise ValueError(f"a run id may hold up to 100 letters, digits, '-' and '_', got {run_id!r}")
    with _start_lock(root):
        if run_id is None:  # the model and the second, plus -2, -3, ... for clicks within one second
            base = run_id = f"{config.model}-{time.strftime('%Y%m%d-%H%M%S')}"
            copy = 1
            while (root / run_id).exists():
                copy += 1
                run_id = f"{base}-{copy}"
        run_dir = root / run_id
        if run_dir.exists():
            raise ValueError(f"run {run_id!r} exists already")
        _check_capacity(root)
        run_dir.mkdir(parents=True)
        config.save(run_dir / "config.json")
        RunFiles(run_dir).write_status("queued", 0, config.steps, "starting")
        _launch(run_dir)
    return run_id


def resume_run(run_id: str, root: Path | str | None = None) -> None:
    """Continue a stopped or failed run from its last checkpoint, in the background."""
    root = _root(root)
    with _start_lock(root):
        info = run_info(root / run_id)
        if info is None:
            raise ValueError(f"no run {run_id!r}")
        if info.active:
            raise ValueError(f"run {run_id!r} is already {info.state}: it cannot be started twice")
        if info.state == "finished":
            raise ValueError(f"run {run_id!r} has finished all its {info.steps} steps")
        _check_capacity(root)
        RunFiles(root / run_id).stop_request.unlink(missing_ok=True)
        _launch(root / run_id)


def stop_run(run_id: str, root: Path | str | None = None, timeout: float = 0.0) -> None:
    """Ask a run to stop: it checkpoints and exits at its next step. Optionally wait for it."""
    files = RunFiles(_root(root) / run_id)
    if not files.config.exists():
        raise ValueError(f"no run {run_id!r}")
    files.stop_request.touch()
    deadline = time.monotonic() + timeout
    while timeout and time.monotonic() < deadline:
        info = run_info(files.dir)
        if info is None or not info.active:
            return
        time.sleep(0.1)


def delete_run(run_id: str, root: Path | str | None = None) -> None:
    run_dir = _root(root) / run_id
    info = run_info(run_dir)
    if info is None:
        raise ValueError(f"no run {run_id!r}")
    if info.active:
        raise ValueError(f"run {run_id!r} is {info.state}: stop it before deleting it")
    shutil.rmtree(run_dir)


def read_metrics(run_id: str, root: Path | str | None = None) -> list[dict]:
    """The run's logged steps (a half-written last line, mid-flush, is skipped)."""
    path = RunFiles(_root(root) / run_id).metrics
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out
