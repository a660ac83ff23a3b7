"""The z-plane: poles of a fitted recurrence or sinusoid model against the unit circle (README lessons 9)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.plots.common import layout


def pole_figure(sets: dict[str, np.ndarray], colors: dict[str, str] | None = None, height: int = 420) -> go.Figure:
    """Unit circle plus one marker set per entry of ``sets`` (complex poles; NaN ignored).

    Hover shows each pole's radius and the period it stands for (2*pi / angle, in samples).
    """
    fig = go.Figure()
    angle = np.linspace(0, 2 * np.pi, 361)
    fig.add_trace(
        go.Scatter(
            x=np.cos(angle),
            y=np.sin(angle),
            mode="lines",
            line={"color": "#6b7280", "width": 1},
            name="unit circle",
            hoverinfo="skip",
        )
    )
    symbols = ["circle-open", "x", "diamond-open", "square-open"]
    for i, (name, poles) in enumerate(sets.items()):
        poles = np.asarray(poles).ravel()
        poles = poles[np.isfinite(poles)]
        symbol = symbols[i % len(symbols)]
        theta = np.abs(np.angle(poles))
        with np.errstate(divide="ignore"):
            period = np.where(theta > 1e-9, 2 * np.pi / np.maximum(theta, 1e-300), np.inf)
        fig.add_trace(
            go.Scatter(
                x=poles.real,
                y=poles.imag,
                mode="markers",
                name=name,
                # open symbols larger, so a set drawn first still rings the crosses drawn over it
                marker={
                    "symbol": symbol,
                    "size": 14 if symbol.endswith("-open") else 9,
                    "color": (colors or {}).get(name),
                    "line": {"width": 2} if symbol.endswith("-open") else {},
                },
                customdata=np.stack([np.abs(poles), period], 1),
                hovertemplate="radius %{customdata[0]:.4f}<br>period %{customdata[1]:.3f} samples<extra></extra>",
            )
        )
    layout(fig, height=height, hovermode="closest")
    fig.update_xaxes(range=[-1.3, 1.3], zeroline=True, title="real")
    fig.update_yaxes(range=[-1.3, 1.3], zeroline=True, scaleanchor="x", scaleratio=1, title="imaginary")
    return fig


def robustness_figure(ratios: np.ndarray, models: list[str], suites: list[str]) -> go.Figure:
    """Heat-map of MSE / naive's MSE (model x suite) on a log colour scale: blue beats naive, red loses."""
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(ratios)
    text = [[("-" if not np.isfinite(r) else f"{r:.2g}x") for r in row] for row in ratios]
    fig = go.Figure(
        go.Heatmap(
            z=np.clip(logs, -6, 2),
            x=suites,
            y=models,
            text=text,
            texttemplate="%{text}",
            colorscale="RdBu_r",
            zmid=0,
            zmin=-6,
            zmax=2,
            colorbar={
                "title": "x naive",
                "tickvals": [-6, -4, -2, 0, 2],
                "ticktext": ["1e-6", "1e-4", "0.01", "1", "100"],
            },
            hovertemplate="%{y} on %{x}: %{text} the MSE of repeating the last value<extra></extra>",
        )
    )
    return layout(fig, height=80 + 36 * len(models), hovermode="closest")
