"""The Frames page in AppTest: every preset renders, the numbers on it are the metrics' own, and a frame
model trains through the one training machinery and is listed on the Training page."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from core import frames
from core.training import jobs

APP = "../dashboard/app.py"


def frames_page(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    at.run()
    at.switch_page("views/frames.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def leaderboard(at: AppTest) -> dict:
    table = at.dataframe[0].value
    return {row["forecaster"]: row for _, row in table.iterrows()}


@pytest.mark.parametrize("preset", ["blob32", "thesis", "digits"])
def test_every_preset_shows_the_animation_and_a_leaderboard(preset):
    at = frames_page(frames_preset=preset)
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(figure["frames"]) > 10  # input frames, then the forecast: an animation to play
    rows = leaderboard(at)
    assert len(rows) == len(at.multiselect(key=f"frames_models_{preset}").value)
    for row in rows.values():
        assert 0 <= row["position error, mean"] <= row["p95"] <= row["max"]


def test_knowing_the_law_beats_knowing_nothing_on_a_parabola():
    at = frames_page(frames_preset="blob32")
    at.selectbox(key="frames_law_blob32").set_value("parabolic").run()
    rows = leaderboard(at)
    physics, last = rows["Physics fit of the path"], rows["Last frame again"]
    assert physics["position error, mean"] < 0.1 * last["position error, mean"]
    assert physics["SSIM"] > last["SSIM"]


def test_a_frame_model_trains_in_the_background_and_shows_on_the_training_page(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    at = frames_page(frames_preset="blob32")
    at.radio(key="frames_train_source_blob32").set_value("your own settings").run()
    at.selectbox(key="frames_train_model").set_value("fc_lstm")
    at.number_input(key="frames_train_steps").set_value(10)
    at.number_input(key="frames_train_batch").set_value(4)
    at.text_input(key="frames_train_run_id").set_value("frames-run")
    submit = next(b for b in at.button if b.label == "Train on blob32")
    submit.click().run()
    assert not at.error, [e.value for e in at.error]
    config = json.loads((tmp_path / "frames-run" / "config.json").read_text())
    assert config["task"] == "frames" and config["data"] == {"preset": "blob32"}
    deadline = time.time() + 120
    while time.time() < deadline and jobs.run_info(tmp_path / "frames-run").active:
        time.sleep(0.5)
    info = jobs.run_info(tmp_path / "frames-run")
    assert info.state == "finished", info.message
    at.switch_page("views/training.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table.loc[table["run"] == "frames-run", "task"].tolist() == ["frames"]


def test_a_shipped_models_recipe_starts_the_run_it_describes(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    at = frames_page(frames_preset="blob32")
    assert at.radio(key="frames_train_source_blob32").value == "a shipped model's recipe"  # the default
    at.selectbox(key="frames_recipe_blob32").set_value("blob32-convlstm2").run()
    text = " ".join(m.value for m in at.markdown)
    assert "20 % sinusoidal with 4 free numbers" in text and "noise of std 0 to 0.1 on 80 %" in text, text
    at.text_input(key="frames_recipe_run_id").set_value("recipe-run")
    at.button(key="frames_recipe_train").click().run()
    assert not at.error, [e.value for e in at.error]
    try:
        started = json.loads((tmp_path / "recipe-run" / "config.json").read_text())
    finally:
        jobs.stop_run("recipe-run", root=tmp_path, timeout=30)
    recipe = frames.recipe("blob32-convlstm2").config
    assert started["data"] == recipe.data and started["model_options"] == recipe.model_options
    assert (started["steps"], started["lr"], started["device"]) == (recipe.steps, recipe.lr, "auto")


def test_the_leaderboard_says_which_networks_saw_noise_in_training():
    rows = leaderboard(frames_page(frames_preset="blob32"))
    trained = {name: row["trained on noise"] for name, row in rows.items()}
    assert any(value.startswith("0-0.1") for value in trained.values())  # the noise-trained ConvLSTM
    assert "0" in trained.values() and trained["Physics fit of the path"] == "-"
