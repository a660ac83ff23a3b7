"""Harmonics Lab: ``streamlit run dashboard/app.py``."""

import sys
from pathlib import Path

import streamlit as st

# Streamlit runs this file as a script: make the repository importable (core/, dashboard/).
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.runtime import configure_threads  # noqa: E402

configure_threads()  # 1 thread: the app shares a small CPU with training runs (README, "Threads")
st.set_page_config(page_title="Harmonics Lab", page_icon=":material/graphic_eq:", layout="wide")

PAGES = [
    st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("views/signal_lab.py", title="Signal Lab", icon=":material/graphic_eq:"),
    st.Page("views/dft_explorer.py", title="DFT Explorer", icon=":material/ssid_chart:"),
    st.Page("views/arena.py", title="Forecast Arena", icon=":material/sports_score:"),
    st.Page("views/frames.py", title="Frames", icon=":material/movie:"),
    st.Page("views/autoencoders.py", title="Autoencoders", icon=":material/compress:"),
    st.Page("views/training.py", title="Training", icon=":material/model_training:"),
    st.Page("views/glossary.py", title="Glossary", icon=":material/menu_book:"),
]
st.navigation(PAGES).run()
