"""DFT Explorer: why the DFT reconstructs a window perfectly and still cannot forecast it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import audio, spectral
from core.glossary import define
from core.signals import signal_from_rows
from dashboard import state
from dashboard.experiments import DFT_EXPERIMENTS
from dashboard.plots.spectral import (
    basis_figure,
    extension_figure,
    phase_figure,
    seam_animation,
    spectrum_figure,
    window_figure,
)
from dashboard.sections import sinusoid_fit_section, try_this

EXAMPLES = {
    "One sine, period 20": [{"period": 20.0, "amplitude": 1.0, "phase": 0.0}],
    "Two sines, periods 20 and 33": [
        {"period": 20.0, "amplitude": 0.6, "phase": 0.0},
        {"period": 33.0, "amplitude": 0.4, "phase": 1.0},
    ],
    "The Signal Lab's signal": None,
}

st.title("DFT Explorer")
st.markdown(
    "The DFT looks at a **window of N samples** and describes it as a sum of cosines whose periods are "
    "N, N/2, N/3, ... (bin *k* has frequency *k/N*). Inside the window that description is exact. "
    "Beyond it, those cosines simply **repeat the window**. Start with one sine of period 20 and "
    "**drag N from 100 to 110**."
)

with st.sidebar:
    st.subheader("Analysis")
    example = st.selectbox("Signal", list(EXAMPLES), key="dft_example", bind="query-params")
    shared = state.current()
    if EXAMPLES[example] is None and shared.real:
        if len(shared.real) < 11:  # a window of at least 8 samples, and samples after it to compare with
            st.error(
                f"This series has {len(shared.real)} samples; the DFT Explorer needs at least 11 "
                "(a window of 8 or more and a few samples beyond it). Pick a longer series in the Signal Lab."
            )
            st.stop()
        n_max = len(shared.real) - 2
    else:
        long = st.checkbox("Allow long windows (up to 4096)", False, key="dft_long", bind="query-params")
        n_max = 4096 if long else 400
    n = st.slider(
        "Window length N",
        8,
        n_max,
        min(100, n_max),
        key="dft_n",
        bind="query-params",
        help=define("window"),
    )
    window_name = st.selectbox(
        "Window (taper)", list(spectral.WINDOWS), key="dft_window", bind="query-params", help=define("taper")
    )
    horizon = st.slider(
        "Show beyond the window",
        10,
        400,
        60,
        key="dft_horizon",
        help="how many samples after the window to draw, with the DFT's periodic extension over them",
    )
    pad = st.select_slider(
        "Zero-padding",
        [1, 2, 4, 8, 16],
        value=8,
        key="dft_pad",
        bind="query-params",
        help="samples the underlying continuous spectrum more finely; adds no information",
    )
    axis = st.radio(
        "Spectrum axis",
        ["frequency", "period"],
        horizontal=True,
        key="dft_axis",
        help="draw the spectrum against frequency (cycles per sample) or against period (samples per cycle = "
        "1 / frequency)",
    )
    log = st.checkbox(
        "Log amplitude",
        False,
        key="dft_log",
        help="a logarithmic amplitude axis: each grid line 10 times the one below, so leakage a thousand times "
        "smaller than the peak can still be seen",
    )


@st.cache_data(max_entries=128, show_spinner=False)
def example_samples(name: str, length: int) -> np.ndarray:
    return signal_from_rows(EXAMPLES[name], length)


@st.cache_data(show_spinner=False)
def play_n_windows() -> tuple[np.ndarray, list]:
    """One sine of period 20 analysed over N = 100 .. 110 (for the "play N" animation)."""
    sine = example_samples("One sine, period 20", 170)
    return sine, [spectral.analyse_window(sine, n, 60, "rectangular", 1) for n in range(100, 111)]


if EXAMPLES[example] is None:
    rows = shared.row_dicts() if shared.synthetic else []
    signal = shared.samples(n + horizon) if shared.synthetic else shared.samples()
    source = shared.label
else:
    rows = EXAMPLES[example]
    signal = example_samples(example, n + horizon)
    source = example
if len(signal) <= n:
    st.error(f"This series has {len(signal)} samples: pick N below that (it is now {n}).")
    st.stop()

analysis = spectral.analyse_window(signal, n, horizon, window_name, pad)
h = analysis.harmonics

st.subheader("Inside the window, and beyond it")
st.plotly_chart(
    extension_figure(signal[: n + len(analysis.extension)], n, analysis.reconstruction, analysis.extension),
    width="stretch",
    key="dft_extension",
)
with st.expander("Play N from 100 to 110 (one sine of period 20)"):
    st.plotly_chart(
        seam_animation(*play_n_windows(), period=20.0),
        width="stretch",
        key="dft_play_n",
    )
    st.caption(
        "Press ▶: at N = 100 the copy continues the wave; every sample added to the window moves the seam out of step."
    )
col1, col2, col3 = st.columns(3)
# Short labels: a metric's label is cut to one line, and at 1024 px a third of the page holds ~25 characters.
col1.metric(
    "Periodic extension: MSE",
    f"{analysis.extension_mse:.3g}",
    help="How far the DFT's copy after the window is from the true signal. " + define("MSE"),
)
col2.metric(
    "Repeat last value: MSE",
    f"{analysis.repeat_last_mse:.3g}",
    help="The simplest forecast, for comparison. " + define("repeat last value"),
)
periods = [r["period"] for r in rows] if rows else None
far = {w: spectral.far_leakage(signal[:n], periods, w) for w in {"rectangular", window_name}}
col3.metric(
    "Far-off leakage",
    f"{far[window_name]:.2%}",
    None if window_name == "rectangular" else f"{far[window_name] - far['rectangular']:+.2%} vs no taper",
    delta_color="inverse",
    help="The share of the spectrum's energy more than 3 bins from the waves' own frequencies. "
    + define("leakage")
    + " Far-off leakage is what a taper lowers.",
)
st.markdown(
    "The dotted blue line is the DFT's sum of cosines inside the shaded window; the red line is what "
    "the same sum does after it. Every DFT cosine completes a whole number of cycles in N samples, so "
    "after sample N the sum starts the window again: the **seam**. If the signal's own periods also fit "
    "a whole number of times into N (period 20 in N = 100: 5 cycles), the repeat *is* the future and "
    "the error is ~0. If not (N = 110: 5.5 cycles), the red line jumps at the seam and goes wrong."
)
if window_name != "rectangular":
    st.markdown(
        f"**The trade of the {window_name} taper** on this window: far-off leakage "
        f"{far['rectangular']:.2%} → {far[window_name]:.2%}, but the peak of each wave (the main lobe) widens "
        f"from {spectral.main_lobe_width('rectangular'):.0f} to {spectral.main_lobe_width(window_name):.1f} "
        "bins, so two waves closer than that blur into one. Tick *Log amplitude* to see both."
    )
    st.info(
        f"With the {window_name} window the DFT analyses the *tapered* window, so even inside it the sum "
        "of cosines no longer matches the signal, and beyond it it still repeats: a window sharpens the "
        "spectrum, it does not turn the DFT into a forecaster."
    )

if rows:
    st.subheader("Cycles in the window")
    cycles, whole = spectral.cycles_in_window([r["period"] for r in rows], n)
    st.dataframe(
        pd.DataFrame(
            {
                "period P": [r["period"] for r in rows],
                "amplitude": [r["amplitude"] for r in rows],
                "cycles N/P": cycles,
                "whole number?": ["yes: one clean bin" if w else "no: leaks" for w in whole],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "A component that completes a whole number of cycles falls exactly on one bin. One that doesn't "
        "lies between bins and its energy spreads over many: that is **spectral leakage**."
    )

untapered = None
if window_name != "rectangular":  # the same window with no taper, drawn underneath for comparison
    plain = spectral.analyse_window(signal, n, horizon, "rectangular", pad)
    untapered = (plain.fine_frequency, plain.fine_amplitude)
with st.expander("What is a bin? The DFT's cosines next to the strongest one"):
    strongest = int(np.argmax(h.amplitude[1:]) + 1) if len(h.amplitude) > 1 else 0
    st.plotly_chart(basis_figure(n, strongest), width="stretch", key="dft_basis")
    st.caption(
        f"Bin k is a cosine that completes exactly k cycles in the N = {n} samples (period N/k). These are "
        f"bins {strongest - 1}, {strongest} and {strongest + 1}: the DFT can only use waves like these, so a "
        "period in between must be made of several of them, and after the window each of them starts over."
    )

st.subheader("Spectrum")
true_freqs = np.array([1 / r["period"] for r in rows]) if rows else None
st.plotly_chart(
    spectrum_figure(
        h.frequency,
        h.amplitude,
        analysis.fine_frequency,
        analysis.fine_amplitude,
        true_freqs,
        axis,
        log,
        untapered=untapered,
    ),
    width="stretch",
    key="dft_spectrum",
)
st.markdown(
    f"N = {n} samples give **{len(h.frequency)} distinct bins** (N/2 + 1 for even N, (N+1)/2 for odd N; "
    "the rest mirror them for a real-valued signal). Stems are the DFT bins; the light curve is the "
    "zero-padded spectrum, the continuous curve the bins sample: when a wave fits the window a whole number "
    "of times, every other bin sits exactly on one of the curve's zeros. Green dotted lines mark the true "
    "components. A bin's height reads as the component's own amplitude: |X_k|/N (X_k is the DFT's complex "
    "number for bin k), doubled except at DC (bin 0, the mean) and Nyquist (bin N/2, period 2)."
)
with st.expander("Phase spectrum"):
    st.plotly_chart(phase_figure(h.frequency, h.phase, h.amplitude, axis), width="stretch", key="dft_phase")
    st.caption("Phase of each bin, in the cosine convention. Where the amplitude is ~0 the phase means nothing.")

st.subheader("Windows compared")


@st.cache_data(show_spinner=False)
def window_table() -> pd.DataFrame:
    return pd.DataFrame(window_rows())


def harris(ref: dict, key: str) -> str:
    """A textbook value as text, "—" where Harris (1978) has none (one column type: no "None" cells)."""
    value = ref.get(key)
    return "—" if value is None else f"{value:g}"


def window_rows() -> list[dict]:
    metrics = []
    for name in spectral.WINDOWS:
        measured = spectral.window_metrics(name)
        ref = spectral.HARRIS_1978.get(name, {})
        metrics.append(
            {
                "window": name,
                "highest sidelobe (dB)": round(measured["peak_sidelobe_db"], 1),
                "sidelobe, Harris 1978": harris(ref, "peak_sidelobe_db"),
                "scalloping loss (dB)": round(measured["scalloping_loss_db"], 2),
                "scalloping, Harris 1978": harris(ref, "scalloping_loss_db"),
                "ENBW (bins)": round(measured["enbw_bins"], 2),
                "ENBW, Harris 1978": harris(ref, "enbw_bins"),
            }
        )
    return metrics


st.dataframe(window_table(), hide_index=True, width="stretch")
st.markdown(
    "**Highest sidelobe**: how far leakage reaches (lower is better). **Scalloping loss**: how much "
    "lower a tone half-way between bins reads. **ENBW** (equivalent noise bandwidth): how many bins' worth "
    "of noise one bin collects; it grows with the width of the main peak. Tapering trades a wider peak and "
    "lower gain for far less far-off leakage. Measured here on a 256-sample window; textbook values from "
    "F. J. Harris, Proc. IEEE 1978 (Kaiser with alpha = 3; the flat-top window is not in his table)."
)
with st.expander("Window shapes"):
    st.plotly_chart(
        window_figure({w: spectral.window(w, n) for w in spectral.WINDOWS}), width="stretch", key="dft_windows"
    )
st.caption(f"Analysing: {source}")

sinusoid_fit_section(signal[:n], key="dft_poles")

st.subheader("Listen to the seam")
st.markdown(
    "The DFT's forecast is the window played again and again. Here is exactly that, as sound: each sample "
    f"lasts 1/{audio.RATE} s, so a period of 20 samples is a {audio.RATE // 20} Hz tone ({audio.RATE // 20} "
    "cycles a second). When every period "
    "fits the window a whole number of times the loop is one smooth tone; when not, the wave jumps at every "
    f"seam, {audio.RATE}/N times a second, and you hear a buzz."
)
mine, whole, broken = st.columns(3)
mine.caption(f"Your window (N = {n}), looped")
mine.audio(audio.wav_bytes(audio.loop(signal[:n])), format="audio/wav")
for column, length in ((whole, 100), (broken, 110)):
    cycles = "5 whole cycles: no seam" if length == 100 else "5.5 cycles: a jump at every seam"
    column.caption(f"One sine of period 20, N = {length} ({cycles})")
    column.audio(audio.wav_bytes(audio.loop(example_samples("One sine, period 20", length))), format="audio/wav")

try_this(DFT_EXPERIMENTS)
