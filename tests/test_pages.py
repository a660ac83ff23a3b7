"""Every page through Streamlit's AppTest: loads cleanly, and the key widgets change the figures."""

import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from page_helpers import plotly_values
from streamlit.testing.v1 import AppTest

from core.training import TrainConfig, jobs, train

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def trace_data(at: AppTest, index: int = 0) -> list:
    return [(t.get("name"), plotly_values(t.get("y"))) for t in figure(at, index)["data"]]


def test_home_links_every_page():
    at = app()
    text = " ".join(m.value for m in at.markdown)
    assert "DFT Explorer" in text and "Forecast Arena" in text


def test_signal_lab_seed_and_components_change_the_signal():
    at = app("views/signal_lab.py")
    before = trace_data(at)
    at.number_input(key="lab_seed").set_value(7).run()
    assert not at.exception
    after = trace_data(at)
    assert before != after
    at.slider(key="lab_components").set_value((10, 12)).run()
    names = [name for name, _ in trace_data(at)]
    assert 11 <= len(names) <= 13  # 10..12 components plus the signal
    at.segmented_control(key="lab_show").set_value("hidden").run()
    assert len(trace_data(at)) == 1


def test_signal_lab_real_series_and_bad_upload_keep_the_app_working():
    at = app("views/signal_lab.py")
    at.radio(key="lab_source").set_value("Real series").run()
    assert not at.exception
    y = trace_data(at)[-1][1]
    assert len(y) == 309  # yearly sunspots 1700-2008
    at.selectbox(key="lab_series").set_value("Upload a CSV...").run()
    assert not at.exception and not at.error  # nothing uploaded yet: no complaint


def test_signal_lab_other_shapes_reach_the_arena():
    """A shape that is not a sum of harmonics is drawn, explained and shared: the Arena forecasts it."""
    from core import shapes

    at = app("views/signal_lab.py")
    at.radio(key="lab_source").set_value("Other shapes").run()
    assert not at.exception, [e.message for e in at.exception]
    first = next(iter(shapes.KINDS))
    np.testing.assert_allclose(trace_data(at)[-1][1], shapes.draw(first, 1, 200, 0)[0])
    at.selectbox(key="lab_shape").set_value("white noise").run()
    assert not at.exception
    np.testing.assert_allclose(trace_data(at)[-1][1], shapes.draw("white noise", 1, 200, 0)[0])
    assert any("Nothing here can be foreseen" in i.value for i in at.info)
    assert not at.segmented_control  # no components to show
    at.switch_page("views/arena.py").run()
    at.radio(key="arena_source").set_value("Signal Lab's signal").run()
    assert not at.exception, [e.message for e in at.exception]
    spec = figure(at)
    truth = next(plotly_values(t["y"]) for t in spec["data"] if t.get("name") == "truth")
    np.testing.assert_allclose(truth[-10:], shapes.draw("white noise", 1, 200, 0)[0][-10:], rtol=1e-6)


def test_dft_explorer_window_length_changes_the_extension():
    at = app("views/dft_explorer.py")
    ext_100 = plotly_values(figure(at)["data"][2]["y"])
    metrics_100 = [m.value for m in at.metric]
    assert float(metrics_100[0]) < 1e-10  # period 20 in N = 100: the extension is the future
    at.slider(key="dft_n").set_value(110).run()
    assert not at.exception
    assert plotly_values(figure(at)["data"][2]["y"]) != ext_100
    assert float(at.metric[0].value) > 0.1  # 5.5 cycles: the seam breaks it
    table = at.dataframe[0].value
    assert table["cycles N/P"].iloc[0] == pytest.approx(5.5)
    at.selectbox(key="dft_window").set_value("hamming").run()
    assert not at.exception and at.info


def test_dft_explorer_on_the_shared_real_series():
    at = app("views/signal_lab.py")
    at.radio(key="lab_source").set_value("Real series").run()
    at.switch_page("views/dft_explorer.py").run()
    at.selectbox(key="dft_example").set_value("The Signal Lab's signal").run()
    assert not at.exception
    assert len(plotly_values(figure(at)["data"][0]["y"])) == 160  # N = 100 plus 60 beyond


