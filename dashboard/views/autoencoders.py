"""Autoencoders: a learned code of k numbers against the DFT's k largest coefficients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import autoencoders
from core.autoencoders import data as ae_data
from core.autoencoders.evaluate import findings, mse_by_k
from core.autoencoders.models import MODELS as AE_MODELS
from dashboard.plots.autoencoders import (
    code_colors,
    epicycle_animation,
    mse_vs_k_figure,
    signal_figure,
    stroke_figure,
)
from dashboard.sections import train_form

KS = (4, 8, 16)
# One line per code for people (the names are the models' own). Closed-form codes need no training.
CODE_NOTES = {
    "dft-topk": "closed-form: the k largest of the window's real DFT numbers, plus which ones they were.",
    "dft-lowpass": "closed-form: the first k real DFT numbers, the slowest cosines, whatever their size.",
    "pca": "closed-form: the window's coordinates along the k directions in which training windows vary most.",
    "linear": "learned: one linear map down to k numbers and one back (at best the same subspace as PCA).",
    "mlp": "learned: fully connected layers that see the whole window at once, as the DFT does.",
    "rnn": "learned: a plain recurrent network reads the samples one at a time; its last state gives the k numbers.",
    "lstm": "learned: the same with an LSTM (a recurrent network with a gated memory).",
    "gru": "learned: the same with a GRU (a simpler gated recurrent network).",
    "conv": "learned: convolutions halve the window three times, then one fully connected layer gives the k numbers.",
    "conv-rnn": "learned: convolutions shorten the window to a quarter, a plain recurrent layer reads what they found.",
    "conv-lstm": "learned: convolutions shorten the window to a quarter, an LSTM reads what they found.",
    "conv-gru": "learned: convolutions shorten the window to a quarter, a GRU reads what they found.",
    "conv-res": "learned: as the conv-recurrent code of the same name, with deeper convolution blocks (each "
    "adds its input back to its output).",
}
KINDS = {"Harmonic sums": "signals", "Pen strokes": "strokes"}
# The document this page answers (its own data and units, 300 epochs): train / test MSE.
DOCUMENT = {
    "rnn": (94.97, 102.43),
    "lstm": (2.42, 4.00),
    "gru": (5.55, 8.29),
    "conv": (0.74, 1.19),
    "conv-lstm": (1.09, 1.49),
    "conv-gru": (1.03, 1.41),
    "conv-res-gru": (0.85, 1.58),
}

st.title("Autoencoders")
st.markdown(
    "The DFT Explorer rewrites a window exactly as a sum of cosines. Keep only k of the DFT's numbers and "
    "rebuild the window from them, and the DFT becomes a **code**: k numbers that stand for the window. An "
    "**autoencoder** is a network that learns its own code: an *encoder* squeezes the window into "
    "k numbers, a *decoder* rebuilds the window from them, and both are trained so that what comes out is "
    "as close as possible to what went in. A linear one learns the same code as **PCA** (the k directions "
    "along which windows vary most), which for steady waves comes close to the DFT's own cosines. Where does "
    "a nonlinear code win? Count every code in real numbers kept: a DFT coefficient is 2 (a complex "
    "number), and *DFT top-k* also needs to know **which** coefficients it kept: side information the "
    "other codes do not get."
)

c1, c2, c3 = st.columns([3, 2, 1])  # "Pen strokes" was cut at 1024 px in a third
kind_label = c1.segmented_control("Data", list(KINDS), default="Harmonic sums", key="ae_kind") or "Harmonic sums"
kind = KINDS[kind_label]
k = c2.select_slider("k: real numbers in the code", KS, value=16, key="ae_k")
seed = c3.number_input("Seed", 0, 10**6, 0, key="ae_seed")

shipped = autoencoders.shipped(kind)
names = [n for n in autoencoders.available(kind) if n not in AE_MODELS or k in shipped.get(n, [])]
# By default the closed-form codes and the learned ones shipped at every k (the best of each family).
default = [n for n in ("dft-topk", "pca", "mlp", "conv", "conv-gru") if n in names]
chosen = st.multiselect("Codes", names, default=default, key=f"ae_codes_{kind}_{k}")
with st.expander("What each code is"):
    st.markdown(
        "\n".join(
            f"- **{n}**: {CODE_NOTES.get('conv-res' if n.startswith('conv-res') else n, 'a code trained here.')}"
            for n in names
        )
    )
if not any(n in AE_MODELS for n in names):
    st.info(f"No learned code is shipped for {kind} at k = {k}: train one below; closed-form codes only for now.")


@st.cache_resource(show_spinner=False)
def code(name: str, k: int, kind: str):
    return autoencoders.load(name, k, kind)


def drawn_stroke() -> np.ndarray | None:
    """The user's drawing on a canvas, resampled like the training strokes, or None (with a message)."""
    from streamlit_drawable_canvas import st_canvas

    st.caption("Draw one stroke (press, draw, release). Only the first stroke counts.")
    result = st_canvas(
        stroke_width=3, stroke_color="#111827", height=260, width=420, drawing_mode="freedraw", key="ae_canvas"
    )
    objects = (result.json_data or {}).get("objects", []) if result is not None else []
    paths = [o for o in objects if o.get("type") == "path"]
    if not paths:
        st.info("The canvas is empty: draw a stroke to encode it.")
        return None
    points = [(float(c[-2]), -float(c[-1])) for c in paths[0]["path"] if len(c) >= 3]  # y up, like a plot
    try:
        return autoencoders.resample_stroke(points, 100, size=1.0)
    except ValueError as exc:
        st.warning(f"Cannot use this drawing: {exc}")
        return None


