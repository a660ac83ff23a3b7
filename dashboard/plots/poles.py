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


# The heat-maps' colour scale runs over log10(MSE / naive's MSE) from LOWEST to HIGHEST, white at 0
# (as good as repeating the last value), blue below and red above, already clearly tinted at 0.8x and
# 1.25x so that a model losing by a quarter shows. With zmin and zmax fixed plotly ignores zmid, so the
# white is placed on the scale itself (the scale's middle would be 0.01x).
LOWEST, HIGHEST = -6, 2
_STOPS = [
    (1e-6, "#053061"),
    (1e-3, "#2166ac"),
    (0.1, "#4393c3"),
    (0.5, "#92c5de"),
    (0.8, "#d1e5f0"),
    (1.0, "#f7f7f7"),
    (1.25, "#fddbc7"),
    (2.0, "#f4a582"),
    (10.0, "#d6604d"),
    (100.0, "#67001f"),
]
RATIO_COLOURS = [[(np.log10(ratio) - LOWEST) / (HIGHEST - LOWEST), colour] for ratio, colour in _STOPS]


def robustness_figure(ratios: np.ndarray, models: list[str], suites: list[str], suites_down: bool = False) -> go.Figure:
    """Heat-map of MSE / naive's MSE (``ratios [model, suite]``) on a log colour scale: blue beats naive.

    suites_down: a row per suite and a column per model instead (for many suites with long names).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log10(ratios)
    text = [[("-" if not np.isfinite(r) else f"{r:.2g}x") for r in row] for row in ratios]
    x, y, where = suites, models, "%{y} on %{x}"
    if suites_down:
        logs, text, x, y, where = logs.T, [list(column) for column in zip(*text)], models, suites, "%{x} on %{y}"
    fig = go.Figure(
        go.Heatmap(
            z=np.clip(logs, LOWEST, HIGHEST),
            x=x,
            y=y,
            text=text,
            texttemplate="%{text}",
            colorscale=RATIO_COLOURS,
            zmin=LOWEST,
            zmax=HIGHEST,
            colorbar={
                "title": "x naive",
                "tickvals": [-6, -4, -2, 0, 2],
                "ticktext": ["1e-6", "1e-4", "0.01", "1", "100"],
            },
            hovertemplate=where + ": %{text} the MSE of repeating the last value<extra></extra>",
        )
    )
    layout(fig, height=80 + 36 * len(y), hovermode="closest")
    fig.update_yaxes(autorange="reversed")  # the first row on top, as in a table
    return fig
