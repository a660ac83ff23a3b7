"""Glossary: every term the app uses, in plain words (the text lives in core.glossary)."""

import streamlit as st

from core.glossary import TERMS

st.title("Glossary")
st.markdown(
    "Every term the pages use, in plain words. The same definitions appear as tooltips: hover the small "
    "question-mark icon next to a control."
)
query = st.text_input("Find a term", key="glossary_find", placeholder="e.g. leakage")
shown = {k: v for k, v in sorted(TERMS.items(), key=lambda kv: kv[0].lower()) if query.lower() in (k + v).lower()}
if not shown:
    st.info(f"No term mentions {query!r}.")
for term, text in shown.items():
    st.markdown(f"**{term}** — {text}")
