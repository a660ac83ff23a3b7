"""Frames: the forecasting question one step further, on video frames of a moving object."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st

from core import frames
from core.frames import data as frame_data
from core.frames import metrics
from core.frames.evaluate import trained_noise
from core.frames.models import MODELS as FRAME_MODELS
from core.glossary import define
from dashboard.plots.frames import colors_for, forecast_animation, lead_time_figure
from dashboard.sections import start_config, train_form


def label(name: str) -> str:
    """A forecaster's name for people: 'ConvLSTM (blob32-convlstm2)', 'Physics fit ...'."""
    if name in frames.SHIPPED:
        return f"{frames.LABELS[frames.SHIPPED[name][0]]} ({name})"
    return frames.LABELS.get(name, name)


SHORT = {
    "blank": "blank",
    "persistence": "last frame",
    "constant_velocity": "const. velocity",
    "flow": "optical flow",
    "physics": "physics fit",
}


def short(name: str) -> str:
    """A panel title that fits above a 32-pixel-wide image when ten panels share a row."""
    return SHORT.get(name) or name.split("-", 1)[-1].replace("_", " ")


st.title("Frames")
st.markdown(
    "The same question as the Forecast Arena, on video: an object moves across a small image along a "
    "law (a straight line, a parabola, a sine, a bouncing ball); given the first frames, draw the next "
    "ones. Forecasters that know nothing (the last frame again; constant velocity: the object's centre of "
    "brightness, its *centroid*, moved on at its last speed; an optical-flow nowcast: how each patch moved "
    "between the last two frames, pushed on), one that knows the law (the **physics fit**: find the object "
    "in each frame, fit the law's few numbers by least squares, extrapolate: the frames' linear "
    "prediction), and networks "
    "trained on thousands of such videos: a ConvLSTM (an LSTM whose gates are small convolutions, so its "
    "memory keeps the image's layout; one stack of them reads the input frames and hands its memory to "
    "another that draws the future ones), a CNN that boils each frame down to a few numbers feeding an "
    "LSTM whose output is drawn back into an image, and an FC-LSTM that flattens each frame into "
    "one long list of pixels, throwing away which pixel sits next to which."
)

PRESET_NOTES = {
    "blob32": "32 x 32 pixels, a soft blob; 10 frames in, the next 10 out; every law mixed.",
    "thesis": "80 x 120 pixels, one lit pixel; 20 frames in, the frame 10 steps after the last one out.",
    "digits": "64 x 64 pixels, a handwritten digit bouncing in a box; 10 frames in, 10 out.",
}
# The preset has a row of its own: in a column beside the others its third button was cut off at 1024 px.
preset_name = (
    st.segmented_control("Preset", list(frame_data.PRESETS), default="blob32", key="frames_preset", bind="query-params")
    or "blob32"
)
spec = frame_data.PRESETS[preset_name]
c2, c3, c4, c5 = st.columns([2, 1, 1, 1])
law = c2.selectbox("Law of the path", spec.laws, key=f"frames_law_{preset_name}")
most = frame_data.MAX_DOF[law]
dof = c3.number_input(
    "DOF",
    1,
    most,
    most,
    key=f"frames_dof_{preset_name}_{law}",
    help=define("DOF") + f" This law's numbers, in the order they become free: {', '.join(frame_data.PARAMS[law])}; "
    "the others keep fixed values. More freedom, more to read from the frames.",
)
noise = c4.slider("Noise (std)", 0.0, 0.3, 0.0, 0.01, key="frames_noise", help=define("noise"))
seed = c5.number_input("Seed", 0, 10**6, 0, key="frames_seed")
st.caption(PRESET_NOTES[preset_name])

names = frames.available(preset_name)
networks = [n for n in names if n in frames.SHIPPED]
default = [*networks, "physics", "constant_velocity", "persistence"]
chosen = st.multiselect(
    "Forecasters",
    names,
    default=[n for n in default if n in names],
    format_func=lambda n: label(n),
    key=f"frames_models_{preset_name}",
)
if not networks:
    st.info("No trained frame network is shipped for this preset yet: train one below; baselines only for now.")
if not chosen:
    st.info("Pick at least one forecaster.")
    st.stop()


@st.cache_resource(show_spinner=False)
def predictor(name: str, preset: str):
    return frames.load(name, preset)


