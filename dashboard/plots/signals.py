"""Figures of the Signal Lab: a signal and its components."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.plots.common import TRUTH, layout


def signal_figure(
    values: np.ndarray,
    components: list[np.ndarray] | None = None,
    labels=None,
    stacked=False,
    x: list[str] | np.ndarray | None = None,
    x_title: str = "sample t",
):
    """The signal, with its parts overlaid (faint) or stacked one per row.

    Stacked rows share one y-scale (a 0.03 component looks small next to a 0.7 one, as it is) and each
    row is labelled. ``x``: labels for the samples (dates of a real series) instead of 0, 1, 2, ...
    """
    t = np.arange(len(values)) if x is None else np.asarray(x)
    components = components or []
    labels = labels or [f"component {i + 1}" for i in range(len(components))]
    if stacked and components:
        rows = len(components) + 1
        fig = make_subplots(
            rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.02, subplot_titles=["signal", *labels]
        )
        fig.add_trace(go.Scatter(x=t, y=values, name="signal", line={"color": TRUTH}), row=1, col=1)
        for i, (c, label) in enumerate(zip(components, labels), start=2):
            fig.add_trace(go.Scatter(x=t, y=c, name=label, line={"width": 1}), row=i, col=1)
        top = max(float(np.abs(values).max()), max(float(np.abs(c).max()) for c in components), 1e-12)
        fig.update_yaxes(range=[-1.1 * top, 1.1 * top])  # one scale for every row
        fig.update_annotations(font={"size": 11}, xanchor="left", x=0)
        fig = layout(fig, height=min(1600, 170 + 110 * len(components)), showlegend=False)
        fig.update_layout(margin={"t": 30})  # room for the first row's title ("signal" was cut in half)
        return fig
    fig = go.Figure()
    for c, label in zip(components, labels):
        fig.add_trace(go.Scatter(x=t, y=c, name=label, line={"width": 1}, opacity=0.45))
    fig.add_trace(go.Scatter(x=t, y=values, name="signal", line={"color": TRUTH, "width": 2.5}))
    return layout(fig, xaxis_title=x_title, yaxis_title="value")
