"""The Forecast Arena through AppTest: forecasts follow the signal, models come and go, bad ones are isolated."""

import json
import re
from pathlib import Path

import numpy as np
from page_helpers import plotly_values
from streamlit.testing.v1 import AppTest

from core import evaluation, forecasters, shapes
from core.models import build
from core.training.checkpoints import save_checkpoint


def arena(**query) -> AppTest:
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=120)
    at.query_params.update(query)
    at.run()
    at.switch_page("views/arena.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def arena_on(values: np.ndarray, label: str) -> AppTest:
    """The Arena forecasting ``values`` as the Signal Lab's (real) signal: its last lookback + horizon."""
    from dashboard.state import KEY, CurrentSignal

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    at.session_state[KEY] = CurrentSignal(label=label, length=len(values), real=tuple(values.tolist()))
    at.switch_page("views/arena.py").run()
    at.radio(key="arena_source").set_value("Signal Lab's signal").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def traces(at: AppTest) -> dict:
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {t["name"].removesuffix(" (off scale)"): plotly_values(t["y"]) for t in spec["data"] if "name" in t}


def test_default_models_forecast_and_follow_the_signal():
    at = arena()
    before = traces(at)
    for label in [
        "truth",
        "Repeat last value",
        "DFT periodic extension",
        "Linear prediction",
        "LSTM (next-step)",
        "GRU seq2seq + FFT",
        "FFT-GRU",
        "FFT-GRU (specialist: final only)",
    ]:
        assert label in before, label
    assert not at.warning
    at.number_input(key="arena_seed").set_value(5).run()
    after = traces(at)
    for name in before:
        assert before[name] != after[name], name
    board = at.dataframe[1].value
    assert set(board["model"]) >= {"Linear prediction", "FFT-GRU"}
    assert board.sort_values("MSE")["model"].iloc[0] == "Linear prediction"


def test_removing_a_model_removes_its_trace_and_lstm_views_differ():
    at = arena()
    at.multiselect(key="arena_models").unselect("fft").run()
    assert "DFT periodic extension" not in traces(at)
    honest = traces(at)
    at.radio(key="arena_lstm_view").set_value("teacher-forced (fed the truth)").run()
    fed = traces(at)
    for label in ("LSTM (next-step)", "GRU seq2seq + FFT"):
        assert fed[label] != honest[label], label
    assert fed["FFT-GRU"] == honest["FFT-GRU"]  # trained without teacher forcing: nothing to show


def lstm_run(root: Path, name: str, **payload) -> Path:
    """A run folder holding a tiny LSTM checkpoint; ``payload`` overrides what the checkpoint holds."""
    run = root / name
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"model": "lstm", "steps": 1}))
    model = build("lstm", hidden=8)
    save_checkpoint(
        run / "best.pt", {"model": "lstm", "hparams": model.hparams, "model_state": model.state_dict()} | payload
    )
    return run


def test_a_bad_checkpoint_shows_an_error_for_that_model_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    lstm_run(tmp_path, "good-run")
    bad = lstm_run(tmp_path, "bad-run")
    (bad / "config.json").write_text(json.dumps({"model": "seq2seq", "steps": 1}))
    (bad / "best.pt").write_bytes(b"corrupt")
    at = arena(run="bad-run")
    at.multiselect(key="arena_models").select("lstm:good-run").run()
    shown = traces(at)
    assert "LSTM (next-step) [run good-run]" in shown and "Linear prediction" in shown
    assert "GRU seq2seq + FFT [run bad-run]" not in shown
    warnings = [w.value for w in at.warning]
    assert len([w for w in warnings if "bad-run" in w and "damaged" in w]) == 1


