"""Issue 13: every bad input at a boundary gives one clear ValueError (or a one-line CLI error, exit 2)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from core import datasets, validation
from core.checkpoints import load_model, read_checkpoint, save_checkpoint
from core.models import build
from core.runtime import configure_threads
from core.training import TrainConfig, jobs

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.training", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


# --- install -------------------------------------------------------------------------------------


def test_core_imports_from_any_directory(tmp_path):
    """pip install -e . (requirements.txt's first line) makes the library snippet work outside the repo."""
    out = subprocess.run(
        [sys.executable, "-c", "import core.forecasters as f; print(f.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert str(ROOT) in out.stdout


def test_gitignore_whitelists_only_files_that_exist():
    for line in (ROOT / ".gitignore").read_text().splitlines():
        if line.startswith("!"):
            assert (ROOT / line[1:].rstrip("/")).exists(), line


def test_streamlit_upload_limit_is_the_apps_own():
    text = (ROOT / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {datasets.MAX_UPLOAD_BYTES // 2**20}" in text


# --- environment ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0", "-3", "abc", "1e9"])
def test_bad_thread_env_warns_and_falls_back_to_one(monkeypatch, bad):
    monkeypatch.setenv("HARMONICS_THREADS", bad)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert configure_threads() == 1
    assert any("HARMONICS_THREADS" in str(w.message) for w in caught)


# --- CLI -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--threads", "-3"], "--threads must be between 1 and 256"),
        (["--config", "/no/such/file.json"], "cannot read the config file"),
        (["--grad-clip", "nan"], "grad_clip must be a finite number"),
        (["--lookback", "10000000"], "lookback must be between 1 and 4,096"),
        (["--horizon", "10000000"], "horizon must be between 1 and 1,024"),
        (["--model-options", '{"hidden": 200000}'], "between 0 and 4,096"),
        (["--model-options", '{"hidden": 4096, "layers": 4096}'], "implies about"),
        (["--model-options", "[1]"], "must be a JSON object"),
        (["--tensorboard", "maybe"], "expected true or false"),
        (["--run-id", "../x"], "a run id must be"),
        (["--run-id", "/abs/path"], "a run id must be"),
        (["--run-id", "a/b"], "a run id must be"),
        (["--resume", "../escape"], "a run id must be"),
    ],
)
def test_cli_bad_arguments_give_one_line_and_exit_2(tmp_path, args, needle):
    out = _cli(*args, env={"HARMONICS_CHECKPOINTS": str(tmp_path)})
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert not any(tmp_path.iterdir()), "nothing may be written for a refused run"


def test_cli_config_not_json_and_resume_of_damaged_runs(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    out = _cli("--config", str(bad), env={"HARMONICS_CHECKPOINTS": str(tmp_path)})
    assert out.returncode == 2 and "not valid JSON" in out.stderr and "Traceback" not in out.stderr
    for name, text in [("damaged", "{oops"), ("unknown-model", json.dumps({"model": "nope"})), ("listy", "[1, 2]")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "config.json").write_text(text)
        out = _cli("--resume", name, env={"HARMONICS_CHECKPOINTS": str(tmp_path)})
        assert out.returncode == 2, (name, out.stderr)
        assert "damaged config.json" in out.stderr and "Traceback" not in out.stderr


def test_cli_resume_refuses_extra_flags(tmp_path):
    (tmp_path / "r").mkdir()
    TrainConfig(steps=5).save(tmp_path / "r" / "config.json")
    out = _cli("--resume", "r", "--steps", "9", env={"HARMONICS_CHECKPOINTS": str(tmp_path)})
    assert out.returncode == 2 and "would be ignored" in out.stderr


def test_cli_honours_harmonics_checkpoints_and_warns_without_tensorboard(tmp_path):
    """The CLI writes where the dashboard looks (not ./checkpoints of the current directory)."""
    env = {"HARMONICS_CHECKPOINTS": str(tmp_path / "runs"), "PYTHONPATH": str(ROOT)}
    out = _cli(
        "--model", "linear_net", "--steps", "3", "--batch-size", "8", "--eval-every", "3", "--val-size", "8",
        "--no-progress", "--run-id", "cli-run", "--tensorboard", "true", env=env, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "runs" / "cli-run" / "config.json").exists()
    assert not (tmp_path / "checkpoints").exists()
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        assert "tensorboard package is not installed" in out.stderr


# --- config and validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"lr": [1]},
        {"lookback": "100"},
        {"grad_clip": float("nan")},
        {"seed": 10**24},
        {"model_options": {"hidden": [1]}},
        {"curriculum": [1]},
        {"signal": []},
        {"amp": "yes"},
    ],
)
def test_config_wrong_types_are_value_errors(data):
    with pytest.raises(ValueError):
        TrainConfig.from_dict(data)


def test_validation_messages_name_field_value_and_range():
    with pytest.raises(ValueError, match=r"hidden must be between 0 and 4,096, got 200,000"):
        validation.check_int("hidden", 200_000, 0, 4096)
    with pytest.raises(ValueError, match="finite"):
        validation.check_number("lr", float("inf"), 0, 10)
    with pytest.raises(ValueError, match="whole number"):
        validation.check_int("batch", True, 1, 10)
    with pytest.raises(ValueError, match="MB"):
        validation.check_memory("a batch", 2**30)


# --- checkpoints ---------------------------------------------------------------------------------


def _good_payload() -> dict:
    model = build("lstm", lookback=20, horizon=5, hidden=8)
    return {"model": "lstm", "hparams": {"lookback": 20, "horizon": 5, "hidden": 8}, "model_state": model.state_dict()}


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"model": ["lstm"]}, "unknown model"),
        ({"model": "nope"}, "unknown model"),
        ({"hparams": {"lookback": 20, "horizon": 5, "colour": 3}}, "does not take"),
        ({"hparams": {"lookback": [20], "horizon": 5}}, "whole number"),
        ({"hparams": {"lookback": 20, "horizon": 5, "hidden": 200_000}}, "between 0 and 4,096"),
        ({"hparams": {"lookback": 20, "horizon": 5, "hidden": 4096, "layers": 4096}}, "implies about"),
        ({"hparams": [1, 2]}, "JSON object"),
        ({"model_state": [1, 2]}, "no usable weights"),
        ({"model_state": {"w": torch.ones(3)}}, "does not fit"),
    ],
)
def test_malformed_checkpoints_are_value_errors(tmp_path, change, needle):
    path = tmp_path / "c.pt"
    save_checkpoint(path, {**_good_payload(), **change})
    with pytest.raises(ValueError, match=needle):
        load_model(path)


