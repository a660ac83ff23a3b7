"""Figure builders: pure functions from arrays to plotly figures (testable without Streamlit)."""
