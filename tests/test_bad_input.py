"""Bad input anywhere gets a one-line message and leaves the page or command usable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from core.runtime import configure_threads
from core.training.__main__ import main as train_main
from core.training.checkpoints import load_model, save_checkpoint
from core.training.config import TrainConfig
from dashboard.state import KEY, CurrentSignal

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.mark.parametrize("value", ["0", "-3", "abc", ""])
def test_a_bad_thread_count_in_the_environment_warns_and_uses_one(monkeypatch, value):
    monkeypatch.setenv("HARMONICS_THREADS", value)
    with pytest.warns(UserWarning, match="HARMONICS_THREADS"):
        assert configure_threads() == 1


def test_pages_survive_a_bad_thread_count(monkeypatch):
    monkeypatch.setenv("HARMONICS_THREADS", "abc")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--threads", "-3"], "threads"),
        (["--config", "/nonexistent/run.json"], "cannot read the config file"),
        (["--lookback", "10000000"], "lookback must be between"),
        (["--horizon", "10000000"], "horizon must be between"),
        (["--grad-clip", "nan"], "grad_clip"),
        (["--model-options", '{"hidden": 200000}'], "model option 'hidden'"),
    ],
)
def test_training_cli_refuses_bad_input_in_one_line(tmp_path, capsys, argv, message):
    assert train_main([*argv, "--root", str(tmp_path), "--no-progress", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_training_cli_refuses_a_config_that_is_not_json_and_flags_given_with_resume(tmp_path, capsys):
    bad = tmp_path / "run.json"
    bad.write_text("{not json")
    assert train_main(["--config", str(bad), "--root", str(tmp_path)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    run = tmp_path / "old"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"model": "no-such-model"}))
    assert train_main(["--resume", "old", "--root", str(tmp_path)]) == 2
    assert "model must be one of" in capsys.readouterr().err
    (run / "config.json").write_text(json.dumps({"model": "linear_net"}))
    assert train_main(["--resume", "old", "--root", str(tmp_path), "--lr", "0.1"]) == 2
    assert "would be ignored" in capsys.readouterr().err


def test_batch_memory_is_bounded_before_anything_is_allocated():
    with pytest.raises(ValueError, match="values per step"):
        TrainConfig(batch_size=65536, lookback=4096)


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"model": ["lstm"], "hparams": {}, "model_state": {}}, "unknown model"),
        ({"model": "lstm", "hparams": [1, 2], "model_state": {}}, "malformed hyperparameters"),
        ({"model": "lstm", "hparams": {"hidden": 200000}, "model_state": {}}, "malformed hyperparameters"),
        ({"model": "lstm", "hparams": {"colour": 3}, "model_state": {}}, "does not take"),
        ({"model": "lstm", "hparams": {}, "model_state": [1, 2]}, "no usable weights"),
        ({"model": "lstm", "hparams": {}, "model_state": {"w": torch.tensor([float("nan")])}}, "NaN"),
    ],
)
def test_malformed_checkpoints_are_refused_with_a_reason(tmp_path, payload, message):
    path = tmp_path / "best.pt"
    save_checkpoint(path, payload)
    with pytest.raises(ValueError, match=message):
        load_model(path)


def test_dft_explorer_explains_a_series_too_short_for_it():
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.session_state[KEY] = CurrentSignal(label="tiny", length=9, real=tuple(float(i % 3) for i in range(9)))
    at.switch_page("views/dft_explorer.py").run()
    at.selectbox(key="dft_example").set_value("The Signal Lab's signal").run()
    assert not at.exception
    assert any("needs at least 11" in e.value for e in at.error)


def test_evaluate_cli_refuses_bad_arguments(capsys, tmp_path):
    from core.evaluate import main

    for argv in (["--n", "0"], ["--seed", "1" * 24], ["--checkpoint", "garbage"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["--suite", "easy", "--models", "naive", *argv])
        assert exit_info.value.code == 2
    assert main(["--suite", "easy", "--models", "naive", "--n", "5", "--json", str(tmp_path / "no" / "x.json")]) == 2
    assert "error:" in capsys.readouterr().err
