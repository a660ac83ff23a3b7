"""Real series: the bundled ones, and CSV uploads parsed and checked with messages a person can act on."""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_VALUES = 200_000
MIN_VALUES = 8
MAX_COLUMNS = 1000  # a series is a column: 300,000 fields on one line once cost 40 s of server CPU
MAX_MAGNITUDE = 1e15  # beyond this the float32 models overflow to NaN (squares exceed 3.4e38)
DELIMITERS = (";", "\t", "|", ",")  # ";" before ",": a decimal-comma file uses ";" between fields
_DECIMAL_COMMA = re.compile(r"^\s*-?\d+,\d+\s*$")


def _sniff_delimiter(lines: list[str]) -> str:
    """The first delimiter found the same number of times (>= 1) on every sampled line, else ",".

    Own rule rather than csv.Sniffer: it is linear in the sample, and it prefers ";" so that a file of
    "2020;1,5" rows is not split on its decimal commas (which once picked the wrong column silently).
    """
    for sep in DELIMITERS:
        counts = {line.count(sep) for line in lines}
        if len(counts) == 1 and counts.pop() >= 1:
            return sep
    return ","


@dataclass(frozen=True)
class Series:
    """A real, evenly sampled series: its values and where they come from."""

    name: str
    values: np.ndarray  # [T] float64
    index: list[str]  # a label per sample (year, month, row)
    unit: str
    source: str


BUNDLED = {
    "Sunspots (yearly, 1700-2008)": (
        "sunspots_yearly.csv",
        "sunspots",
        "sunspot number",
        "NOAA National Geophysical Data Center, via statsmodels' sunspots dataset (public domain)",
    ),
    "Mauna Loa CO2 (monthly, 1958-2001)": (
        "co2_monthly.csv",
        "co2",
        "ppm",
        "Keeling & Whorf, Scripps / CDIAC flask samples, via statsmodels' co2 dataset (public domain); "
        "weekly values averaged per month, 5 empty months interpolated",
    ),
    "El Nino sea surface temperature (monthly, 1950-2010)": (
        "elnino_sst_monthly.csv",
        "sst",
        "deg C",
        "NOAA Climate Prediction Center Nino 1+2 SST, via statsmodels' elnino dataset (public domain)",
    ),
}


def bundled_names() -> list[str]:
    return list(BUNDLED)


def load_bundled(name: str) -> Series:
    if name not in BUNDLED:
        raise ValueError(f"no bundled series {name!r}; choose one of: {', '.join(BUNDLED)}")
    filename, column, unit, source = BUNDLED[name]
    frame = pd.read_csv(DATA / filename)
    return Series(name, frame[column].to_numpy(np.float64), frame.iloc[:, 0].astype(str).tolist(), unit, source)


