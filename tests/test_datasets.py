"""core.datasets: bundled series load; bad uploads get a message a person can act on."""

import numpy as np
import pytest

from core import datasets


def test_bundled_series_load():
    for name in datasets.bundled_names():
        series = datasets.load_bundled(name)
        assert len(series.values) > 300 and np.all(np.isfinite(series.values))
        assert len(series.index) == len(series.values) and series.source


def test_good_csv_with_any_common_delimiter():
    for sep in [",", ";", "\t", "|"]:
        text = f"t{sep}value{sep}label\n" + "".join(f"{i}{sep}{np.sin(i / 3):.5f}{sep}x\n" for i in range(50))
        frame = datasets.read_csv(text.encode())
        assert datasets.numeric_columns(frame) == ["t", "value"]
        series = datasets.column_series(frame, "value")
        assert len(series.values) == 50


@pytest.mark.parametrize(
    "data, column, match",
    [
        (b"", None, "empty"),
        (b"   \n", None, "empty"),
        (b"value\n", None, "no rows"),
        (b"\xff\xfe\x00garbage", None, "UTF-8"),
        (b"value\n1\n2\nthree\n4\n5\n6\n7\n8\n", "value", "non-numeric.*'three'"),
        (b"value\n1\n2\n\n4\n5\n6\n7\n8\n9\n", None, None),  # blank lines are skipped by the parser
        (b"a,value\n1,1\n2,\n3,3\n4,4\n5,5\n6,6\n7,7\n8,8\n", "value", "empty cell"),
        (b"value\n3.5\n", "value", "at least"),
        (b"value\n" + b"1\n" * 20, "value", "constant"),
        (b"a b c\n1 2 3\n4 5 6\n7 8 9\n1 2 3\n4 5 6\n7 8 9\n1 2 3\n4 5 6\n", "a b c", "delimiter"),
    ],
)
def test_bad_files_are_refused_with_reasons(data, column, match):
    if match is None:
        frame = datasets.read_csv(data)
        assert len(datasets.column_series(frame, "value").values) == 8
        return
    with pytest.raises(ValueError, match=match):
        frame = datasets.read_csv(data)
        datasets.column_series(frame, column)


def test_too_large_is_refused():
    with pytest.raises(ValueError, match="limit"):
        datasets.read_csv(b"value\n" + b"1.0\n" * 100, max_bytes=50)


def test_gaps_are_filled_by_straight_lines_only_when_asked():
    frame = datasets.read_csv(
        b"a,value\n" + b"".join(f"{i},{'' if i in (0, 4, 5, 11) else i * 2}\n".encode() for i in range(12))
    )
    with pytest.raises(ValueError, match="4 empty cell.*filled by straight lines"):
        datasets.column_series(frame, "value")
    series = datasets.column_series(frame, "value", fill_gaps=True)
    np.testing.assert_allclose(series.values, np.arange(1, 11) * 2.0)  # 8, 10 filled on the line; ends dropped
    assert series.index[0] == "1" and len(series.index) == 10
    assert "2 empty cell(s) filled by straight lines, 2 at the ends dropped" in series.source
    mostly_empty = datasets.read_csv(
        b"a,value\n" + b"".join(f"{i},{'' if 0 < i < 4 else i}\n".encode() for i in range(12))
    )
    with pytest.raises(ValueError, match="too much to fill"):
        datasets.column_series(mostly_empty, "value", fill_gaps=True)