@st.cache_data(max_entries=32, show_spinner="Forecasting...")
def forecast_batch(preset: str, law: str, dof: int, noise: float, seed: int, names: tuple, n: int = 32) -> dict:
    """A batch of ``n`` sequences of one law and DOF, every chosen forecaster's frames, and their errors
    per sequence and lead step."""
    combo = frame_data.preset(preset, laws=[law], dof=int(dof), noise=float(noise))
    batch = frame_data.generate(combo, n, seed=int(seed))
    inputs, targets = batch.inputs.numpy(), batch.targets.numpy()
    truth = batch.positions[:, :, 0].numpy()  # [n, t_in + t_out, 2], the first object
    out = {"inputs": inputs, "targets": targets, "truth": truth, "forecasts": {}, "errors": {}, "paths": {}}
    for name in names:
        forecast = predictor(name, preset).predict(inputs)
        out["forecasts"][name] = forecast
        out["paths"][name] = metrics.locate_prediction(forecast, combo)
        per_step_ssim = metrics.ssim_per_frame(forecast, targets)
        out["errors"][name] = {
            "mse": metrics.frame_mse(forecast, targets),  # [n, t_out]
            "ssim": per_step_ssim,
            "position": metrics.position_error(forecast, truth[:, combo.t_in :], combo),
        }
    return out


try:
    result = forecast_batch(preset_name, law, int(dof), float(noise), int(seed), tuple(chosen))
except ValueError as exc:
    st.error(f"Cannot forecast these frames: {exc}")
    st.stop()

labels = {n: label(n) for n in chosen}
colors = colors_for(chosen)
which = st.slider("Sequence", 1, len(result["inputs"]), 1, key="frames_sequence") - 1
st.plotly_chart(
    forecast_animation(
        result["inputs"][which],
        result["targets"][which],
        {n: result["forecasts"][n][which] for n in chosen},
        result["truth"][which],
        {n: result["paths"][n][which] for n in chosen},
        spec.ahead,
        {n: short(n) for n in chosen},
        colors,
        enlarge=spec.render == "pixel",
    ),
    width="stretch",
    key="frames_animation",
)
st.caption(
    "Press **Play**: first the input frames, then each panel's forecast (panels in the order of the list "
    "above). The thin dark line is the object's "
    "true path; a coloured line is where that forecaster puts it (the brightest pixel, or the centre of "
    "brightness near it)."
    + (" The lit pixel is drawn 3 x 3 here so that it can be seen." if spec.render == "pixel" else "")
)

st.subheader(f"Over {len(result['inputs'])} sequences of this law")
rows = []
for n in chosen:
    e = result["errors"][n]
    position = metrics.summary(e["position"])
    rows.append(
        {
            "forecaster": labels[n],
            "trained on noise": trained_noise(predictor(n, preset_name)),
            "MSE per pixel": float(e["mse"].mean()),
            "SSIM": float(e["ssim"].mean()),
            "position error, mean": 100 * position["mean"],
            "p95": 100 * position["p95"],
            "max": 100 * position["max"],
        }
    )
table = pd.DataFrame(rows).sort_values("position error, mean")
st.caption(
    "'trained on noise': the noise standard deviation of the frames a network saw in training (0: clean frames "
    "only; '-': not trained). A network asked about noisier frames than it saw is off its training "
    "distribution: move the noise slider and watch which ones hold."
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "MSE per pixel": st.column_config.NumberColumn(format="%.2e"),
        "SSIM": st.column_config.NumberColumn(format="%.3f"),
        **{k: st.column_config.NumberColumn(k, format="%.2f %%") for k in ("position error, mean", "p95", "max")},
    },
)
st.caption(
    "**MSE per pixel**: the mean squared difference of intensities. **SSIM** (structural similarity, 1 = "
    "identical): compares local brightness, contrast and structure, closer to what an eye sees. **Position "
    "error**: the distance between where the forecast puts the object and where it is, as a share of the "
    "image's diagonal; p95 and max show the bad cases a mean hides."
)
if len(spec.ahead) > 1:
    tabs = st.tabs(["Position error", "MSE", "SSIM"])
    for tab, (key, axis_title) in zip(
        tabs, [("position", "position error (share of diagonal)"), ("mse", "MSE"), ("ssim", "SSIM")]
    ):
        with tab:
            curves = {n: result["errors"][n][key].mean(0) for n in chosen}
            st.plotly_chart(lead_time_figure(curves, spec.ahead, axis_title, labels, colors), key=f"frames_lead_{key}")