if kind == "signals":
    x = ae_data.signals(1, seed=int(seed)).numpy().astype(np.float64)[0]
else:
    source = st.radio("Stroke", ["A random stroke", "Draw your own"], horizontal=True, key="ae_stroke_source")
    x = (
        ae_data.strokes(1, seed=int(seed)).numpy().astype(np.float64)[0]
        if source == "A random stroke"
        else drawn_stroke()
    )

colors = code_colors(list(names))
if x is not None and chosen:
    try:
        rebuilt = {n: code(n, k, kind).reconstruct(x[None])[0] for n in chosen}
    except ValueError as exc:
        st.error(f"Cannot encode this input: {exc}")
        st.stop()
    figure = signal_figure(x, rebuilt, colors) if kind == "signals" else stroke_figure(x, rebuilt, colors)
    st.plotly_chart(figure, width="stretch", key="ae_reconstruction")
    errors = {n: float(((rebuilt[n] - x) ** 2).mean()) for n in chosen}
    st.caption(
        f"Each code keeps {k} real numbers of this window's {x.size}. Reconstruction MSE here: "
        + ", ".join(f"{n} {errors[n]:.2g}" for n in sorted(errors, key=errors.get))
        + "."
    )

if kind == "strokes" and x is not None:
    st.subheader("The DFT of a stroke, as circles")
    circles = st.slider("Circles", 1, 50, 8, key="ae_circles")
    epi = autoencoders.epicycles(x, circles)
    st.plotly_chart(epicycle_animation(epi, x), width="stretch", key="ae_epicycles")
    st.caption(
        "Write the stroke as complex numbers x + iy. Its DFT is a sum of circles, each turning a whole number "
        "of times per stroke; chained tip to tail, the last tip draws the stroke. These are the "
        f"{circles} largest circles: {2 * circles} real numbers (radius and start angle of each) plus which "
        "speeds were kept. Press **Play**; add circles and the pen's line closes in on the grey original."
    )


@st.cache_data(max_entries=8, show_spinner="Scoring every code...")
def mse_table(kind: str, names: tuple) -> list[dict]:
    """Held-out MSE of every code at every k it has, on 256 fresh windows (the evaluate CLI's test seed)."""
    curves = mse_by_k(list(names), kind, ks=(*KS, 32))
    return [{"model": n, "kind": kind, "k": k, "mse": mse} for n, by_k in curves.items() for k, mse in by_k.items()]


st.subheader("Reconstruction error against k")
rows = mse_table(kind, tuple(names))
st.plotly_chart(mse_vs_k_figure(rows, colors), width="stretch", key="ae_mse_k")
st.caption(
    "Held-out MSE over 256 windows none of the codes was trained or fitted on. Dotted: closed-form codes "
    "(no training); solid: learned ones, at the k they were trained for."
)
st.markdown("**What these curves say** (each sentence computed from the numbers above):")
for sentence in findings([{**r, "test_mse": r["mse"]} for r in rows]):
    st.markdown(f"- {sentence}")

with st.expander("Beside the reference document's figures (pen strokes)"):
    ours = {r["model"]: r["mse"] for r in rows if r["k"] == max(KS)}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "model": m,
                    "document: train": tr,
                    "document: test": te,
                    f"here: test on {kind_label.lower()}, k = {max(KS)}": ours.get(m),
                }
                for m, (tr, te) in DOCUMENT.items()
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "The reference document this page was built to check trained these autoencoders on its own pen "
        "trajectories, in its own units, for 300 epochs (passes over its data); here the strokes are synthetic "
        "and scaled to about 1. Compare the *order* of the models, not the values"
        + (", and choose *Pen strokes* above: the last column is now on harmonic sums." if kind == "signals" else ".")
    )

st.subheader("Train a code")
st.caption("Runs go through the same background training as the forecasters and are listed on the Training page.")
train_form(
    "ae_train",
    list(AE_MODELS),
    f"Train on {kind} at k = {k}",
    steps=3000,
    batch=128,
    max_batch=8192,
    val_size=256,
    task="autoencoder",
    model_options={"k": int(k)},
    data={"kind": kind},
)
