"""Figures of the Training page: loss curves of one run or several."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.plots.common import EXTRA_COLORS, TRUTH, layout, log_y_for


def loss_figure(curves: dict[str, list[dict]]) -> go.Figure:
    """Train loss (thin) and validation MSE (thick, markers) per run, log scale."""
    fig = go.Figure()
    for i, (run_id, records) in enumerate(curves.items()):
        color = EXTRA_COLORS[i % len(EXTRA_COLORS)]
        train = [r for r in records if "train_loss" in r]
        val = [r for r in records if "val_mse" in r]
        fig.add_trace(
            go.Scatter(
                x=[r["step"] for r in train],
                y=[r["train_loss"] for r in train],
                name=f"{run_id} train",
                line={"color": color, "width": 1},
                opacity=0.6,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=[r["step"] for r in val],
                y=[r["val_mse"] for r in val],
                name=f"{run_id} validation",
                mode="lines+markers",
                line={"color": color, "width": 3},
            )
        )
    fig = layout(fig, xaxis_title="step", yaxis_title="loss / MSE (log)", height=380, hovermode="closest")
    return log_y_for(fig, [y for trace in fig.data for y in trace.y])


def lr_figure(records: list[dict]) -> go.Figure:
    rows = [r for r in records if "lr" in r]
    fig = go.Figure(go.Scatter(x=[r["step"] for r in rows], y=[r["lr"] for r in rows], name="learning rate"))
    return layout(fig, xaxis_title="step", yaxis_title="learning rate", height=220)


def preview_figure(history: np.ndarray, future: np.ndarray, forecast: np.ndarray, tail: int = 40) -> go.Figure:
    """One small panel per signal: the end of the lookback, the truth after it and the forecast."""
    n, horizon = future.shape
    fig = make_subplots(rows=1, cols=n, shared_yaxes=True, horizontal_spacing=0.03)
    past, ahead = np.arange(-tail + 1, 1), np.arange(1, horizon + 1)
    for i in range(n):
        show = i == 0
        fig.add_trace(
            go.Scatter(x=past, y=history[i, -tail:], name="lookback", line={"color": "#9ca3af"}, showlegend=show),
            1,
            i + 1,
        )
        fig.add_trace(
            go.Scatter(x=ahead, y=future[i], name="truth", line={"color": TRUTH, "width": 3}, showlegend=show), 1, i + 1
        )
        fig.add_trace(
            go.Scatter(
                x=ahead, y=forecast[i], name="forecast", line={"color": EXTRA_COLORS[0], "dash": "dot"}, showlegend=show
            ),
            1,
            i + 1,
        )
    fig = layout(fig, height=260)
    fig.update_xaxes(title_text="t (0 = last sample read)")
    return fig