def test_a_checkpoint_with_malformed_hparams_costs_that_model_only(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    lstm_run(tmp_path, "odd-run", hparams=[1, 2])
    at = arena(run="odd-run")
    assert not at.exception
    assert "Linear prediction" in traces(at)
    assert any("odd-run" in w.value for w in at.warning)


def test_lookback_the_models_were_not_trained_for_is_explained():
    at = arena(arena_lookback="80")
    warnings = " ".join(w.value for w in at.warning)
    assert "lookback of 100" in warnings
    assert "Linear prediction" in traces(at)


def test_poles_and_robustness_views():
    at = arena()
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    poles = next(spec for spec in charts.values() if any(t.get("name") == "unit circle" for t in spec["data"]))
    names = [t["name"] for t in poles["data"]]
    assert "this app's linear prediction" in names and "sinusoid fit (ESPRIT)" in names
    ours = next(t for t in poles["data"] if t["name"] == "this app's linear prediction")
    radius = np.hypot(plotly_values(ours["x"]), plotly_values(ours["y"]))
    assert radius.max() <= 1 + 1e-9  # pulled onto or inside the unit circle
    at.toggle(key="arena_robust").set_value(True).run()
    assert not at.exception
    heat = json.loads(at.get("plotly_chart")[-1].proto.spec)["data"][0]
    assert heat["type"] == "heatmap" and len(heat["x"]) == len(evaluation.SUITES)


def test_off_scale_forecasts_are_flagged_not_allowed_to_flatten_the_plot():
    from dashboard.plots.arena import forecast_figure

    series = np.sin(np.arange(120) / 5.0)
    fig = forecast_figure(series, 100, {"a": np.full(20, 50.0), "b": series[100:]}, {"a": "wild", "b": "good"})
    names = [t.name for t in fig.data]
    assert "wild (off scale)" in names and "good" in names
    assert fig.layout.yaxis.range[1] < 3  # the axis follows the truth, not the wild forecast


def test_a_glitch_in_the_lookback_is_named_and_the_repaired_reading_wins():
    t = np.arange(300)
    values = np.sin(2 * np.pi * t / 23) + 0.5 * np.cos(2 * np.pi * t / 9)
    values[-60] += 8.0  # one bad reading, 50 samples into the last 110-sample window's lookback
    at = arena_on(values, "glitchy")
    note = next(i.value for i in at.info if "glitch in the lookback" in i.value)
    assert "t = 50" in note and "stands" in note
    assert "**100%**" in note
    linear = traces(at)["Linear prediction"][-10:]
    assert np.abs(linear - values[-10:]).max() < 1e-3  # the glitch is not echoed into the forecast


def test_the_glitch_slider_shows_the_echo_beside_the_repair():
    at = arena(arena_glitch="5")
    assert any("one bad reading at t = 70" in h.value for h in at.subheader)
    note = next(i.value for i in at.info if "glitch in the lookback" in i.value)
    assert "t = 70" in note
    shown = {name: np.asarray(values)[-10:] for name, values in traces(at).items()}
    truth, repaired, echo = (
        shown["truth"],
        shown["Linear prediction"],
        shown["Linear prediction, glitch read as signal"],
    )
    # The repair is off by 3e-6 at the glitch; a sum of up to 44 sines forecast from a lookback off by
    # that much at one sample is off by about 1% of its peak after 10 steps (`final` with noise of std
    # 1e-6 in the lookback: rms error 0.008), and the glitch read as signal by far more.
    assert np.abs(repaired - truth).max() < 0.02 * np.abs(truth).max()
    assert ((echo - truth) ** 2).mean() > 100 * ((repaired - truth) ** 2).mean()
    assert "teacher-forced** (dotted)" not in " ".join(m.value for m in at.markdown)


def test_the_map_of_shapes_outside_every_training_family_shows_each_shape_and_model():
    at = arena()
    at.multiselect(key="arena_models").set_value(["naive", "linear"]).run()
    at.toggle(key="arena_shapes").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    heat = next(
        d
        for c in at.get("plotly_chart")
        if (d := json.loads(c.proto.spec)["data"][0]).get("type") == "heatmap" and "white noise" in d["y"]
    )
    assert list(heat["y"]) == list(shapes.KINDS) and list(heat["x"]) == ["Repeat last value", "Linear prediction"]
    assert {row[0] for row in heat["text"]} == {"1x"}
    # The cell is the library's score on the same 64 series, float32 (not a table copied in).
    own = evaluation.robustness(
        {k: forecasters.load(k) for k in ("naive", "linear")}, ["white noise"], n=64, make=evaluation.shape_suite
    )["white noise"]
    row = list(shapes.KINDS).index("white noise")
    assert heat["text"][row][1] == f"{own['linear'].mse / own['naive'].mse:.2g}x"


def test_the_robustness_colours_are_white_where_a_model_ties_repeating_the_last_value():
    from dashboard.plots.poles import robustness_figure

    # Plotly ignores zmid once zmin and zmax are fixed: the white must sit at log10(1) on the scale itself.
    fig = robustness_figure(np.array([[1.0, 0.01, 30.0]]), ["m"], ["a", "b", "c"])
    heat = fig.data[0]
    white = next(position for position, colour in heat.colorscale if colour == "#f7f7f7")
    assert abs(white - (0 - heat.zmin) / (heat.zmax - heat.zmin)) < 1e-12
    down = robustness_figure(np.array([[1.0, 0.5], [2.0, 4.0]]), ["m", "n"], ["a", "b"], suites_down=True).data[0]
    assert list(down.y) == ["a", "b"] and list(down.x) == ["m", "n"]
    assert list(down.text[1]) == ["0.5x", "4x"]  # suite b's row: m, then n


def test_a_level_shift_in_the_lookback_is_named_and_its_undone_reading_wins():
    values = shapes.draw("level shift, 5% noise", 1, 110, seed=2)[0]  # jumps by about +0.7 at t = 87
    at = arena_on(values, "shifted")
    note = next(i.value for i in at.info if "level shift in the lookback" in i.value)
    assert "t = 87" in note and "**100%**" in note
    assert 0.6 < float(re.search(r"jumps by \+([0-9.]+)", note).group(1)) < 0.8
    assert not any("glitch in the lookback" in i.value for i in at.info)
    shown = {name: np.asarray(v)[-10:] for name, v in traces(at).items()}
    truth, undone, as_is = (
        shown["truth"],
        shown["Linear prediction"],
        shown["Linear prediction, level shift read as signal"],
    )
    assert ((as_is - truth) ** 2).mean() > 10 * ((undone - truth) ** 2).mean()