def test_nan_weights_are_refused(tmp_path):
    payload = _good_payload()
    next(iter(payload["model_state"].values())).fill_(float("nan"))
    save_checkpoint(tmp_path / "c.pt", payload)
    with pytest.raises(ValueError, match="NaN or infinite weights"):
        load_model(tmp_path / "c.pt")


def test_a_good_checkpoint_still_loads(tmp_path):
    save_checkpoint(tmp_path / "c.pt", _good_payload())
    model, _ = load_model(tmp_path / "c.pt")
    assert model.training is False


# --- uploads -------------------------------------------------------------------------------------


def test_one_huge_line_is_refused_quickly():
    """600 KB with 300,000 fields on one line once cost 30-40 s; now refused before pandas parses it."""
    data = (",".join(["1"] * 300_000) + "\n").encode()
    with pytest.raises(ValueError, match="300,000 fields"):
        datasets.read_csv(data)


def test_decimal_commas_are_read_or_refused_with_a_hint():
    frame = datasets.read_csv(b"year;value\n2020;1,5\n2021;2,25\n")
    assert frame["value"].tolist() == [1.5, 2.25]
    with pytest.raises(ValueError, match="decimal marks"):
        datasets.read_csv(b"year,value\n2020,1,5\n2021,2,25\n")


def test_absurd_magnitudes_are_refused_with_a_hint():
    frame = pd.DataFrame({"x": np.arange(20, dtype=float) * 1e300})
    with pytest.raises(ValueError, match="rescale"):
        datasets.column_series(frame, "x")


# --- runs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["../x", "/abs", "a/b", "", ".hidden", "x" * 101])
def test_run_names_are_validated_in_one_place(tmp_path, bad):
    with pytest.raises(ValueError, match="a run id must be"):
        jobs.start_run(TrainConfig(steps=1), bad, root=tmp_path)
    for call in (jobs.resume_run, jobs.stop_run, jobs.delete_run, jobs.read_metrics):
        with pytest.raises(ValueError, match="a run id must be"):
            call(bad, root=tmp_path)


