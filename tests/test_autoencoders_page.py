"""The Autoencoders page in AppTest: both data kinds render, the sentences come from the numbers, a
drawing is validated, and a code trains through the one training machinery."""

from __future__ import annotations

import json
import time

from streamlit.testing.v1 import AppTest

from core.training import jobs

APP = "../dashboard/app.py"


def ae_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/autoencoders.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_signals_and_strokes_show_reconstructions_and_error_against_k():
    at = ae_page()
    for kind in ("Harmonic sums", "Pen strokes"):
        at.segmented_control(key="ae_kind").set_value(kind).run()
        assert not at.exception, [e.message for e in at.exception]
        names = {t["name"] for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
        kind_key = "signals" if kind == "Harmonic sums" else "strokes"
        assert {"original", *at.multiselect(key=f"ae_codes_{kind_key}_16").value} <= names
        caption = next(c.value for c in at.caption if "Reconstruction MSE here" in c.value)
        assert "dft-topk" in caption and "pca" in caption
    assert len(at.get("plotly_chart")) == 3  # reconstruction, epicycles, MSE against k


def test_an_empty_canvas_is_a_message_not_an_error():
    at = ae_page()
    at.segmented_control(key="ae_kind").set_value("Pen strokes").run()
    at.radio(key="ae_stroke_source").set_value("Draw your own").run()
    assert not at.exception
    assert any("canvas is empty" in i.value for i in at.info)


def test_a_code_trains_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setenv("HARMONICS_CHECKPOINTS", str(tmp_path))
    at = ae_page()
    at.selectbox(key="ae_train_model").set_value("mlp")
    at.number_input(key="ae_train_steps").set_value(10)
    at.number_input(key="ae_train_batch").set_value(8)
    at.text_input(key="ae_train_run_id").set_value("ae-run")
    next(b for b in at.button if b.label.startswith("Train on signals")).click().run()
    assert not at.error, [e.value for e in at.error]
    config = json.loads((tmp_path / "ae-run" / "config.json").read_text())
    assert config["task"] == "autoencoder" and config["model_options"] == {"k": 16}
    deadline = time.time() + 120
    while time.time() < deadline and jobs.run_info(tmp_path / "ae-run").active:
        time.sleep(0.5)
    assert jobs.run_info(tmp_path / "ae-run").state == "finished"
