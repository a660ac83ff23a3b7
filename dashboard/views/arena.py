"""Forecast Arena: the DFT, linear prediction and neural forecasters on the same signal, and on many."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch

from core import evaluation, forecasters, glitches, linear_prediction
from core.glossary import define
from core.shapes import KINDS
from core.signals import SignalSpec, generate
from core.training.jobs import list_runs
from dashboard import state
from dashboard.experiments import ARENA_EXPERIMENTS
from dashboard.plots.arena import components_figure, forecast_figure, horizon_figure, rollout_animation
from dashboard.plots.poles import pole_figure, robustness_figure
from dashboard.sections import try_this

SHAPE_KINDS = list(KINDS)  # the shapes outside every training family, in core.shapes' order

st.title("Forecast Arena")
st.markdown(
    "Every forecaster sees the same **lookback** (shaded) and predicts the next **horizon** samples. "
    "Look for: the DFT's periodic extension breaking at the seam, the LSTM and seq2seq drifting as they "
    "feed on their own outputs (most past the 10 steps they were trained for), the FFT-GRU (trained on the "
    "whole horizon, fed its own outputs) holding on longer, and linear prediction staying on the truth. "
    "Then add noise: the **specialist** FFT-GRU, trained only on clean signals, goes wrong, while the "
    "default networks, trained on a broad mixture (noise, trends, changing amplitudes), hold."
)


@st.cache_resource(max_entries=32, show_spinner="Loading model...")
def load_forecaster(key: str):
    """-> (forecaster, None) or (None, error message). Errors are cached too: a bad file stays bad."""
    name, _, run = key.partition(":")
    try:
        return forecasters.load(name, checkpoint=run or None), None
    except ValueError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a malformed file must cost one model, never the page
        return None, f"could not be loaded ({type(exc).__name__}: {exc})"


@st.cache_data(max_entries=256, show_spinner=False)
def predict(key: str, history: np.ndarray, horizon: int, teacher_forced_future: np.ndarray | None = None):
    model, error = load_forecaster(key)
    if error:
        raise ValueError(error)
    if teacher_forced_future is not None:
        return model.predict_teacher_forced(history, teacher_forced_future)
    return model.predict(history, horizon)


@st.cache_data(max_entries=64, show_spinner=False)
def glitch_reading(history: np.ndarray, horizon: int) -> tuple[list[int], int, float, float]:
    """The lookback's bad readings and the weight linear prediction gives its mended reading.

    -> (glitch candidates, the level shift's first sample or -1, its jump in the series' units, weight).
    """
    _, mask, weight = glitches.linear_reading(history, horizon)
    z, _, scale = linear_prediction.normalise(np.atleast_2d(history))
    at, jump = glitches.level_shift_unless_glitch(z, mask)
    return np.flatnonzero(mask[0]).tolist(), int(at[0]), float(jump[0] * scale[0, 0]), float(weight[0])


@st.cache_data(max_entries=64, show_spinner=False)
def as_is(history: np.ndarray, horizon: int) -> np.ndarray:
    """Linear prediction reading the lookback as it is, glitches and all (what it did before repairs)."""
    return linear_prediction.forecast(np.atleast_2d(history), horizon)[0][0]


def label_of(key: str) -> str:
    name, _, run = key.partition(":")
    return f"{forecasters.LABELS.get(name, name)} [run {run}]" if run else forecasters.LABELS.get(name, name)


runs = [r for r in list_runs() if r.has_checkpoint]
run_keys = [f"{r.model}:{r.run_id}" for r in runs]
options = [*forecasters.available(), *run_keys]
wanted_run = st.query_params.get("run")
default_models = ["naive", "fft", "linear", "lstm", "seq2seq", "fft_gru", "fft_gru-final"]
if wanted_run and any(k.endswith(f":{wanted_run}") for k in run_keys):
    default_models.append(next(k for k in run_keys if k.endswith(f":{wanted_run}")))

with st.sidebar:
    st.subheader("Signal")
    source = st.radio("Source", ["Random", "Signal Lab's signal"], key="arena_source", bind="query-params")
    if source == "Random":
        components = st.slider("Components", 1, 60, (3, 44), key="arena_components")
        noise = st.slider(
            "Noise (std)", 0.0, 0.5, 0.0, 0.01, key="arena_noise", bind="query-params", help=define("noise")
        )
        seed = st.number_input("Seed", 0, 10**9, 0, key="arena_seed", bind="query-params", help=define("seed"))
        glitch = st.slider(
            "One bad reading (x the peak)",
            0.0,
            10.0,
            0.0,
            0.5,
            key="arena_glitch",
            bind="query-params",
            help=define("glitch") + " Pushes the sample 30 before the lookback's end this many times the "
            "lookback's peak away from its mean. Up to about 1.5 it stays within the signal's own range, "
            "and the search for glitches mostly does not find it.",
        )
    lookback = st.slider(
        "Lookback",
        20,
        400,
        100,
        key="arena_lookback",
        bind="query-params",
        help=define("lookback") + " The shipped networks only take 100.",
    )
    horizon = st.slider(
        "Horizon",
        1,
        200,
        10,
        key="arena_horizon",
        bind="query-params",
        help="how many samples to forecast. The shipped networks were trained for 10: "
        "slide further and a grey dotted line marks where they go past what they practised.",
    )
    st.subheader("Models")
    chosen = st.multiselect("Forecasters", options, default=default_models, format_func=label_of, key="arena_models")
    lstm_view = st.radio(
        "LSTM and seq2seq shown",
        ["autoregressive (honest)", "teacher-forced (fed the truth)"],
        key="arena_lstm_view",
        bind="query-params",
        help="the difference is the lesson",
    )

length = lookback + horizon


@st.cache_data(max_entries=64, show_spinner=False)
def random_series(spec: SignalSpec, seed: int) -> np.ndarray:
    return generate(spec, 1, seed=seed, dtype=torch.float64)[0].numpy()


if source == "Random":
    spec = SignalSpec(components=components, periods=(10, 99), noise=noise, length=length)
    series = random_series(spec, int(seed))
    signal_label = f"random, {components[0]}..{components[1]} components, seed {seed}"
    if glitch:
        at = max(2, lookback - 30)
        series = series.copy()
        series[at] += glitch * np.abs(series[:lookback] - series[:lookback].mean()).max()
        signal_label += f", one bad reading at t = {at}"
else:
    shared = state.current()
    signal_label = shared.label
    if shared.synthetic:
        series = shared.samples(length)
    else:
        full = shared.samples()
        if len(full) < length:
            st.error(
                f"This series has {len(full)} samples but lookback + horizon = {length}: "
                "shorten them or pick a longer series in the Signal Lab."
            )
            st.stop()
        start = 0
        if len(full) > length:  # a slider needs two places to choose from; exactly lookback + horizon has one
            start = st.slider("Where the lookback starts", 0, len(full) - length, len(full) - length, key="arena_start")
        series = full[start : start + length]

history, future = series[:lookback], series[lookback:]
forecasts, errors, trained, dashed = {}, {}, {}, set()
for key in chosen:
    model, error = load_forecaster(key)
    if error:
        errors[key] = error
        continue
    try:
        # Models trained with teacher forcing (LSTM, seq2seq) can be shown fed the truth, dotted.
        if lstm_view.startswith("teacher") and hasattr(getattr(model, "model", None), "teacher_forced"):
            forecasts[key] = predict(key, history, horizon, future)[0]
            dashed.add(key)
        else:
            forecasts[key] = predict(key, history, horizon)[0]
        trained[key] = model.trained_horizon
    except ValueError as exc:
        errors[key] = str(exc)
    except Exception as exc:  # noqa: BLE001 - one model's failure is shown for that model only
        errors[key] = f"failed on this signal ({type(exc).__name__}: {exc})"

labels = {k: label_of(k) for k in chosen}
glitch_samples, shift_at, shift_jump, repaired_share = glitch_reading(history, horizon)
if (glitch_samples or shift_at >= 0) and "linear" in forecasts:
    # The lesson beside the repair: the same fit reading the bad reading as part of the signal, dotted.
    forecasts["linear:as-is"] = as_is(history, horizon)
    labels["linear:as-is"] = f"Linear prediction, {'glitch' if glitch_samples else 'level shift'} read as signal"
    dashed.add("linear:as-is")
with st.expander("What each forecaster is"):
    st.markdown(
        "\n".join(
            f"- **{labels[k]}**: "
            + (
                forecasters.DESCRIPTIONS[k].replace("*", "·")  # a1*x[t-1] is not markdown emphasis
                if k in forecasters.DESCRIPTIONS
                else "a run you trained (see Training)."
            )
            for k in chosen
        )
    )
st.subheader(f"One signal: {signal_label}")
st.plotly_chart(
    forecast_figure(series, lookback, forecasts, labels, trained, dashed), width="stretch", key="arena_main"
)
for key, message in errors.items():
    st.warning(f"**{labels[key]}** is not shown: {message}")
if glitch_samples:
    many = len(glitch_samples) > 1
    st.info(
        f"**A glitch in the lookback?** Sample{'s' if many else ''} "
        f"{', '.join(f't = {t}' for t in glitch_samples)} (counting from 0 at the lookback's start) "
        f"{'stand' if many else 'stands'} far from {'their' if many else 'its'} neighbours, further than "
        "the whole range the other samples span. One such reading ruins an exact recurrence: least squares "
        "fits it as part of the signal, and the forecast echoes it. So linear prediction and the sinusoid "
        "fit forecast the lookback twice, as it is and with those samples filled in from the recurrence, "
        "and weight the two by how well each forecast the lookback's own end. A pulse that recurs is "
        "forecast by the first reading and keeps its weight; a one-off reading is not. Here linear "
        f"prediction gives the repaired reading **{repaired_share:.0%}** of the weight. A network cannot be "
        "checked on a shorter lookback, so the networks are given the same two readings with linear "
        "prediction's weights. The poles below are fitted to the lookback as it is, glitch included: "
        "see how it scatters them off the circle."
    )
if shift_at >= 0:
    st.info(
        f"**A level shift in the lookback?** At t = {shift_at} (counting from 0 at the lookback's start) the "
        f"series jumps by {shift_jump:+.3g} and stays there: one step far larger than any other, that the "
        "samples after it keep. A fit of sine waves takes the step for part of the signal and rings across "
        "it. So linear prediction and the sinusoid fit forecast the lookback twice, as it is and as if it "
        f"had always been at its new level (the samples before t = {shift_at} moved by the jump), and "
        "weight the two by how well each forecast the lookback's own end. Here linear prediction gives the "
        f"second reading **{repaired_share:.0%}** of the weight, and the networks are given the same two "
        "readings with those weights. Nothing can foresee a shift that has not happened yet."
    )
if forecasts:
    table = pd.DataFrame(
        [
            {
                "model": labels[k],
                "MSE over the horizon": float(np.mean((v - future) ** 2)),
                "MSE of the first 10 steps": float(np.mean((v[:10] - future[:10]) ** 2)),
            }
            for k, v in forecasts.items()
        ]
    ).sort_values("MSE over the horizon")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="%.3g") for c in table.columns if c != "model"},
    )
st.markdown(
    (
        "The grey dotted line marks the horizon the neural models were trained for (10 steps): past it "
        "they keep feeding on their own outputs, further than they ever practised. "
        if any(h and h < horizon for k, h in trained.items() if k in forecasts)
        else ""
    )
    + "The red dashed line is where the lookback ends: the DFT's forecast is its window starting again, "
    "so it jumps there unless every period fits the lookback a whole number of times. "
    + (
        "The LSTM and the seq2seq decoder are shown **teacher-forced** (dotted): at every step they were "
        "handed the true previous value, which no real forecast has. Switch to *autoregressive* to see "
        "their honest forecasts."
        if dashed - {"linear:as-is"}
        else "The LSTM and the seq2seq decoder are shown **autoregressive**: they feed on their own outputs, "
        "so one error feeds the next. Switch to *teacher-forced* to see how good they look when fed the truth."
    )
)

st.subheader("Why linear prediction is exact here, or not: its poles")


@st.cache_data(max_entries=64, show_spinner=False)
def poles_of(history: np.ndarray) -> tuple[dict[str, np.ndarray], str]:
    ours = forecasters.load("linear").fit(history)
    outside = int((np.abs(textbook := forecasters.load("linear", robust=False).fit(history).roots[0]) > 1).sum())
    note = (
        f"This app's rule: order {ours.order}, keeping the {int(ours.rank[0])} strongest directions of the "
        f"data (chosen by minimum description length). The textbook rule (order {textbook.shape[0]}) has "
        f"{outside} pole{'s' if outside != 1 else ''} outside the circle on this signal."
    )
    poles = {
        "textbook least squares (order N/2)": textbook,
        "this app's linear prediction": ours.roots[0],
        "sinusoid fit (ESPRIT)": forecasters.load("esprit").fit(history).poles[0],
    }
    return poles, note


poles, pole_note = poles_of(history)
left, right = st.columns([3, 2])
left.plotly_chart(pole_figure(poles), width="stretch", key="arena_poles")
left.caption(pole_note)
right.markdown(
    "Linear prediction predicts each sample as a weighted sum of the samples before it, "
    "x[t] = a₁x[t−1] + a₂x[t−2] + … . Why that can be exact: one sine x[t] = cos(ωt) obeys "
    "**x[t+1] = 2cos(ω)·x[t] − x[t−1]** for every t (add cos(ω(t+1)) and cos(ω(t−1)) with the "
    "sum-to-product formula). Two numbers, 2cos ω and −1, carry the whole sine forward forever. A sum of K "
    "sines obeys such a rule with 2K weights, which least squares finds from the lookback.\n\n"
    "Each such rule has **poles**: the numbers p with "
    "pⁿ = a₁pⁿ⁻¹ + a₂pⁿ⁻² + …, one for every mode the rule can play. A pole at angle θ on the **unit "
    "circle** is a steady oscillation of period 2π/θ samples; inside the circle it dies away; outside it "
    "grows without bound.\n\n"
    "A clean sum of K sines needs 2K poles, **on the circle** at its frequencies: that is why the forecast "
    "is exact, as long as the lookback can pin the 2K weights down (up to about 25 waves in 100 samples; "
    "with more it can be nearly exact for 10 steps and drift by 40: try seed 3, 43 components, at horizon 40). "
    "A rule has one pole per weight (its *order*), so the spare ones sit just inside the circle, where they "
    "fade and carry almost nothing. Add noise (sidebar) and watch the poles move inside and new "
    "ones scatter. The textbook fit (order N/2: as many weights as it can fit) has more weights than the "
    "signal needs: its spare poles land anywhere, some outside even on a clean signal, and on noise it fits "
    "the noise exactly and puts more outside, so its forecast explodes. "
    "This app's fit keeps only what stands above the noise and pulls a pole just outside back onto the "
    "circle; one far outside (growing more than 10% a step: no signal you can see does that) it moves "
    "inside, where it fades. Hover a pole for its radius and period."
)

st.subheader("Play the forecast step by step")
st.caption(
    "Press play: each model adds one step at a time. Errors compound for the models that feed on "
    "their own outputs; the DFT's error is there from the first step."
)
if forecasts:
    st.plotly_chart(rollout_animation(series, lookback, forecasts, labels), width="stretch", key="arena_play")

st.download_button(
    "Download these forecasts (CSV)",
    pd.DataFrame(
        {"t": np.arange(lookback, length), "truth": future} | {labels[k]: v for k, v in forecasts.items()}
    ).to_csv(index=False),
    file_name="harmonics_lab_forecasts.csv",
    mime="text/csv",
)

st.divider()
st.subheader("Over many signals")
c1, c2 = st.columns(2)
suite_name = c1.selectbox(
    "Test suite",
    list(evaluation.SUITES),
    index=1,
    key="arena_suite",
    bind="query-params",
    help="; ".join(f"{name}: {text}" for name, text in evaluation.DESCRIPTIONS.items())
    + ". Real windows and the last three suites are scaled by their lookback. Inputs are passed as float32: "
    + define("float32"),
)
n_signals = c2.slider("Signals", 32, 1024, 256, step=32, key="arena_n")


@st.cache_data(max_entries=16, show_spinner="Scoring...")
def score_suite(keys: tuple[str, ...], suite_name: str, n: int):
    data = evaluation.suite(suite_name, n=n).as_float32()
    results, problems = {}, {}
    for key in keys:
        model, error = load_forecaster(key)
        if error:
            problems[key] = error
            continue
        try:
            results[key] = evaluation.score(model, data.history, data.future, name=key)
        except ValueError as exc:
            problems[key] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one model's failure is shown for that model only
            problems[key] = f"failed on this suite ({type(exc).__name__}: {exc})"
    return data, results, problems


data, results, problems = score_suite(tuple(chosen), suite_name, n_signals)
for key, message in problems.items():
    if key not in errors:
        st.warning(f"**{labels[key]}** is not scored: {message}")
if results:
    left, right = st.columns(2)
    left.plotly_chart(
        horizon_figure({k: s.per_horizon() for k, s in results.items()}, labels),
        width="stretch",
        key="arena_horizon_fig",
    )
    left.caption(
        "Error at each step ahead (band: ~95% confidence). A model that feeds on itself rises with "
        "the step; the DFT is bad from step 1."
    )
    right.plotly_chart(
        components_figure({k: s.by_components(data.components) for k, s in results.items()}, labels),
        width="stretch",
        key="arena_components_fig",
    )
    right.caption(
        "Error against how many harmonics the signal has. Linear prediction's error grows with it (more "
        "waves, more weights to fit from the same lookback) but stays far below every other model's."
    )
    board = pd.DataFrame(evaluation.leaderboard(results)).rename(
        columns={"mse": "MSE", "mae": "MAE", "vs_naive": "vs repeat-last", "vs_linear": "vs linear prediction"}
    )
    board["model"] = board["model"].map(labels)
    for column in ("vs repeat-last", "vs linear prediction"):
        board[column] = board[column].map(evaluation.readable_ratio)
    st.dataframe(
        board,
        hide_index=True,
        width="stretch",
        column_config={
            "MSE": st.column_config.NumberColumn(format="%.3g"),
            "MAE": st.column_config.NumberColumn(format="%.3g"),
        },
    )
    st.download_button(
        "Download the scores (CSV)", board.to_csv(index=False), file_name="harmonics_lab_scores.csv", mime="text/csv"
    )
    with st.expander("Worst cases"):
        who = st.selectbox("Model", list(results), format_func=label_of, key="arena_worst_model")
        order = results[who].worst(10)
        pick = st.selectbox(
            "Signal (worst first)",
            order.tolist(),
            key="arena_worst_pick",
            format_func=lambda i: f"#{i}: MSE {results[who].per_signal[i]:.3g}, {data.components[i]} components",
        )
        worst_series = np.concatenate([data.history[pick], data.future[pick]])
        worst = {k: predict(k, data.history[pick], data.future.shape[1])[0] for k in results}
        st.plotly_chart(
            forecast_figure(worst_series, data.history.shape[1], worst, labels), width="stretch", key="arena_worst_fig"
        )

st.divider()
st.subheader("Robustness: every model on every suite")
st.caption(
    "Each cell is a model's MSE divided by that of repeating the last value, on one suite (64 signals "
    "each, float32 input). Blue: better than repeating the last value; red: worse. A model trained on "
    "one narrow world (`final` only) is excellent there and can be worse than doing nothing elsewhere."
)


@st.cache_data(max_entries=8, show_spinner="Scoring every model on each of them...")
def robustness_map(keys: tuple[str, ...], shapes: bool = False) -> tuple[np.ndarray, list[str]]:
    """MSE / naive's MSE [model, suite] on the suites, or on the shapes outside every training family."""
    models = {k: m for k in keys if (m := load_forecaster(k)[0]) is not None}
    models.setdefault("naive", forecasters.load("naive"))
    if shapes:
        results = evaluation.robustness(models, SHAPE_KINDS, n=64, make=evaluation.shape_suite)
    else:
        results = evaluation.robustness(models, evaluation.SUITES, n=64)
    shown = [k for k in keys if k in models]
    ratios = np.array([[r[k].mse / r["naive"].mse if k in r else np.nan for r in results.values()] for k in shown])
    return ratios, shown