def test_a_reused_pid_is_not_taken_for_a_running_job(tmp_path):
    """Our own pid is alive, but it started long before this status was written? No: after it."""
    run = tmp_path / "ghost"
    run.mkdir()
    TrainConfig(steps=5).save(run / "config.json")
    status = {"state": "running", "pid": os.getpid(), "step": 1, "steps": 5, "updated": time.time() - 86400 * 365}
    (run / "status.json").write_text(json.dumps(status))
    info = jobs.run_info(run)
    assert info.state == "failed" and not info.active
    status["updated"] = time.time()  # the same pid, recorded after it started: still running
    (run / "status.json").write_text(json.dumps(status))
    assert jobs.run_info(run).state == "running"


def test_damaged_status_file_does_not_crash_the_list(tmp_path):
    run = tmp_path / "r"
    run.mkdir()
    TrainConfig(steps=5).save(run / "config.json")
    (run / "status.json").write_text(json.dumps({"state": "stopped", "step": [1], "steps": "x"}))
    assert jobs.list_runs(tmp_path)[0].step == 0


# --- fuzz ----------------------------------------------------------------------------------------


def _random_json(rng: random.Random, depth: int = 0):
    kinds = ["int", "float", "str", "bool", "null"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.choice([0, -1, 1, 3, 10**24, rng.randint(-(10**6), 10**6)])
    if kind == "float":
        return rng.choice([float("nan"), float("inf"), 1e308, -0.5, rng.random()])
    if kind == "str":
        return rng.choice(["", "lstm", "../x", "\x00", "1,5", "auto"])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    keys = ["model", "hparams", "model_state", "lookback", "horizon", "hidden", "layers", "lr", "signal", "steps"]
    return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_fuzz_every_loader_raises_only_value_error(tmp_path):
    """Random bytes and random JSON at the config, checkpoint and CSV loaders: ValueError or success only."""
    rng = random.Random(13)
    path = tmp_path / "loaded"
    for i in range(150):
        blob = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300)))
        doc = _random_json(rng)
        checkpoint_doc = doc if isinstance(doc, dict) else {"x": doc}
        json_text = json.dumps(doc)
        steps = [
            (lambda p, b=blob: p.write_bytes(b), TrainConfig.load),
            (lambda p, t=json_text: p.write_text(t), TrainConfig.load),
            (lambda p, b=blob: p.write_bytes(b), load_model),
            (lambda p, b=blob: p.write_bytes(b), read_checkpoint),
            (lambda p, d=checkpoint_doc: save_checkpoint(p, d), load_model),
        ]
        for prepare, loader in steps:
            prepare(path)
            try:
                loader(path)
            except ValueError:
                pass
        try:
            TrainConfig.from_dict(doc)
        except ValueError:
            pass
        csv_blob = blob if i % 2 else b",;\n1,5;2\n" * rng.randint(0, 5) + blob[:20]
        try:
            frame = datasets.read_csv(csv_blob)
            for column in frame.columns:
                try:
                    datasets.column_series(frame, column)
                except ValueError:
                    pass
        except ValueError:
            pass


def test_stale_temporary_files_are_cleaned_but_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".last.pt.tmp-{int(dead.stdout)}"
    live = tmp_path / f".status.json.tmp-{os.getpid()}"
    stale.write_bytes(b"half")
    live.write_bytes(b"being written")
    assert jobs.clean_stale_temps(tmp_path) == [stale.name]
    assert not stale.exists() and live.exists()


def test_same_upload_is_parsed_once_and_edits_do_not_leak():
    data = b"v\n" + b"\n".join(str(i).encode() for i in range(50))
    datasets._parse_csv.cache_clear()
    first = datasets.read_csv(data)
    first.iloc[0, 0] = -999
    second = datasets.read_csv(data)
    assert datasets._parse_csv.cache_info().hits == 1
    assert second.iloc[0, 0] == 0


def test_cli_short_run_leaves_warm_up(tmp_path):
    from core.training.__main__ import main

    assert main(["--model", "linear_net", "--steps", "20", "--batch-size", "8", "--val-size", "8",
                 "--eval-every", "10", "--root", str(tmp_path), "--run-id", "w", "--no-progress"]) == 0  # fmt: skip
    assert json.loads((tmp_path / "w" / "config.json").read_text())["warmup"] == 2


def test_cli_default_names_never_collide(tmp_path):
    from core.training.__main__ import _claim_default_run_dir

    dirs = {_claim_default_run_dir(tmp_path, "lstm-20260101-000000") for _ in range(10)}
    assert len(dirs) == 10 and all(d.is_dir() for d in dirs)