def test_training_page_starts_a_run_scored_against_the_noise_free_future(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    at = app("views/training.py")
    at.selectbox(key="train_model").set_value("linear_net").run()
    preset = at.segmented_control(key="train_preset").value
    at.number_input(key=f"train_steps_{preset}").set_value(10)
    at.number_input(key=f"train_batch_{preset}").set_value(8)
    at.slider(key="train_noise").set_value(0.1)
    at.checkbox(key="train_clean_target").check()
    at.text_input(key="train_run_id").set_value("clean-target-run")
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.error, [e.value for e in at.error]
    config = json.loads((tmp_path / "clean-target-run" / "config.json").read_text())
    assert config["clean_target"] is True and config["signal"]["noise"] == 0.1
    deadline = time.time() + 120
    while time.time() < deadline and jobs.run_info(tmp_path / "clean-target-run").active:
        time.sleep(0.5)
    assert jobs.run_info(tmp_path / "clean-target-run").state == "finished"


def test_training_page_gpu_preset_is_the_study_schedule_at_a_scaled_batch(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    at = app("views/training.py")
    at.segmented_control(key="train_preset").set_value("GPU (large batch)").run()
    preset = "GPU (large batch)"
    if not torch.cuda.is_available():  # said before anyone waits an hour for it
        assert any("No GPU here" in w.value for w in at.warning)
    batch = at.number_input(key=f"train_batch_{preset}").value
    steps = at.number_input(key=f"train_steps_{preset}").value
    assert batch * steps == pytest.approx(17.5e6, rel=0.01)  # the original study's 17.5M signals
    study = TrainConfig(batch_size=256, lr=1e-3).at_batch(batch)  # the square-root rule for the learning rate
    assert at.number_input(key=f"train_lr_{preset}").value == pytest.approx(study.lr)
    assert at.checkbox(key=f"train_amp_{preset}").value is True
    at.selectbox(key="train_model").set_value("linear_net").run()  # a cheap model: the run itself is not the test
    at.number_input(key=f"train_steps_{preset}").set_value(2)
    at.number_input(key=f"train_batch_{preset}").set_value(64)
    at.text_input(key="train_run_id").set_value("bf16-run")
    next(b for b in at.button if b.label == "Start training").click().run()
    assert not at.error, [e.value for e in at.error]
    config = json.loads((tmp_path / "bf16-run" / "config.json").read_text())
    assert config["amp"] is True and config["lr"] == pytest.approx(study.lr)
    deadline = time.time() + 120
    while time.time() < deadline and jobs.run_info(tmp_path / "bf16-run").active:
        time.sleep(0.5)
    assert jobs.run_info(tmp_path / "bf16-run").state == "finished"


def test_training_page_lists_a_run_and_shows_its_curves(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    config = TrainConfig(
        model="linear_net",
        steps=20,
        eval_every=10,
        checkpoint_every=10,
        log_every=5,
        lookback=40,
        horizon=5,
        batch_size=32,
    )
    train(config, tmp_path / "tiny-run")
    at = app("views/training.py")
    table = at.dataframe[0].value
    assert table["run"].tolist() == ["tiny-run"] and table["status"].tolist() == ["finished"]
    names = [t["name"] for t in figure(at)["data"]]
    assert names == ["tiny-run train", "tiny-run validation"]
    # The preview: the best checkpoint's honest forecast on three of the run's validation signals.
    preview = figure(at, 1)["data"]
    assert [t["name"] for t in preview] == ["lookback", "truth", "forecast"] * 3
    assert all(len(plotly_values(t["y"])) == 5 for t in preview if t["name"] != "lookback")
    assert any("best checkpoint so far (step" in c.value for c in at.caption)
    (tmp_path / "tiny-run" / "best.pt").write_bytes(b"broken")  # the Arena must cope with this run
    at.switch_page("views/arena.py").run()
    assert not at.exception
