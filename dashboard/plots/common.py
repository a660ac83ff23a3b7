"""The palette and layout every figure shares, so a forecaster has one colour everywhere."""

from __future__ import annotations

import plotly.graph_objects as go

TRUTH = "#1f2937"
LOOKBACK_FILL = "rgba(59, 130, 246, 0.10)"
SEAM = "#dc2626"
RECONSTRUCTION = "#2563eb"
EXTENSION = "#dc2626"

# One colour per forecaster name, everywhere (Arena, Training, README figures).
FORECASTER_COLORS = {
    "naive": "#9ca3af",
    "fft": "#dc2626",
    "linear": "#059669",
    "linear_net": "#84cc16",
    "lstm": "#f59e0b",
    "seq2seq": "#7c3aed",
    "fft_gru": "#0ea5e9",
}
EXTRA_COLORS = ["#db2777", "#0d9488", "#b45309", "#4f46e5", "#65a30d", "#be123c"]


def color_for(name: str) -> str:
    """A forecaster's colour; names outside the palette (user runs) get a stable extra colour."""
    if name in FORECASTER_COLORS:
        return FORECASTER_COLORS[name]
    base = name.split(":", 1)[0]
    if base in FORECASTER_COLORS:
        return FORECASTER_COLORS[base]
    return EXTRA_COLORS[sum(map(ord, name)) % len(EXTRA_COLORS)]


def layout(fig: go.Figure, title: str | None = None, height: int = 380, **axes) -> go.Figure:
    settings = {
        "title": title,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified",
        "template": "plotly_white",
    }
    fig.update_layout(**(settings | axes))
    return fig
