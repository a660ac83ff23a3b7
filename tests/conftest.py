"""Shared test set-up: the repository on sys.path, one torch thread (as the app and workers use), and no
training worker left running after the test that started it."""

import json
import os
import signal
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
torch.set_num_threads(1)


def kill_leftover_workers(root: Path) -> list[int]:
    """Kill every training worker still running for a run under ``root``: -> their pids.

    Workers outlive the process that started them by design (a run survives the dashboard's restarts),
    so a test that fails half-way would otherwise leave one training on: a browser test that failed
    before pressing Stop left a 100,000-step run taking a core for the next 20 minutes.
    """
    from core.training import jobs

    killed = []
    for status in Path(root).rglob("status.json"):
        try:
            data = json.loads(status.read_text())
        except (OSError, ValueError):
            continue
        pid, updated = data.get("pid"), data.get("updated")
        if (
            data.get("state") in ("queued", "running")
            and pid != os.getpid()  # tests write statuses naming themselves to fake a live run
            and jobs.pid_alive(pid, updated if isinstance(updated, int | float) else None)
            and _is_training_worker(pid)
        ):
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
    return killed


def _is_training_worker(pid: int) -> bool:
    """Does ``pid`` run ``python -m core.training`` (so the guard never kills anything else)?"""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"core.training" in f.read().split(b"\0")
    except OSError:
        return False


@pytest.fixture(scope="session")
def leftover_workers():
    """``kill_leftover_workers`` for fixtures with their own runs folder (the browser tests' app)."""
    return kill_leftover_workers


@pytest.fixture(autouse=True)
def _no_worker_outlives_its_test(tmp_path):
    yield
    kill_leftover_workers(tmp_path)
