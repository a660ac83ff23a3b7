"""Figures of the DFT Explorer: the window and its periodic extension, spectra, windows."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.plots.common import EXTENSION, LOOKBACK_FILL, RECONSTRUCTION, SEAM, TRUTH, layout, log_y, period_axis


def extension_figure(truth: np.ndarray, n: int, reconstruction: np.ndarray, extension: np.ndarray) -> go.Figure:
    """The signal, the DFT's reconstruction inside the shaded window, its periodic extension beyond, the seam."""
    t = np.arange(len(truth))
    fig = go.Figure()
    fig.add_vrect(x0=-0.5, x1=n - 0.5, fillcolor=LOOKBACK_FILL, line_width=0, layer="below")
    fig.add_trace(go.Scatter(x=t, y=truth, name="signal (truth)", line={"color": TRUTH, "width": 2}))
    fig.add_trace(
        go.Scatter(x=t[:n], y=reconstruction, name="DFT reconstruction", line={"color": RECONSTRUCTION, "dash": "dot"})
    )
    ext_t = np.arange(n, n + len(extension))
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([[n - 1], ext_t]),
            y=np.concatenate([[reconstruction[-1]], extension]),
            name="periodic extension ('forecast')",
            line={"color": EXTENSION, "width": 2.5},
        )
    )
    fig.add_vline(x=n - 0.5, line={"color": SEAM, "dash": "dash"})
    fig.add_annotation(
        x=n - 0.5,
        y=1,
        yref="paper",
        text="seam: the window starts again",
        showarrow=False,
        xanchor="left",
        font={"color": SEAM},
    )
    fig.add_annotation(
        x=n / 2,
        y=0,
        yref="paper",
        yanchor="bottom",
        text=f"analysis window: N = {n}",
        showarrow=False,
        font={"color": "#1d4ed8"},
    )
    return layout(fig, xaxis_title="sample t", yaxis_title="value", height=400)


def spectrum_figure(
    bin_freq: np.ndarray,
    bin_amp: np.ndarray,
    fine_freq: np.ndarray,
    fine_amp: np.ndarray,
    true_freqs: np.ndarray | None = None,
    axis: str = "frequency",
    log: bool = False,
    untapered: tuple[np.ndarray, np.ndarray] | None = None,
) -> go.Figure:
    """DFT bins as stems over the zero-padded (continuous) spectrum; true component frequencies marked.

    untapered: (frequency, amplitude) of the same window with no taper, drawn grey underneath, so a
    taper's trade (lower far-off ripples, a wider peak) is seen against what it replaced.
    """

    def x_of(f):
        if axis == "period":
            with np.errstate(divide="ignore"):
                return np.where(f > 0, 1 / np.where(f > 0, f, 1), np.nan)
        return f

    fig = go.Figure()
    if untapered is not None:
        fig.add_trace(
            go.Scatter(x=x_of(untapered[0]), y=untapered[1], name="no taper", mode="lines", line={"color": "#9ca3af"})
        )
    fig.add_trace(
        go.Scatter(x=x_of(fine_freq), y=fine_amp, name="zero-padded spectrum", mode="lines", line={"color": "#93c5fd"})
    )
    stem_x = np.repeat(x_of(bin_freq), 3)
    stem_y = np.column_stack([np.zeros_like(bin_amp), bin_amp, np.full_like(bin_amp, np.nan)]).ravel()
    stem_x = stem_x.astype(float)
    stem_x[2::3] = np.nan
    if not log:  # on a log axis every stem runs from 0 (minus infinity) and walls off the curves behind it
        fig.add_trace(go.Scatter(x=stem_x, y=stem_y, name="DFT bins", mode="lines", line={"color": RECONSTRUCTION}))
    fig.add_trace(
        go.Scatter(
            x=x_of(bin_freq),
            y=bin_amp,
            mode="markers",
            name="DFT bins" if log else "bin amplitude",
            marker={"color": RECONSTRUCTION, "size": 6},
            showlegend=log,
        )
    )
    true_line = {"color": "#059669", "dash": "dot", "width": 1.5}
    for f in [] if true_freqs is None else true_freqs:
        fig.add_vline(x=float(x_of(np.array([f]))[0]), line=true_line)
    if true_freqs is not None and len(true_freqs):  # a legend entry for the green lines
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="true component", line=true_line))
    title = "period (samples)" if axis == "period" else "frequency (cycles per sample)"
    fig = layout(fig, xaxis_title=title, yaxis_title="amplitude", height=330, hovermode="closest")
    if log:
        log_y(fig, range=[-6, 0.3])
    if axis == "period":
        period_axis(fig)
    return fig


