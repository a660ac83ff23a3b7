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

from core.checkpoints import atomic_write_json
from core.runtime import runs_root
from core.training.config import TrainConfig
from core.training.loop import RunFiles
from core.validation import check_run_id

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
    task: str = "forecast"

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")


def _root(root: Path | str | None) -> Path:
    """``None`` means the default folder (``core.runtime.runs_root``), looked up at call time."""
    return Path(root) if root is not None else runs_root()


def process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds, about 1 s resolution), or None where /proc is absent."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[-1].split()[19])
        with open("/proc/stat") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith("btime "))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def pid_alive(pid: int | None, since: float | None = None) -> bool:
    """Is ``pid`` running and, given ``since`` (when the run last recorded that pid), still the same process?

    Why the start time: after a restart pids are reused, and a run whose recorded pid now belongs to
    another process stayed "running" forever (unstoppable, blocking new runs). A process that started
    after the run last wrote its status cannot be that run's worker.
    """
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
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
            if f.read().split(")")[-1].split()[0] == "Z":
                return False
    except OSError:
        return True
    if since is not None:
        started = process_start_time(pid)
        if started is not None and started > since + 2.0:  # /proc/stat's btime is whole seconds
            return False
    return True


def _whole(value: object) -> int:
    """A step count from a file a person (or a crash) may have damaged: garbage reads as 0."""
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value == value else 0


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
    if not isinstance(status, dict):  # a damaged status file: treat as never started
        status = {}
    if not isinstance(config, dict):
        return None
    state = status.get("state", "queued")
    message = status.get("message", "")
    just_queued = state == "queued" and status.get("pid") is None and time.time() - status.get("updated", 0) < 60
    if (
        state in ("running", "queued")
        and not just_queued
        and not pid_alive(
            status.get("pid"), status.get("updated") if isinstance(status.get("updated"), int | float) else None
        )
    ):
        state, message = (
            "failed",
            "the training process ended unexpectedly (killed?); resume continues from the last checkpoint",
        )
    return RunInfo(
        run_id=run_dir.name,
        model=config.get("model", "?"),
        state=state,
        step=_whole(status.get("step", 0)),
        steps=_whole(status.get("steps", config.get("steps", 0))),
        best_val=status.get("best_val"),
        created=files.config.stat().st_mtime,
        message=message,
        has_checkpoint=files.best.exists() or files.last.exists(),
        pid=status.get("pid"),
        task=str(config.get("task", "forecast")),
    )


def list_runs(root: Path | str | None = None) -> list[RunInfo]:
    """Every run under ``root``, newest first (the shipped ``pretrained/`` folder is not a run)."""
    root = _root(root)
    if not root.is_dir():
        return []
    infos = [run_info(d) for d in root.iterdir() if d.is_dir() and d.name != "pretrained"]
    return sorted((i for i in infos if i is not None), key=lambda i: i.created, reverse=True)


def clean_stale_temps(run_dir: Path) -> list[str]:
    """Remove ``.NAME.tmp-PID`` files left by a worker killed mid-write (their PID no longer runs).

    Why: atomic writes go through these temp files; a SIGKILL between write and rename leaves one
    behind, and nothing else ever removes it (a large model's temp file is as big as its checkpoint).
    """
    removed = []
    for tmp in run_dir.glob(".*.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp.name)
    return removed


def _launch(run_dir: Path) -> int:
    """Start the worker for ``run_dir`` (which resumes from ``last.pt`` if there is one)."""
    clean_stale_temps(run_dir)
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
        status.update(pid=process.pid, updated=time.time())  # the process started before this time
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
    if run_id is not None:
        check_run_id(run_id)
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
    check_run_id(run_id)
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
    check_run_id(run_id)
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
    check_run_id(run_id)
    run_dir = _root(root) / run_id
    info = run_info(run_dir)
    if info is None:
        raise ValueError(f"no run {run_id!r}")
    if info.active:
        raise ValueError(f"run {run_id!r} is {info.state}: stop it before deleting it")
    shutil.rmtree(run_dir)


def read_metrics(run_id: str, root: Path | str | None = None) -> list[dict]:
    """The run's logged steps (a half-written last line, mid-flush, is skipped)."""
    check_run_id(run_id)
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


def seconds_left(records: list[dict], steps: int, window: int = 10) -> float | None:
    """Time to finish at the pace of the last ``window`` logged records, measured by their wall-clock
    stamps: evaluations and checkpoints included (a samples/s figure counts only the training steps,
    and an ETA built on it came out short). None until two records of the current session exist."""
    stamped = [r for r in records if isinstance(r.get("time"), int | float) and isinstance(r.get("step"), int)]
    recent = stamped[-window:]
    # A resumed run restarts its clock: only records after the last gap of more than a minute count.
    for i in range(len(recent) - 1, 0, -1):
        if recent[i]["time"] - recent[i - 1]["time"] > 60:
            recent = recent[i:]
            break
    if len(recent) < 2 or recent[-1]["step"] <= recent[0]["step"]:
        return None
    pace = (recent[-1]["time"] - recent[0]["time"]) / (recent[-1]["step"] - recent[0]["step"])
    return max(0.0, (steps - recent[-1]["step"]) * pace)
