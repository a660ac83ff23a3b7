"""Figures of the Forecast Arena: forecasts on one signal, the rollout animation, scores over many."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.plots.common import LOOKBACK_FILL, SEAM, TRUTH, color_for, layout, log_y


def vline(x: float, color: str, dash: str) -> dict:
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "yref": "paper",
        "y0": 0,
        "y1": 1,
        "line": {"color": color, "dash": dash, "width": 1},
    }


def note(x: float, y: float, text: str, color: str, size: int = 12, **where) -> dict:
    return {
        "x": x,
        "y": y,
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "font": {"color": color, "size": size},
        **where,
    }


def forecast_figure(
    series: np.ndarray,
    lookback: int,
    forecasts: dict[str, np.ndarray],
    labels: dict[str, str],
    trained_horizons: dict[str, int | None] | None = None,
    dashed: set[str] | None = None,
) -> go.Figure:
    """Truth over lookback + horizon, the lookback shaded, one trace per forecast.

    A dotted marker shows where a model goes past the horizon it was trained for. The y-axis spans the
    truth's range plus half of it either side, so one wild forecast cannot flatten every other line;
    a forecast that leaves that range is marked "off scale" in the legend.
    """
    t = np.arange(len(series))
    lo, hi = float(np.min(series)), float(np.max(series))
    pad = 0.5 * max(hi - lo, 1e-12)
    y_range = [lo - pad, hi + pad]
    fig = go.Figure()
    fig.add_vrect(x0=-0.5, x1=lookback - 0.5, fillcolor=LOOKBACK_FILL, line_width=0, layer="below")
    for key, values in forecasts.items():
        ft = np.arange(lookback, lookback + len(values))
        off_scale = bool(np.any((values < y_range[0]) | (values > y_range[1])))
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([[lookback - 1], ft]),
                y=np.concatenate([[series[lookback - 1]], values]),
                name=labels.get(key, key) + (" (off scale)" if off_scale else ""),
                line={"color": color_for(key), "width": 2.5, "dash": "dot" if dashed and key in dashed else None},
            )
        )
    # The truth goes on top, thin, so it shows even where a forecast (linear prediction) lies on it.
    fig.add_trace(go.Scatter(x=t, y=series, name="truth", line={"color": TRUTH, "width": 1.5}))
    # Shapes and annotations go in as one list each: plotly validates every add_vline on its own,
    # measured at ~10 ms a call, a large share of an Arena rerun.
    shapes = [vline(lookback - 0.5, SEAM, "dash")]
    # written to the left of the line, over the lookback: to its right a short horizon cuts it off
    notes = [note(lookback - 0.5, 1, "forecast starts (the DFT's seam) ", SEAM, xanchor="right")]
    horizon = len(series) - lookback
    # one marker per trained horizon shorter than the one shown, not one per model
    beyond = {h for key, h in (trained_horizons or {}).items() if h and h < horizon and key in forecasts}
    for trained in sorted(beyond):
        shapes.append(vline(lookback + trained - 0.5, "#6b7280", "dot"))
        text = f"end of training horizon ({trained})"
        notes.append(note(lookback + trained - 0.5, 0, text, "#6b7280", 10, yanchor="bottom", textangle=-90))
    # A short horizon after a long lookback would be a sliver at the right edge: open on the end of the
    # lookback and the forecasts (double-click restores the whole lookback).
    show_from = max(0, lookback - max(40, 2 * horizon))
    if show_from:
        notes.append(note(show_from, 0, "← more lookback (double-click to see it all)", "#6b7280", 10, xanchor="left"))
        fig.update_xaxes(range=[show_from - 0.5, len(series) - 0.5])
    fig.update_layout(shapes=[*fig.layout.shapes, *shapes], annotations=notes)
    fig.update_yaxes(range=y_range)
    return layout(fig, xaxis_title="sample t", yaxis_title="value", height=430)


def rollout_animation(
    series: np.ndarray, lookback: int, forecasts: dict[str, np.ndarray], labels: dict[str, str]
) -> go.Figure:
    """Play the forecasts step by step (plotly frames): watch errors pile up as models feed on themselves."""
    horizon = len(series) - lookback
    show_from = max(0, lookback - 3 * horizon)
    t = np.arange(show_from, len(series))
    keys = list(forecasts)

    def forecast_points(k: int) -> list[dict]:
        return [
            {
                "type": "scatter",
                "x": np.arange(lookback - 1, lookback + min(k, len(forecasts[key]))),
                "y": np.concatenate([[series[lookback - 1]], forecasts[key][:k]]),
            }
            for key in keys
        ]

    truth = go.Scatter(x=t, y=series[show_from:], name="truth", line={"color": TRUTH, "width": 2})
    first = [
        go.Scatter(
            **points,
            name=labels.get(key, key),
            mode="lines+markers",
            marker={"size": 5},
            line={"color": color_for(key), "width": 2.5},
        )
        for key, points in zip(keys, forecast_points(1))
    ]
    steps = list(range(1, horizon + 1))
    # Frames carry only what changes (the forecasts' points) for traces 1..K: validating 30 frames of
    # every full trace was most of this figure's cost.
    moving = list(range(1, len(keys) + 1))
    frames = [go.Frame(data=forecast_points(k), traces=moving, name=str(k)) for k in steps]
    fig = go.Figure(data=[truth, *first], frames=frames)
    lo, hi = float(np.min(series[show_from:])), float(np.max(series[show_from:]))
    for values in forecasts.values():
        lo, hi = min(lo, float(np.min(values))), max(hi, float(np.max(values)))
    pad = 0.1 * (hi - lo + 1e-9)
    fig.update_layout(
        updatemenus=[
            {
                "type": "buttons",
                "showactive": False,
                "x": 0,
                "y": -0.15,
                "xanchor": "left",
                "yanchor": "top",
                "buttons": [
                    {
                        "label": "▶ Play",
                        "method": "animate",
                        "args": [
                            None,
                            {
                                "frame": {"duration": 120, "redraw": False},
                                "fromcurrent": True,
                                "transition": {"duration": 0},
                            },
                        ],
                    },
                    {
                        "label": "❚❚ Pause",
                        "method": "animate",
                        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "x": 0.15,
                "len": 0.85,
                "y": -0.1,
                "currentvalue": {"prefix": "step "},
                "steps": [
                    {
                        "label": str(k),
                        "method": "animate",
                        "args": [[str(k)], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    }
                    for k in steps
                ],
            }
        ],
    )
    fig.update_xaxes(range=[show_from - 0.5, len(series) - 0.5])
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.add_vrect(x0=show_from - 0.5, x1=lookback - 0.5, fillcolor=LOOKBACK_FILL, line_width=0, layer="below")
    return layout(fig, xaxis_title="sample t", yaxis_title="value", height=460)


def horizon_figure(per_horizon: dict[str, tuple[np.ndarray, np.ndarray]], labels: dict[str, str]) -> go.Figure:
    """MSE at each horizon step per model, with a ~95% confidence band, log scale."""
    fig = go.Figure()
    for key, (mean, half) in per_horizon.items():
        steps = np.arange(1, len(mean) + 1)
        color = color_for(key)
        lower = np.maximum(mean - half, mean * 1e-3)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([steps, steps[::-1]]),
                y=np.concatenate([mean + half, lower[::-1]]),
                fill="toself",
                fillcolor=color,
                opacity=0.15,
                line={"width": 0},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(go.Scatter(x=steps, y=mean, name=labels.get(key, key), line={"color": color, "width": 2.5}))
    fig = layout(fig, xaxis_title="horizon step", yaxis_title="MSE (log)", height=420, hovermode="closest")
    return _readable_log(fig, [mean for mean, _ in per_horizon.values()])


def components_figure(by_components: dict[str, tuple[np.ndarray, np.ndarray]], labels: dict[str, str]):
    """Mean MSE against the number of components in the signal."""
    fig = go.Figure()
    for key, (counts, mse) in by_components.items():
        fig.add_trace(
            go.Scatter(x=counts, y=mse, name=labels.get(key, key), mode="lines+markers", line={"color": color_for(key)})
        )
    fig = layout(fig, xaxis_title="number of components", yaxis_title="MSE (log)", height=420, hovermode="closest")
    return _readable_log(fig, [mse for _, mse in by_components.values()])


def _readable_log(fig: go.Figure, curves: list[np.ndarray]) -> go.Figure:
    """A log y-axis with at most ~7 labels (one every 2 or more decades when the curves span many: one a
    decade over 14 decades printed the labels over each other), and the legend two entries a row."""
    values = np.concatenate([np.ravel(c) for c in curves]) if curves else np.array([])
    values = values[np.isfinite(values) & (values > 0)]
    span = float(np.log10(values.max() / values.min())) if values.size else 0.0
    log_y(fig)
    fig.update_yaxes(dtick=max(1, int(np.ceil(span / 7))))
    fig.update_layout(legend={"entrywidth": 0.5, "entrywidthmode": "fraction"})
    return fig