def phase_figure(bin_freq: np.ndarray, phase: np.ndarray, amplitude: np.ndarray, axis: str = "frequency"):
    """Phase of each bin; bins with negligible amplitude (meaningless phase) drawn faint."""
    x = bin_freq if axis == "frequency" else np.where(bin_freq > 0, 1 / np.where(bin_freq > 0, bin_freq, 1), np.nan)
    strong = amplitude > 1e-3 * max(amplitude.max(), 1e-300)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=x[strong], y=phase[strong], mode="markers", name="phase", marker={"color": RECONSTRUCTION})
    )
    fig.add_trace(
        go.Scatter(
            x=x[~strong],
            y=phase[~strong],
            mode="markers",
            name="(amplitude ~ 0)",
            marker={"color": "#d1d5db", "size": 4},
        )
    )
    fig = layout(
        fig,
        xaxis_title="frequency" if axis == "frequency" else "period (samples)",
        yaxis_title="phase (rad)",
        height=260,
        hovermode="closest",
    )
    fig.update_yaxes(range=[-3.3, 3.3])
    if axis == "period":
        period_axis(fig)
    return fig


def window_figure(weights: dict[str, np.ndarray]) -> go.Figure:
    """The window shapes side by side."""
    fig = go.Figure()
    for name, w in weights.items():
        fig.add_trace(go.Scatter(y=w, name=name, mode="lines"))
    return layout(fig, xaxis_title="sample in window", yaxis_title="weight", height=260)


def seam_animation(signal: np.ndarray, windows: list, period: float | None = None) -> go.Figure:
    """Play N: the periodic extension redrawn for each analysed window (plotly frames).

    windows: ``core.spectral.WindowAnalysis`` of the signal for each N, in order; period: the signal's
    period, if it has one, to title each frame with the cycles that fit.
    """
    t = np.arange(len(signal))
    frames = []
    for analysis in windows:
        n = len(analysis.reconstruction)
        ext_t = np.arange(n, n + len(analysis.extension))
        seam = {"type": "line", "x0": n - 0.5, "x1": n - 0.5, "yref": "paper", "y0": 0, "y1": 1}
        title = f"N = {n}" + (f": {n / period:.4g} cycles of period {period:g}" if period else "")
        frames.append(
            go.Frame(
                name=str(n),
                data=[
                    go.Scatter(x=t[:n], y=analysis.reconstruction),
                    go.Scatter(x=np.r_[n - 1, ext_t], y=np.r_[analysis.reconstruction[-1], analysis.extension]),
                ],
                layout={
                    "shapes": [seam | {"line": {"color": SEAM, "dash": "dash"}}],
                    "title": {"text": title},
                },
            )
        )
    first = frames[0]
    fig = go.Figure(
        data=[
            go.Scatter(x=first.data[0].x, y=first.data[0].y, name="DFT reconstruction", line={"color": RECONSTRUCTION}),
            go.Scatter(x=first.data[1].x, y=first.data[1].y, name="periodic extension", line={"color": EXTENSION}),
            go.Scatter(x=t, y=signal, name="signal (truth)", line={"color": TRUTH, "width": 1}),
        ],
        frames=frames,
    )
    steps = [
        {
            "args": [[f.name], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
            "label": f.name,
            "method": "animate",
        }
        for f in frames
    ]
    fig.update_layout(
        shapes=first.layout.shapes,
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 0,
                "y": -0.25,
                "xanchor": "left",
                "buttons": [
                    {
                        "label": "▶ Play N",
                        "method": "animate",
                        "args": [None, {"frame": {"duration": 600, "redraw": True}, "fromcurrent": True}],
                    }
                ],
            }
        ],
        sliders=[{"active": 0, "steps": steps, "x": 0.12, "len": 0.88, "y": -0.2, "currentvalue": {"prefix": "N = "}}],
    )
    return layout(fig, title=first.layout.title.text, xaxis_title="sample t", yaxis_title="value", height=420)


def basis_figure(n: int, k: int) -> go.Figure:
    """The DFT's cosines of bins k-1, k and k+1 over a window of N samples: whole cycles only."""
    t = np.arange(n)
    fig = go.Figure()
    for j, dash in ((k - 1, "dot"), (k, None), (k + 1, "dash")):
        if 0 <= j <= n // 2:
            fig.add_trace(
                go.Scatter(
                    x=t,
                    y=np.cos(2 * np.pi * j * t / n),
                    name=f"bin {j}: {j} cycles, period {n / j if j else np.inf:.4g}",
                    line={"dash": dash, "width": 1.5},
                )
            )
    return layout(fig, xaxis_title="sample t (inside the window)", yaxis_title="cosine", height=300)
