"""Home: what the app teaches and where to start."""

import streamlit as st

st.title("Harmonics Lab")
st.markdown(
    """
Why can't the **Discrete Fourier Transform** forecast a sum of sine waves, when it describes one
perfectly? And what does forecast them? Find out by touching it.

**Where to start**

1. **Signal Lab** — make a signal: a few harmonics (period, amplitude, phase), noise, a trend, or a real
   series (sunspots, CO2, El Niño). Whatever is there is shared with the other pages.
2. **DFT Explorer** — the DFT of a window of *N* samples: perfect inside the window, a *repeat* of it
   outside. Pick "One sine, period 20" and drag *N* from 100 to 110: watch the energy **leak** over many
   bins and the forecast **jump at the seam**. Try the Hamming window: it tames leakage, not the seam.
3. **Forecast Arena** — the DFT's extension next to linear prediction and neural forecasters (a
   next-step LSTM, GRU sequence-to-sequence models with FFT features), on one signal or hundreds.
4. **Training** — train your own model in the background (on a GPU if you have one) and bring it to
   the Arena.

**The lessons**, in one line each:
the DFT measures N/2+1 distinct harmonics of a real window · it forecasts perfectly only when every
period fits the window a whole number of times · otherwise energy leaks and the extension breaks at the
seam, doing worse than repeating the last value · windows reduce far leakage but do not make a forecast
· teacher forcing flatters a next-step model · training for the whole horizon holds on longer · a sum of
K sinusoids obeys an exact linear recurrence of order 2K, so linear prediction is the yardstick · noise
and real data change the ranking.
"""
)
c1, c2, c3, c4 = st.columns(4)
c1.page_link("views/signal_lab.py", label="Open the Signal Lab", icon=":material/graphic_eq:")
c2.page_link(
    "views/dft_explorer.py",
    label="The seam at N = 110",
    icon=":material/ssid_chart:",
    query_params={"dft_n": "110", "dft_example": "One sine, period 20"},
)
c3.page_link("views/arena.py", label="Open the Forecast Arena", icon=":material/sports_score:")
c4.page_link("views/training.py", label="Train a model", icon=":material/model_training:")
