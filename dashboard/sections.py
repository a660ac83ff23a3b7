"""Page sections shared by more than one page (kept out of views/ so each page stays a short script)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from core import forecasters, sinusoids
from core.training import TrainConfig, jobs
from dashboard.plots.poles import pole_figure


@st.cache_data(max_entries=64, show_spinner=False)
def _fit_tables(window: np.ndarray) -> tuple[list[dict], dict[str, np.ndarray]]:
    fitted = forecasters.load("esprit").fit(window)
    poles = {
        "sinusoid fit (ESPRIT)": fitted.poles[0],
        "linear prediction": forecasters.load("linear").fit(window).roots[0],
    }
    return sinusoids.against_dft(window, fitted=fitted), poles


def sinusoid_fit_section(window: np.ndarray, key: str) -> None:
    """The DFT's strongest bins beside a sinusoid fit's components, and their poles on the unit circle."""
    st.subheader("Off the grid: fitting the sinusoids themselves")
    if len(window) < 8:
        st.info("A sinusoid fit needs at least 8 samples in the window.")
        return
    rows, poles = _fit_tables(np.asarray(window, dtype=np.float64))
    table = pd.DataFrame(rows).rename(
        columns={
            "dft_period": "strongest DFT bins: period N/k",
            "dft_amplitude": "DFT amplitude",
            "fit_period": "fitted sines: period",
            "fit_amplitude": "fitted amplitude",
        }
    )
    shown = table.map(lambda v: "—" if not np.isfinite(v) else f"{v:.6g}")  # no fitted sine: a dash
    # A bin or a fitted sine with rounding-level amplitude (1e-16 of the peak) holds nothing: a dash too,
    # or a student reads "strongest bins: 20, 5, 3.3" for one clean sine.
    peak = np.nanmax(np.abs(table[["DFT amplitude", "fitted amplitude"]].to_numpy(dtype=float)), initial=0.0)
    for period, amplitude in (
        ("strongest DFT bins: period N/k", "DFT amplitude"),
        ("fitted sines: period", "fitted amplitude"),
    ):
        empty = ~(np.abs(table[amplitude].to_numpy(dtype=float)) > 1e-9 * peak)
        shown.loc[empty, [period, amplitude]] = "—"
    shown = shown[~(shown == "—").all(axis=1)]  # a row of dashes says nothing
    st.dataframe(shown, hide_index=True, width="stretch")
    left, right = st.columns([3, 2])
    left.plotly_chart(pole_figure(poles, height=380), width="stretch", key=key)
    right.markdown(
        "The DFT can only answer with periods N/k, so a period that does not divide N is reported as "
        "the bins either side of it, each with part of the amplitude. A **sinusoid fit** (ESPRIT) asks "
        "instead which few sines, at *any* frequency, make up the window, and finds e.g. period 20 "
        "exactly from N = 110 samples. Leakage belongs to the DFT's grid, not to the signal.\n\n"
        "In the plot each fitted sine is a pair of **poles**: points at angle ±2π/period on the unit "
        "circle (radius 1: it neither grows nor fades; inside: it dies away). Linear prediction's rule has "
        "poles too, one per weight: for a clean signal of a few waves, two of them per wave sit on the "
        "circle at the same places as the fit's, and the spare ones just inside it, where they fade and "
        "carry almost nothing. "
        "Hover a pole for its radius and period."
    )


@dataclass(frozen=True)
class Experiment:
    """One "Try this" step: what to do (a deep link carrying all the state it needs), a question, an answer."""

    label: str
    page: str
    params: dict
    question: str
    answer: str


def try_this(experiments: list[Experiment]) -> None:
    """A numbered panel of experiments, each a link that opens its exact state, with the answer hidden."""
    with st.container(border=True):
        st.markdown("**Try this**")
        for i, exp in enumerate(experiments, 1):
            st.page_link(exp.page, label=f"{i}. {exp.label}", query_params=exp.params, icon=":material/science:")
            st.markdown(f"{exp.question}")
            with st.expander("Answer"):
                st.markdown(exp.answer)


def start_run(run_id: str, steps: int, val_size: int, **fields) -> None:
    """Start a background run of a frames or autoencoder task from a page's form, with a schedule sized to
    ``steps`` (20 evaluations and checkpoints, 100 log lines, a warm-up of a tenth, at most 100 steps).
    A refused config or a failed start is a message; the page keeps working."""
    start_config(
        lambda: TrainConfig(
            steps=steps,
            val_size=val_size,
            eval_every=max(10, steps // 20),
            checkpoint_every=max(10, steps // 20),
            log_every=max(1, steps // 100),
            warmup=min(100, steps // 10),
            **fields,
        ),
        run_id,
    )


def train_form(key: str, models, button: str, steps: int, batch: int, max_batch: int, val_size: int, **fields) -> None:
    """A page's "train one" form: model, steps, batch size and run name, then ``start_run`` with ``fields``.

    Widgets are keyed ``{key}_model``, ``{key}_steps``, ``{key}_batch`` and ``{key}_run_id``; ``models`` maps
    each model's name to its label (or is a list of names).
    """
    labels = models if isinstance(models, dict) else {name: name for name in models}
    with st.form(key):
        t1, t2, t3, t4 = st.columns(4)
        model = t1.selectbox("Model", list(labels), key=f"{key}_model", format_func=labels.get)
        steps = t2.number_input("Steps", 10, 1_000_000, steps, key=f"{key}_steps")
        batch = t3.number_input("Batch size", 4, max_batch, batch, key=f"{key}_batch")
        run_id = t4.text_input("Run name (optional)", key=f"{key}_run_id")
        submitted = st.form_submit_button(button, type="primary")
    if submitted:
        start_run(run_id, int(steps), val_size, model=model, batch_size=int(batch), **fields)


def start_config(make_config, run_id: str) -> None:
    """Start ``make_config()`` (a TrainConfig, built here so that a refused option is a message too) as a
    background run named ``run_id`` (empty: a generated name)."""
    try:
        started = jobs.start_run(make_config(), run_id.strip() or None)
        st.success(f"Started run **{started}** in the background: follow it on the Training page.")
        st.page_link("views/training.py", label="Open the Training page", icon=":material/model_training:")
    except ValueError as exc:
        st.error(f"Cannot start this run: {exc}")
    except Exception as exc:  # noqa: BLE001 - a full disk or a lost race must not take the page down
        st.error(f"Cannot start this run ({type(exc).__name__}): {exc}")