def read_csv(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> pd.DataFrame:
    """Parse an uploaded CSV (comma, semicolon, tab or pipe separated) into a table, or raise ValueError.

    Cached per file content (Streamlit reruns the page on every click, and the same upload must not be
    parsed again each time); a copy is returned so a caller's edits never reach the cache.
    """
    if not isinstance(data, bytes | bytearray):
        raise ValueError(f"an upload must be bytes, got {type(data).__name__}")
    if len(data) == 0:
        raise ValueError("the file is empty")
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB")
    return _parse_csv(bytes(data)).copy()


@functools.lru_cache(maxsize=8)
def _parse_csv(data: bytes) -> pd.DataFrame:
    """The bounded parse behind ``read_csv`` (size already checked)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("the file is not UTF-8 text: is it really a CSV?") from exc
    if not text.strip():
        raise ValueError("the file is empty")
    lines = [line for line in text.splitlines() if line.strip()]
    sep = _sniff_delimiter(lines[:50])
    widest = max(line.count(sep) for line in lines) + 1  # str.count is C-speed: bounded before parsing
    if widest > MAX_COLUMNS:
        raise ValueError(
            f"a line of the file has {widest:,} fields; the limit is {MAX_COLUMNS:,} columns. "
            "Put one value per line (a series is a column, not a row)"
        )
    if sep == "," and len(lines) > 1 and lines[0].count(",") < lines[1].count(","):
        raise ValueError(
            "the header has fewer fields than the rows: are commas used as decimal marks? "
            "Use ';' between fields (e.g. 2020;1,5) or '.' as the decimal mark"
        )
    cells = [cell for line in lines[1:51] for cell in line.split(sep)]
    decimal = "," if sep != "," and any(_DECIMAL_COMMA.match(c) for c in cells) else "."
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ValueError(f"the file could not be read as CSV: {str(exc).splitlines()[0][:200]}") from exc
    if frame.empty or frame.shape[1] == 0:
        raise ValueError("the file has a header but no rows")
    return frame


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Columns in which most cells are numbers (candidates to forecast)."""
    out = []
    for name in frame.columns:
        values = pd.to_numeric(frame[name], errors="coerce")
        if values.notna().sum() >= max(1, 0.5 * len(values)):
            out.append(str(name))
    return out


MAX_GAP_SHARE = 0.2  # fill at most this share of a column's cells: beyond it the series is mostly made up


def column_series(frame: pd.DataFrame, column: str, name: str = "uploaded", fill_gaps: bool = False) -> Series:
    """Turn one column into a Series, refusing what the forecasters cannot use (and saying why).

    fill_gaps: empty cells inside the column are filled by straight lines between their neighbours and
    empty cells at either end are dropped (the Series' source says how many); at most
    ``MAX_GAP_SHARE`` of the cells between the first and last number. Without it a column with gaps is refused.
    """
    if column not in frame.columns:
        raise ValueError(f"no column {column!r}; columns are: {', '.join(map(str, frame.columns))}")
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad_text = raw[values.isna() & raw.notna()]
    if len(bad_text):
        first = bad_text.index[0]
        raise ValueError(
            f"column {column!r} has {len(bad_text)} non-numeric value(s), e.g. {raw[first]!r} on row {first + 2}"
            + (" — is the delimiter right? (one column holding several values)" if frame.shape[1] == 1 else "")
        )
    note = ""
    if values.isna().any():
        gaps = int(values.isna().sum())
        where = f"{gaps} empty cell(s) (first on row {values.isna().idxmax() + 2})"
        if not fill_gaps:
            raise ValueError(
                f"column {column!r} has {where}: fill or remove them first, or let them be filled by straight "
                "lines between their neighbours"
            )
        kept = values.loc[values.first_valid_index() : values.last_valid_index()]
        inside = int(kept.isna().sum())
        if inside > MAX_GAP_SHARE * len(kept):
            raise ValueError(
                f"column {column!r} has {inside} empty cell(s) among {len(kept)}: more than {MAX_GAP_SHARE:.0%} "
                "is too much to fill"
            )
        values = kept.interpolate(method="linear")
        note = f"; {inside} empty cell(s) filled by straight lines, {gaps - inside} at the ends dropped"
    array = values.to_numpy(np.float64)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"column {column!r} has infinite values")
    peak = float(np.max(np.abs(array)))
    if peak > MAX_MAGNITUDE:
        raise ValueError(
            f"column {column!r} has values up to {peak:.3g}; the limit is {MAX_MAGNITUDE:.0e} in magnitude "
            "(the neural forecasters compute in float32 and would return NaN): rescale it first, e.g. divide "
            f"by 1e{int(np.log10(peak)) - 3}"
        )
    if len(array) < MIN_VALUES:
        raise ValueError(f"column {column!r} has {len(array)} value(s); at least {MIN_VALUES} are needed")
    if len(array) > MAX_VALUES:
        raise ValueError(f"column {column!r} has {len(array)} values; the limit is {MAX_VALUES}")
    if np.ptp(array) == 0:
        raise ValueError(f"column {column!r} is constant ({array[0]:g}): there is nothing to analyse")
    return Series(name, array, [str(i) for i in values.index], "", f"uploaded file, column {column!r}{note}")
