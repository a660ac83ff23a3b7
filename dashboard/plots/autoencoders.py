"""Figures of the Autoencoders page: reconstructions, the DFT as rotating circles, and MSE against k."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.plots.common import EXTRA_COLORS, TRUTH, layout, log_y

# Codes, in the order the page lists them: closed-form first (greys and reds), then the learned ones.
CODE_COLORS = {"dft-topk": "#dc2626", "dft-lowpass": "#f97316", "pca": "#6b7280", "linear": "#9ca3af"}
# Eleven learned codes (in MODELS order: rnn, lstm, gru, conv, conv-rnn, conv-lstm, conv-gru, conv-res-rnn,
# conv-res-lstm, conv-res-gru, mlp), every pair of colours (and each against the closed-form ones) at least
# 120 apart in summed RGB: the MSE-against-k chart shows all of them at once. The defaults (conv, conv-gru,
# mlp) are cyan, violet and gold beside the red DFT top-k and the grey PCA.
LEARNED_COLORS = [
    "#1e40af", "#059669", "#86198f", "#17becf", "#65a30d", "#e15f99",
    "#511cfb", "#bcbd22", "#fb00d1", "#620042", "#a16207",
]  # fmt: skip


def code_colors(names: list[str]) -> dict[str, str]:
    learned = [n for n in names if n not in CODE_COLORS]
    return {n: CODE_COLORS.get(n) or LEARNED_COLORS[learned.index(n) % len(LEARNED_COLORS)] for n in names}


def signal_figure(x: np.ndarray, reconstructions: dict[str, np.ndarray], colors: dict) -> go.Figure:
    """One window [T] and each code's reconstruction of it."""
    t = np.arange(len(x))
    fig = go.Figure(go.Scatter(x=t, y=x, name="original", line={"color": TRUTH, "width": 3}))
    for name, y in reconstructions.items():
        fig.add_trace(go.Scatter(x=t, y=y, name=name, line={"color": colors[name], "dash": "dot"}))
    return layout(fig, xaxis_title="sample", yaxis_title="value", height=340)


def stroke_figure(stroke: np.ndarray, reconstructions: dict[str, np.ndarray], colors: dict) -> go.Figure:
    """One stroke [T, 2] and each code's reconstruction, drawn as paths (y up, equal scales)."""
    fig = go.Figure(
        go.Scatter(x=stroke[:, 0], y=stroke[:, 1], name="original", mode="lines", line={"color": TRUTH, "width": 4})
    )
    for name, y in reconstructions.items():
        fig.add_trace(go.Scatter(x=y[:, 0], y=y[:, 1], name=name, mode="lines", line={"color": colors[name]}))
    fig = layout(fig, height=420, hovermode="closest")
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig


def epicycle_animation(epi, stroke: np.ndarray, frames: int = 60) -> go.Figure:
    """Circles chained tip to tail, turning; the pen at the last tip draws the DFT's version of the stroke.

    ``epi`` is a ``core.autoencoders.Epicycles`` (its ``centres(t)`` and ``path()``).
    """
    length = epi.length
    times = np.linspace(0, length - 1, frames)
    drawn = epi.path(np.linspace(0, length - 1, 4 * length))
    theta = np.linspace(0, 2 * np.pi, 40)

    def circles(t: float) -> tuple[np.ndarray, np.ndarray]:
        centres = epi.centres(t)
        xs, ys = [], []
        for (cx, cy), r in zip(centres[:-1], epi.radius):
            xs += [*(cx + r * np.cos(theta)), None]
            ys += [*(cy + r * np.sin(theta)), None]
        return np.array(xs, dtype=float), np.array(ys, dtype=float)

    def traces(i: int) -> list:
        t = times[i]
        cx, cy = circles(t)
        centres = epi.centres(t)
        upto = drawn[: int(round((len(drawn) - 1) * t / max(length - 1, 1))) + 1]
        return [
            go.Scatter(x=cx, y=cy, mode="lines", line={"color": "#93c5fd", "width": 1}, name="circles"),
            go.Scatter(
                x=centres[:, 0],
                y=centres[:, 1],
                mode="lines+markers",
                marker={"size": 3},
                line={"color": "#2563eb", "width": 1},
                name="arms",
            ),
            go.Scatter(
                x=upto[:, 0], y=upto[:, 1], mode="lines", line={"color": EXTRA_COLORS[0], "width": 3}, name="pen"
            ),
        ]

    fig = go.Figure(
        [
            go.Scatter(
                x=stroke[:, 0], y=stroke[:, 1], mode="lines", line={"color": "#d1d5db", "width": 6}, name="original"
            ),
            *traces(0),
        ]
    )
    fig.frames = [go.Frame(data=traces(i), traces=[1, 2, 3], name=str(i)) for i in range(frames)]
    span = np.abs(np.concatenate([stroke, drawn])).max() * 1.1 + np.abs(epi.radius).sum() * 0.1
    play = {"frame": {"duration": 60, "redraw": False}, "transition": {"duration": 0}, "fromcurrent": True}
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 0,
                "y": 0,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": [{"label": "Play", "method": "animate", "args": [None, play]}],
            }
        ]
    )
    fig = layout(fig, height=460, hovermode=False)
    fig.update_xaxes(range=[-span, span])
    fig.update_yaxes(range=[-span, span], scaleanchor="x", scaleratio=1)
    return fig


def mse_vs_k_figure(rows: list[dict], colors: dict) -> go.Figure:
    """rows: {"model", "k", "mse"} -> one line per code, MSE (log) against k."""
    fig = go.Figure()
    for name in colors:
        mine = sorted((r for r in rows if r["model"] == name), key=lambda r: r["k"])
        if mine:
            fig.add_trace(
                go.Scatter(
                    x=[r["k"] for r in mine],
                    y=[r["mse"] for r in mine],
                    name=name,
                    mode="lines+markers",
                    line={"color": colors[name], "dash": "dot" if name in CODE_COLORS else "solid"},
                )
            )
    fig = layout(fig, xaxis_title="k (real numbers kept)", yaxis_title="reconstruction MSE (log)", height=360)
    fig.update_xaxes(type="log", tickvals=sorted({r["k"] for r in rows}))
    return log_y(fig)
