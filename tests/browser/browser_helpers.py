"""Helpers for the browser tests (waiting for Streamlit, reading plotly data, screenshots)."""

import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def wait_idle(pg, timeout: float = 60.0) -> None:
    """Wait until Streamlit has finished the current run (no 'running' status widget)."""
    pg.wait_for_timeout(300)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pg.locator('[data-testid="stStatusWidget"]').count() == 0:
            pg.wait_for_timeout(300)
            if pg.locator('[data-testid="stStatusWidget"]').count() == 0:
                return
        pg.wait_for_timeout(200)


def assert_no_exception(pg) -> None:
    boxes = pg.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def plot_data(pg, index: int = 0) -> list[dict]:
    """The data of the index-th plotly chart on the page, as the browser holds it."""
    script = (
        "(i) => { const el = document.querySelectorAll('.js-plotly-plot')[i]; if (!el) return null;"
        " return (el._fullData || el.data)"
        ".map(t => ({name: t.name, x: Array.from(t.x || []), y: Array.from(t.y || [])})); }"
    )
    return pg.evaluate(script, index)


def shot(pg, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)
