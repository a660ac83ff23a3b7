"""Figures of the Signal Lab: a signal and its components."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.plots.common import TRUTH, layout


def signal_figure(values: np.ndarray, components: list[np.ndarray] | None = None, labels=None, stacked=False):
    """The signal, with its components overlaid (faint) or stacked one per row."""
    t = np.arange(len(values))
    components = components or []
    labels = labels or [f"component {i + 1}" for i in range(len(components))]
    if stacked and components:
        fig = make_subplots(rows=len(components) + 1, cols=1, shared_xaxes=True, vertical_spacing=0.02)
        fig.add_trace(go.Scatter(x=t, y=values, name="signal", line={"color": TRUTH}), row=1, col=1)
        for i, (c, label) in enumerate(zip(components, labels), start=2):
            fig.add_trace(go.Scatter(x=t, y=c, name=label, line={"width": 1}), row=i, col=1)
        return layout(fig, height=min(1400, 160 + 90 * len(components)), showlegend=False)
    fig = go.Figure()
    for c, label in zip(components, labels):
        fig.add_trace(go.Scatter(x=t, y=c, name=label, line={"width": 1}, opacity=0.45))
    fig.add_trace(go.Scatter(x=t, y=values, name="signal", line={"color": TRUTH, "width": 2.5}))
    return layout(fig, xaxis_title="sample t", yaxis_title="value")
