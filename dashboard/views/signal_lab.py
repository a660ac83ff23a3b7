"""Signal Lab: make a sum of harmonics (or pick a real series) and share it with the other pages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from core import datasets, shapes
from core.glossary import define
from core.signals import Components, SignalSpec, synthesize
from dashboard import state
from dashboard.experiments import LAB_EXPERIMENTS
from dashboard.plots.signals import signal_figure
from dashboard.sections import try_this

st.title("Signal Lab")
st.markdown(
    "A random signal here is a **sum of harmonics**: cosines, each with its own *period* (samples per cycle), "
    "*amplitude* and *phase*. Shape one, draw one of the *other shapes* that are not sums of a few harmonics, "
    "or pick a real series; the DFT Explorer and the Forecast Arena analyse it when you choose *the Signal "
    "Lab's signal* there."
)

SOURCES = ["Random harmonics", "Other shapes", "Real series"]
source = st.radio("Source", SOURCES, horizontal=True, key="lab_source", bind="query-params")
chart_area = st.container()  # the signal first; the table that edits it comes below


# What to look for in each bundled series: the cycle a student should find with the DFT Explorer.
LOOK_FOR = {
    "Sunspots (yearly, 1700-2008)": "Look for the ~11-year sunspot cycle: peaks about 11 samples apart, "
    "never exactly the same height or spacing. On the DFT Explorer it shows as a broad peak near period 11.",
    "Mauna Loa CO2 (monthly, 1958-2001)": "Look for the yearly cycle (12 samples: plants breathing in each "
    "northern summer) riding on a steady rise. The rise is not a wave: the DFT's repeated window jumps down "
    "at the seam.",
    "El Nino sea surface temperature (monthly, 1950-2010)": "Look for the yearly cycle (12 samples) and the "
    "irregular El Niño swings every 2 to 7 years: no single period, so no method forecasts them far.",
}


# What each of the other shapes teaches, where it is more than its one-line description.
SHAPE_LESSONS = {
    "kinked line, 2% noise": "A kink is no sum of waves: a fit of harmonics bends it into one. In the Forecast "
    "Arena, see which forecasters beat repeating the last value here, and which do not.",
    "level shift, 5% noise": "A jump is no sum of waves either: a fit of harmonics makes waves of it that go on "
    "after the jump, and repeating the last value is hard to beat.",
    "slow sine, period 150-400, 1% noise": "Less than one cycle fits in a 100-sample lookback: the DFT cannot "
    "name its period (its first bin is already 100), yet linear prediction can continue it.",
    "white noise": "Nothing here can be foreseen. The best forecast is the mean of the past; repeating the last "
    "value is about twice as bad (its error is the last value's noise plus the next one's).",
    "AR(1), phi 0.8-0.98": "Each value is a fraction of the last plus a shock: the near future is partly "
    "foreseeable, the far future is not, and there are no harmonics to find.",
}


def new_seed() -> None:
    st.session_state["lab_seed"] = int(st.session_state.get("lab_seed", 0)) + 1


if source == "Random harmonics":
    with st.sidebar:
        st.subheader("Random signal")
        components = st.slider("Components", 1, 60, (3, 6), key="lab_components", help="how many harmonics")
        periods = st.slider(
            "Periods (samples)",
            2,
            200,
            (2, 99),
            key="lab_periods",
            help="each wave's period is drawn from this range. " + define("period"),
        )
        integer = st.checkbox(
            "Whole-number periods",
            True,
            key="lab_integer",
            help="the classic study used whole-number periods; untick for any real period",
        )
        noise = st.slider(
            "Noise (std)",
            0.0,
            0.5,
            0.0,
            0.01,
            key="lab_noise",
            bind="query-params",
            help=define("noise") + " " + define("standard deviation"),
        )
        modulation = st.checkbox(
            "Amplitude modulation",
            False,
            key="lab_modulation",
            help=define("amplitude modulation") + " Here r is drawn between 0.5 and 2, and the wave ramps 1 -> r -> 1.",
        )
        trend = st.slider(
            "Trend (max rise)",
            0.0,
            1.0,
            0.0,
            0.05,
            key="lab_trend",
            bind="query-params",
            help=define("trend") + " The rise over the whole signal is drawn up to this value.",
        )
        length = st.slider("Length (samples)", 32, 1000, 200, key="lab_length")
        seed = st.number_input("Seed", 0, 10**9, 0, key="lab_seed", bind="query-params", help=define("seed"))
        st.button("New random signal", on_click=new_seed, type="primary", width="stretch")
    try:
        spec = SignalSpec(
            components=components,
            periods=periods,
            integer_periods=integer,
            noise=noise,
            modulation=modulation,
            trend=trend,
            length=length,
        )
    except ValueError as exc:
        st.error(f"Impossible setting: {exc}")
        st.stop()
    drawn = state.random_signal(spec, int(seed))
    st.subheader("Components")
    st.caption(
        "Edit any cell, add or delete rows: the signal follows. Each row is the wave "
        "amplitude · cos(2π·t/period + phase), with the phase in radians (a full turn is 2π ≈ 6.28)."
    )
    table = pd.DataFrame(drawn.row_dicts())[["period", "amplitude", "phase", "modulation"]]
    edited = st.data_editor(
        table,
        num_rows="dynamic",
        key=f"lab_editor_{hash((spec, int(seed)))}",  # a new draw starts a fresh table
        width="stretch",
        column_config={
            "period": st.column_config.NumberColumn("period", min_value=2.0, format="%.3f"),
            "amplitude": st.column_config.NumberColumn("amplitude", format="%.4f"),
            "phase": st.column_config.NumberColumn("phase (rad)", format="%.3f"),
            "modulation": st.column_config.NumberColumn("modulation r", min_value=0.0, format="%.2f"),
        },
    )
    rows = [
        {
            "period": r.period,
            "amplitude": r.amplitude,
            "phase": r.phase if np.isfinite(r.phase) else 0.0,
            "modulation": r.modulation if np.isfinite(r.modulation) else 1.0,
            "apex": 0.5,
        }
        for r in edited.itertuples()
        if np.isfinite(r.period) and np.isfinite(r.amplitude)
    ]
    apex = {i: row[4] for i, row in enumerate(drawn.rows)}
    for i, row in enumerate(rows):
        row["apex"] = apex.get(i, 0.5)
    try:
        Components.from_rows(rows)  # validates: at least one row, periods >= 2
    except ValueError as exc:
        st.error(f"These components cannot make a signal: {exc}. Still showing the previous signal.")
        signal = state.current()
    else:
        label = drawn.label if edited.equals(table) else drawn.label + " (edited)"
        signal = state.CurrentSignal(label, length, state.rows_to_tuple(rows), drawn.trend, noise, int(seed))
        state.set_current(signal)
elif source == "Other shapes":
    with st.sidebar:
        st.subheader("Other shape")
        kind = st.selectbox(
            "Shape",
            list(shapes.KINDS),
            key="lab_shape",
            bind="query-params",
            help="series that are not sums of a few harmonics and that no model here was trained on",
        )
        length = st.slider("Length (samples)", 32, 1000, 200, key="lab_shape_length")
        seed = st.number_input("Seed", 0, 10**9, 0, key="lab_seed", bind="query-params", help=define("seed"))
        st.button("New random signal", on_click=new_seed, type="primary", width="stretch")
    values = shapes.draw(kind, 1, length, int(seed))[0]
    label = f"{kind}, seed {int(seed)}"
    state.set_current(state.CurrentSignal(label, length, real=tuple(values.tolist())))
    st.info(f"{shapes.KINDS[kind].description}. {SHAPE_LESSONS.get(kind, '')}")
    signal = state.current()
else:
    with st.sidebar:
        st.subheader("Real series")
        choice = st.selectbox(
            "Series", [*datasets.bundled_names(), "Upload a CSV..."], key="lab_series", bind="query-params"
        )
        series = None
        if choice == "Upload a CSV...":
            upload = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="lab_upload")
            if upload is not None:
                try:
                    frame = datasets.read_csv(upload.getvalue())
                    columns = datasets.numeric_columns(frame) or [str(c) for c in frame.columns]
                    column = st.selectbox("Column", columns, key="lab_column")
                    fill = st.checkbox(
                        "Fill empty cells",
                        key="lab_fill_gaps",
                        help="Empty cells inside the column become points on a straight line between their "
                        "neighbours; empty cells at the start or end are dropped. Filled values are made up: "
                        f"at most {datasets.MAX_GAP_SHARE:.0%} of the cells are filled.",
                    )
                    series = datasets.column_series(frame, column, name=upload.name, fill_gaps=fill)
                except ValueError as exc:
                    st.error(f"Cannot use this file: {exc}. The previous signal is kept.")
        else:
            series = datasets.load_bundled(choice)
        if series is not None:
            total = len(series.values)
            span = st.slider("Samples to use", 0, total, (0, total), key=f"lab_span_{series.name}_{total}")
            if span[1] - span[0] < datasets.MIN_VALUES:
                st.error(f"Pick at least {datasets.MIN_VALUES} samples. The previous signal is kept.")
            else:
                values = series.values[span[0] : span[1]]
                label = f"{series.name} [{series.index[span[0]]} .. {series.index[span[1] - 1]}]"
                # An upload's labels are its row numbers, not dates: its axis stays "sample t".
                dates = tuple(series.index[span[0] : span[1]]) if choice != "Upload a CSV..." else ()
                state.set_current(state.CurrentSignal(label, len(values), real=tuple(values.tolist()), dates=dates))
                st.caption(f"Source: {series.source}")
                if series.name in LOOK_FOR:
                    st.info(LOOK_FOR[series.name])
    signal = state.current()

with chart_area:
    values = signal.samples()
    st.subheader(f"Signal: {signal.label}")
    show = "hidden"  # a real series or another shape has no components to show
    if signal.synthetic:
        show = st.segmented_control(
            "Show the components", ["overlaid", "stacked", "hidden"], default="overlaid", key="lab_show"
        )
    parts, labels = None, None
    if signal.synthetic and show != "hidden":
        parts = [
            synthesize(Components.from_rows([row], span=signal.length), signal.length)[0].numpy()
            for row in signal.row_dicts()
        ]
        labels = [f"period {p:.4g}, amplitude {a:.3f}" for p, a, *_ in signal.rows]
        t = np.arange(signal.length)
        trend = signal.trend * t / max(signal.length - 1, 1)
        if signal.trend:
            parts.append(trend)
            labels.append(f"trend ({'rises' if signal.trend >= 0 else 'falls'} {abs(signal.trend):.3g})")
        if signal.noise:
            parts.append(values - np.sum(parts, axis=0))  # what the harmonics and the trend do not explain
            labels.append(f"noise (std {signal.noise:.3g})")
    dates = list(signal.dates) if signal.dates else None
    st.plotly_chart(
        signal_figure(
            values, parts, labels, stacked=show == "stacked", x=dates, x_title="date" if dates else "sample t"
        ),
        width="stretch",
        key="lab_chart",
    )
    st.caption(
        f"{len(values)} samples"
        + (f", {len(signal.rows)} components" if signal.synthetic else "")
        + ". The DFT Explorer and the Forecast Arena use it when you pick the Signal Lab's signal there."
    )
    st.download_button(
        "Download as CSV",
        pd.DataFrame({"t": np.arange(len(values)), "value": values}).to_csv(index=False),
        file_name="harmonics_lab_signal.csv",
        mime="text/csv",
    )

try_this(LAB_EXPERIMENTS)