with st.expander("Why a ConvLSTM finds one lit pixel hard, and what coordinates change"):
    st.markdown(
        "A **ConvLSTM** is an LSTM whose gates are small convolutions: each cell of its memory sees only a "
        "few neighbouring pixels per step. That suits blobs and digits that move a pixel or two per frame. "
        "In the `thesis` preset one pixel must be placed 10 steps ahead, tens of pixels from anything lit "
        "in the input, and a pixel-wise loss is won by predicting an empty frame. A **coordinate-aware** "
        "model reads *where* the object is (the row and column sums of each frame, with the coordinates "
        "given as numbers), follows that path with an LSTM and answers with a row and a column: the "
        "question becomes a 1-D forecast again, the kind the rest of this app is about. Noise would swamp "
        "those sums (thousands of dim pixels outweigh one lit one), so before summing it blanks every pixel "
        "no brighter than six times the frame's own noise (how much its dark pixels flicker): trained on "
        "clean videos only, at noise up to 0.1 it forecasts as on clean ones. The **physics fit** "
        "knows the law and only has to fit its few numbers: the limit any learned model is measured against."
    )

st.subheader("Train a frame model")
st.caption("Runs go through the same background training as the forecasters and are listed on the Training page.")


def describe(recipe: frames.Recipe) -> str:
    """A recipe in plain words: the model, what it is shown, how long it trains."""
    c, data = recipe.config, recipe.config.data
    words = {
        "layers": lambda v: f"{v} layer{'s' * (v != 1)}",
        "hidden": lambda v: f"{v} hidden channels" if c.model == "convlstm" else f"{v} hidden units",
        "kernel": lambda v: f"{v}x{v} convolutions",
        "patch": lambda v: f"frames cut into {v}x{v}-pixel patches",
        "embed": lambda v: f"each frame boiled down to {v} numbers",
    }
    options = ", ".join(words.get(k, lambda v, k=k: f"{k} {v}")(v) for k, v in c.model_options.items())
    options = options or "its default size"
    shown = []
    if data.get("noise"):
        low, high = data["noise"] if isinstance(data["noise"], list) else (data["noise"], data["noise"])
        clean = float(data.get("clean_share", 0))
        std = f"{low:g}" if low == high else f"{low:g} to {high:g}"
        shown.append(f"noise of std {std} on {100 * (1 - clean):.0f} % of the input videos")
    emphasis = [
        f"{100 * share:.0f} % {law} with {dof} free numbers (DOF)" for law, dof, share in data.get("emphasis", ())
    ]
    if emphasis:
        shown.append(f"{', '.join(emphasis)}, the rest every law and DOF alike")
    schedule = " falling along a cosine" if c.schedule == "cosine" else f" ({c.schedule} schedule)"
    return (
        f"**{label(recipe.name)}**: {options}; {c.steps:,} steps of {c.batch_size} videos, learning rate "
        f"{c.lr:g}{schedule}"
        + (f"; the videos: {'; '.join(shown)}" if shown else "")
        + f". From scratch it took {recipe.seconds / 60:.0f} minutes ({recipe.where}); where there is a GPU it uses it."
        + (
            " The shipped weights trained longer, in stages: one run of this recipe comes close to them, "
            "not all the way."
            if recipe.staged
            else ""
        )
    )


@st.cache_resource(show_spinner=False)
def shipped_recipes(preset_name: str) -> dict[str, frames.Recipe]:
    """The recipes of the shipped networks on a preset, read once per app process (files that ship with it;
    read on every rerun they cost ~30 ms). Recipes are frozen; a run gets a replaced copy of one's config."""
    recipes = {}
    for name in frames.available(preset_name):
        if name in frames.SHIPPED:
            try:
                recipes[name] = frames.recipe(name)
            except ValueError:  # a shipped model without a single-run recipe is still usable, not retrainable here
                pass
    return recipes


recipes = shipped_recipes(preset_name)
source = st.radio(
    "Start from",
    ["a shipped model's recipe", "your own settings"] if recipes else ["your own settings"],
    horizontal=True,
    key=f"frames_train_source_{preset_name}",
    help="A recipe is everything one shipped network was trained with, from random weights: model, sizes, "
    "steps, learning rate and the mix of videos.",
)
if source == "a shipped model's recipe":
    chosen_recipe = st.selectbox("Recipe", list(recipes), format_func=label, key=f"frames_recipe_{preset_name}")
    st.markdown(describe(recipes[chosen_recipe]))
    recipe_run_id = st.text_input("Run name (optional)", key="frames_recipe_run_id")
    if st.button("Train this recipe", type="primary", key="frames_recipe_train"):
        start_config(lambda: dataclasses.replace(recipes[chosen_recipe].config, device="auto"), recipe_run_id)
else:
    train_form(
        "frames_train",
        {name: label(name) for name in sorted(FRAME_MODELS)},
        f"Train on {preset_name}",
        steps=2000,
        batch=32,
        max_batch=4096,
        val_size=128,
        task="frames",
        data={"preset": preset_name},
    )
