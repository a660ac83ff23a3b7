"""The palette and layout every figure shares, so a forecaster has one colour everywhere."""

from __future__ import annotations

import numpy as np
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
    "esprit": "#a16207",
    "linear_net": "#84cc16",
    "lstm": "#f59e0b",
    "seq2seq": "#7c3aed",
    "fft_gru": "#0ea5e9",
}
EXTRA_COLORS = ["#db2777", "#0d9488", "#b45309", "#4f46e5", "#65a30d", "#be123c"]


def color_for(name: str) -> str:
    """A forecaster's colour. Shipped models have their own; a specialist (``-final``) and a run you
    trained (``model:run``) get a stable colour of their own too, never their family's, so a run is
    never mistaken for the shipped model in a legend."""
    if name in FORECASTER_COLORS:
        return FORECASTER_COLORS[name]
    return EXTRA_COLORS[sum(map(ord, name)) % len(EXTRA_COLORS)]


def layout(fig: go.Figure, title: str | None = None, height: int = 380, **axes) -> go.Figure:
    # No template here: Streamlit's own (its default for every figure, and what st.plotly_chart's theme
    # draws with) already gives the light grid. Naming "plotly_white" cost ~12-15 ms per figure in
    # validation, about a third of an Arena rerun, and changed nothing on screen (checked in Chromium).
    settings = {
        "title": title,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "x unified",
    }
    fig.update_layout(**(settings | axes))
    return fig


# Log axes everywhere read the same: a label at every power of ten written like 1e-3 (never SI prefixes
# such as "100T" or "1p"), and no labels on the minor ticks between decades.
LOG_AXIS = {"type": "log", "dtick": 1, "exponentformat": "e", "minor": {"showgrid": False, "ticks": ""}}


def log_y(fig: go.Figure, **extra) -> go.Figure:
    fig.update_yaxes(**LOG_AXIS, **extra)
    return fig


def log_y_for(fig: go.Figure, values) -> go.Figure:
    """A log y-axis that reads at any span: one label a decade, but where the values span less than two
    decades (a training curve from 0.1 to 0.02) labels at 1, 2 and 5 of each decade, or the axis shows one
    label, or none."""
    values = np.asarray([v for v in np.ravel(values) if v is not None], dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    log_y(fig)
    if values.size and values.max() < 100 * values.min():
        lo, hi = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
        ticks = [m * 10.0**e for e in np.arange(lo, hi + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if values.min() / 2 <= t <= values.max() * 2]
        fig.update_yaxes(tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    return fig


PERIOD_TICKS = [2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000]


def log_x(fig: go.Figure, **extra) -> go.Figure:
    fig.update_xaxes(**LOG_AXIS, **extra)
    return fig


def period_axis(fig: go.Figure) -> go.Figure:
    """A log x-axis of periods in samples, labelled 2, 3, 5, 10, 20, ... as plain numbers."""
    return log_x(fig, tickmode="array", tickvals=PERIOD_TICKS, ticktext=[str(v) for v in PERIOD_TICKS])
