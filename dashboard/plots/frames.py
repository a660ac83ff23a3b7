"""Figures of the Frames page: the forecast as an animation beside the truth, and error by lead time."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from scipy.ndimage import maximum_filter

from dashboard.plots.common import TRUTH, layout, log_y

GREYS = [[0.0, "#ffffff"], [1.0, "#111827"]]
# Frame forecasters, by the order the page lists them (baselines and networks together): distinct hues.
# (lime, not teal, eighth: teal and the green fourth read as one colour in a legend)
PALETTE = ["#9ca3af", "#b45309", "#dc2626", "#059669", "#2563eb", "#7c3aed", "#db2777", "#65a30d", "#f59e0b", "#4f46e5"]


def colors_for(names: list[str]) -> dict[str, str]:
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


# The animation's traces are plain dicts, not go.Heatmap / go.Scatter objects: plotly validates every
# object it builds, and for 20 frames x ~28 traces that was ~0.45 s of each Frames rerun. The figure
# (and each frame) still validates them once when they are attached.
def _image(z: np.ndarray, enlarge: bool = False) -> dict:
    if enlarge:  # one lit pixel in 80 x 120 vanishes on a screen: show it as 3 x 3
        z = maximum_filter(z, size=3)
    # Two decimals: the figure travels to the browser as JSON, and 0.01 is below what an eye can see.
    return {
        "type": "heatmap",
        "z": np.round(z, 2),
        "zmin": 0,
        "zmax": 1,
        "colorscale": GREYS,
        "showscale": False,
        "hoverinfo": "skip",
    }


def forecast_animation(
    inputs: np.ndarray,
    targets: np.ndarray,
    forecasts: dict[str, np.ndarray],
    true_path: np.ndarray,
    predicted_paths: dict[str, np.ndarray],
    ahead: tuple[int, ...],
    labels: dict[str, str],
    colors: dict[str, str],
    enlarge: bool = False,
) -> go.Figure:
    """One sequence: input | truth | each model's forecast, played over time (plotly frames).

    inputs [t_in, H, W]; targets and each forecast [t_out, H, W]; true_path [t_in + t_out, 2] (row, col);
    predicted_paths[name] [t_out, 2]. Before the forecast starts every panel shows the input frame, so the
    motion is seen first; the true path is drawn over every panel, each model's own path over its panel.
    """
    t_in, height, width = inputs.shape
    names = list(forecasts)
    titles = ["input", "truth", *(labels.get(n, n) for n in names)]
    cols = len(titles)
    fig = make_subplots(rows=1, cols=cols, subplot_titles=titles, horizontal_spacing=0.01)
    steps = [*range(t_in), *(t_in - 1 + a for a in ahead)]  # sequence index of every animation frame

    def images(i: int) -> list[np.ndarray]:
        if i < t_in:
            return [inputs[i]] * cols
        k = i - t_in
        return [inputs[-1], targets[k], *(forecasts[n][k] for n in names)]

    def paths(i: int) -> list[dict]:
        shown = true_path[: i + 1]
        line = {"color": TRUTH, "width": 1}
        truth = {"type": "scatter", "x": shown[:, 1], "y": shown[:, 0], "mode": "lines", "line": line}
        out = [{**truth, "showlegend": False}] * cols
        for n in names:
            k = max(0, i - t_in + 1)
            out.append(
                {
                    "type": "scatter",
                    "x": predicted_paths[n][:k, 1],
                    "y": predicted_paths[n][:k, 0],
                    "mode": "lines+markers",
                    "marker": {"size": 4},
                    "line": {"color": colors[n], "width": 2},
                    "showlegend": False,
                }
            )
        return out

    def traces(i: int) -> list:
        return [*(_image(z, enlarge) for z in images(i)), *paths(i)]

    panel = [*range(1, cols + 1), *range(1, cols + 1), *range(3, cols + 1)]
    for trace, col in zip(traces(0), panel):
        fig.add_trace(trace, 1, col)
    fig.frames = [{"data": traces(i), "name": str(i)} for i in range(len(steps))]
    labels_t = [f"t = {s + 1}" + (" (input)" if s < t_in else f" (+{s - t_in + 1})") for s in steps]
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 0,
                "y": -0.08,
                "xanchor": "left",
                "buttons": [
                    {
                        "label": "Play",
                        "method": "animate",
                        "args": [
                            None,
                            {
                                "frame": {"duration": 250, "redraw": True},
                                "transition": {"duration": 0},
                                "fromcurrent": True,
                            },
                        ],
                    }
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.08,
                "len": 0.86,  # room on the right for the last tick's label ("t = 30 (+10)" ran off the figure)
                "y": -0.02,
                "currentvalue": {"prefix": ""},
                "steps": [
                    {
                        "label": labels_t[i],
                        "method": "animate",
                        "args": [
                            [str(i)],
                            {
                                "mode": "immediate",
                                "frame": {"duration": 0, "redraw": True},
                                "transition": {"duration": 0},
                            },
                        ],
                    }
                    for i in range(len(steps))
                ],
            }
        ],
    )
    frame = {
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
        "showline": True,
        "linecolor": "#9ca3af",
        "mirror": True,
    }
    fig.update_xaxes(range=[-0.5, width - 0.5], constrain="domain", **frame)
    fig.update_yaxes(range=[height - 0.5, -0.5], scaleanchor="x", constrain="domain", **frame)
    for c in range(2, cols + 1):
        fig.update_yaxes(scaleanchor=f"x{c}", row=1, col=c)
    fig = layout(fig, height=max(260, int(1100 / cols * height / width) + 130))
    fig.update_layout(margin={"t": 40, "b": 90}, hovermode=False)
    fig.update_annotations(font_size=12)  # the panel titles
    return fig


def lead_time_figure(
    errors: dict[str, np.ndarray], ahead: tuple[int, ...], metric: str, labels: dict, colors: dict
) -> go.Figure:
    """errors[name] [t_out] -> one line per model against the steps ahead."""
    fig = go.Figure()
    for name, values in errors.items():
        fig.add_trace(
            go.Scatter(
                x=list(ahead),
                y=values,
                name=labels.get(name, name),
                mode="lines+markers",
                line={"color": colors[name]},
            )
        )
    fig = layout(fig, xaxis_title="steps ahead", yaxis_title=metric, height=340)
    # Errors that span decades (the last frame again against a physics fit ~0) go on a log axis, or the
    # worst line flattens every other one onto zero.
    values = np.concatenate([np.ravel(v) for v in errors.values()]) if errors else np.array([])
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size and positive.max() > 100 * positive.min():
        log_y(fig)
        fig.update_yaxes(title=f"{metric} (log)")
    return fig