if st.toggle("Compute the robustness map (a few seconds, then cached)", key="arena_robust", bind="query-params"):
    ratios, shown = robustness_map(tuple(chosen))
    st.plotly_chart(
        robustness_figure(ratios, [label_of(k) for k in shown], list(evaluation.SUITES)),
        width="stretch",
        key="arena_robust_fig",
    )
st.caption(
    "The suites are what the models are scored on, and the networks trained on much of what they hold. "
    "These shapes are in no suite and in no training world: a kink or a jump in the window, counts, "
    "white noise, periods too short or too long for the window, seasons that grow (the Signal Lab "
    "draws them under *Other shapes*). Every model loses to repeating the last value on some of them: "
    "look for its red cells before you trust it with a series like that. 64 series of each shape here: "
    "most cells are within 10% of the README's table (1,000 of each), a few differ by a third."
)
if st.toggle(
    "Compute the map of shapes outside every training family (about ten seconds, then cached)",
    key="arena_shapes",
    bind="query-params",
):
    ratios, shown = robustness_map(tuple(chosen), shapes=True)
    st.plotly_chart(
        robustness_figure(ratios, [label_of(k) for k in shown], SHAPE_KINDS, suites_down=True),
        width="stretch",
        key="arena_shapes_fig",
    )

try_this(ARENA_EXPERIMENTS)
