"""Home: what the app teaches, one picture of the central idea, and the path through the lessons."""

import streamlit as st

from core import spectral
from core.signals import signal_from_rows
from dashboard.experiments import HOME_EXPERIMENTS
from dashboard.plots.spectral import extension_figure
from dashboard.sections import try_this

st.title("Harmonics Lab")
st.markdown(
    "The **Discrete Fourier Transform** (DFT) describes any stretch of a signal perfectly, as a sum of "
    "cosine waves. So why can't it **forecast** what comes next? And what can? Find out by touching it."
)


@st.cache_data(show_spinner=False)
def seam_picture():
    signal = signal_from_rows([{"period": 20.0, "amplitude": 1.0, "phase": 0.0}], 170)
    analysis = spectral.analyse_window(signal, 110, 60, "rectangular", 1)
    return extension_figure(signal, 110, analysis.reconstruction, analysis.extension), analysis


figure, analysis = seam_picture()
st.plotly_chart(figure, width="stretch", key="home_seam")
st.caption(
    "A wave that repeats every 20 samples, looked at through a **window** of 110 samples (shaded). Inside, "
    "the DFT's cosines match it exactly (dotted). After the window, those cosines can only **repeat the "
    "window** (red): 110 samples hold 5½ waves, so the copy starts half a wave out of step. That jump is the "
    f"**seam**, and this 'forecast' errs by {analysis.extension_mse:.2g} (mean squared error) where simply "
    f"repeating the last value errs by {analysis.repeat_last_mse:.2g}."
)

st.subheader("The path, in plain words")
st.markdown(
    """
1. **Signal Lab**: build a signal from a few waves (each with a *period*: samples per cycle; an
   *amplitude*: its height; a *phase*: where it starts), add noise or a trend, or load a real series
   (sunspots, CO₂, El Niño). Every other page uses it.
2. **DFT Explorer**: the DFT splits a window of N samples into waves whose periods are N, N/2, N/3, ...
   If your wave's period fits N a whole number of times, one of them matches it and the copy after the
   window is the true future. If not, its energy *leaks* over many of them and the copy jumps at the seam.
   Drag N from 100 to 110 and watch, then **listen** to the seam. Tapered windows (Hamming and friends)
   clean up the spectrum but the copy still jumps. A *sinusoid fit* finds the true period anyway.
3. **Forecast Arena**: forecasters side by side. *Linear prediction* learns a rule "next value = a
   weighted sum of the last few", fitted on the past itself, and is exact on clean sums of waves; neural
   networks learn from thousands of examples; the DFT just repeats the window. Add noise, pick a real
   series, and see the ranking change. The *poles* plot shows why the rule works, or explodes.
4. **Frames**: the same question on video. An object moves along a path; given the first frames, draw
   the next. A *physics fit* of the path plays the part linear prediction plays for waves.
5. **Autoencoders**: the DFT as a *code*: keep only k of its numbers and rebuild the window. Networks
   that learn their own code of k numbers, against it.
6. **Training**: train a network yourself, in the background, and bring it to the Arena.

New words are defined where they appear (hover the small question-mark icon next to a control) and in
the **Glossary**.
"""
)
try_this(HOME_EXPERIMENTS)
c1, c2, c3, c4 = st.columns(4)
c1.page_link("views/signal_lab.py", label="Open the Signal Lab", icon=":material/graphic_eq:")
c2.page_link(
    "views/dft_explorer.py",
    label="The seam at N = 110",
    icon=":material/ssid_chart:",
    query_params={"dft_n": "110", "dft_example": "One sine, period 20"},
)
c3.page_link("views/arena.py", label="Open the Forecast Arena", icon=":material/sports_score:")
c4.page_link("views/glossary.py", label="Glossary", icon=":material/menu_book:")
