"""The app in a real headless Chromium: every page renders, sliders move charts, runs train from the UI."""

import re

import pytest
from browser_helpers import assert_no_exception, plot_data, shot, wait_idle

pytestmark = pytest.mark.browser

PAGES = {
    "": "Harmonics Lab",
    "signal_lab": "Signal Lab",
    "dft_explorer": "DFT Explorer",
    "arena": "Forecast Arena",
    "frames": "Frames",
    "autoencoders": "Autoencoders",
    "training": "Training",
}


def open_page(page, app_url, path, query=""):
    page.goto(f"{app_url}/{path}{query}")
    page.get_by_role("heading", name=PAGES[path]).first.wait_for()
    wait_idle(page)


def slider(page, label):
    return page.locator('[data-testid="stSlider"]').filter(has_text=label).get_by_role("slider").first


def choose(page, option: str) -> None:
    """Click a segmented control's option by its label (the same words stand in the page's caption too:
    a fresh clone's run once tried a hidden caption's <em>Pen strokes</em> for 60 s)."""
    page.locator('[data-testid="stButtonGroup"] button').filter(has_text=option).first.click()
    wait_idle(page)


def playable(page) -> int:
    """Index of the first plotly chart with a Play button, once one has rendered (a rerun can still be
    drawing its charts when the status widget has gone: counting them at once once found none)."""
    plots = page.locator(".js-plotly-plot")
    plots.filter(has_text="Play").first.wait_for()
    return next(i for i in range(plots.count()) if plots.nth(i).get_by_text("Play").count())


def test_every_page_renders_without_an_exception(page, app_url):
    for path in PAGES:
        open_page(page, app_url, path)
        assert_no_exception(page)
        shot(page, f"page-{path or 'home'}")


def test_dragging_the_dft_window_changes_the_chart(page, app_url):
    open_page(page, app_url, "dft_explorer")
    page.locator(".js-plotly-plot").first.wait_for()
    before = plot_data(page)
    thumb = slider(page, "Window length N")
    thumb.focus()
    for _ in range(10):
        thumb.press("ArrowRight")
    wait_idle(page)
    after = plot_data(page)
    assert "dft_n=110" in page.url  # moved 10 steps, and the URL now reproduces the example
    extension = {t["name"]: t for t in after}["periodic extension ('forecast')"]
    assert extension["x"][0] == 109 and extension != {t["name"]: t for t in before}["periodic extension ('forecast')"]
    assert float(page.locator('[data-testid="stMetricValue"]').first.inner_text()) > 0.1  # the seam breaks it
    assert_no_exception(page)
    shot(page, "dft-explorer-n110")


def arena_traces(page, unlike: dict | None = None) -> dict:
    """The Arena chart's traces once its truth and linear prediction are drawn (and differ from ``unlike``).

    Plotly draws a chart trace by trace, and on a loaded machine a rerun may start after ``wait_idle``
    has looked: read until the chart is whole, for up to 30 s.
    """
    for _ in range(60):
        wait_idle(page)
        shown = {t["name"]: t["y"] for t in plot_data(page) or []}
        if "truth" in shown and "Linear prediction" in shown and (unlike is None or shown["truth"] != unlike["truth"]):
            return shown
        page.wait_for_timeout(500)
    return shown


def test_arena_seed_changes_traces_and_the_rollout_plays(page, app_url):
    open_page(page, app_url, "arena")
    page.locator(".js-plotly-plot").first.wait_for()
    before = arena_traces(page)
    seed = page.get_by_test_id("stNumberInputField").and_(page.get_by_label("Seed"))
    seed.fill("3")
    seed.press("Enter")
    after = arena_traces(page, unlike=before)
    assert after["truth"] != before["truth"] and after["Linear prediction"] != before["Linear prediction"]
    shot(page, "arena")
    animation = playable(page)  # the rollout
    page.locator(".js-plotly-plot").nth(animation).scroll_into_view_if_needed()
    start = len(plot_data(page, animation)[1]["x"])
    page.locator(".js-plotly-plot").nth(animation).get_by_text("Play").click()
    page.wait_for_timeout(2500)
    grown = len(plot_data(page, animation)[1]["x"])
    assert grown > start  # the rollout trace grows step by step
    shot(page, "arena-rollout")
    assert_no_exception(page)


def test_a_tiny_run_trains_from_the_ui_and_stops(page, app_url):
    open_page(page, app_url, "training")
    form = page.locator('[data-testid="stForm"]')
    steps = form.get_by_label("Steps", exact=True)  # not its tooltip button, "Help for Steps"
    steps.fill("100000")
    form.get_by_label("Run name (optional)").fill("browser-run")
    form.get_by_role("button", name="Start training").click()
    page.get_by_text("Started run").wait_for()
    page.wait_for_function(
        "() => { const el = document.querySelector('.js-plotly-plot'); return el && el.data.length >= 2 && "
        "el.data[1].x.length >= 2; }",
        timeout=90_000,
    )
    first = len(plot_data(page)[0]["x"])
    page.wait_for_timeout(5000)  # the live view polls every 2 s
    assert len(plot_data(page)[0]["x"]) > first  # the curve grows while we watch
    shot(page, "training-live")
    # The page's own Stop, not Streamlit's header "Stop" (shown while a rerun is in flight on a slow machine).
    page.get_by_test_id("stMainBlockContainer").get_by_role("button", name="Stop").click()
    page.get_by_text(re.compile(r"browser-run: stopped, step \d+")).first.wait_for(timeout=60_000)
    assert_no_exception(page)
    shot(page, "training-stopped")


def _play(page, index: int, trace: int) -> tuple[int, int]:
    """Press Play on the index-th chart: -> (points of ``trace`` before, after 2.5 s)."""
    chart = page.locator(".js-plotly-plot").nth(index)
    chart.scroll_into_view_if_needed()
    start = len(plot_data(page, index)[trace]["x"])
    chart.get_by_text("Play").click()
    page.wait_for_timeout(2500)
    return start, len(plot_data(page, index)[trace]["x"])


def test_the_frames_animation_plays_the_true_path(page, app_url):
    open_page(page, app_url, "frames")
    page.locator(".js-plotly-plot").first.wait_for()
    models = (len(plot_data(page)) - 4) // 3  # per panel an image and the true path; per model its own path
    start, grown = _play(page, 0, models + 2)  # the true path over the input panel
    assert grown > start
    shot(page, "frames-playing")
    assert_no_exception(page)


def test_the_epicycles_draw_a_stroke_and_an_empty_canvas_is_a_message(page, app_url):
    open_page(page, app_url, "autoencoders")
    choose(page, "Pen strokes")
    wait_idle(page)
    animation = playable(page)
    start, grown = _play(page, animation, 3)  # the pen's trace
    assert grown > start
    shot(page, "autoencoders-epicycles")
    page.locator('[data-testid="stRadio"]').get_by_text("Draw your own", exact=True).click()
    wait_idle(page)
    page.get_by_text("The canvas is empty").first.wait_for()
    assert_no_exception(page)


def test_every_try_this_link_opens_its_state_in_the_browser(page, app_url):
    """A real click on each link of each panel: the page it opens carries its parameters in its URL and
    renders without an exception (AppTest checks the widget state; this checks the link a user clicks)."""
    from urllib.parse import parse_qs, urlparse

    from dashboard.experiments import (
        ARENA_EXPERIMENTS,
        DFT_EXPERIMENTS,
        LAB_EXPERIMENTS,
        TRAINING_EXPERIMENTS,
    )

    for experiments in (LAB_EXPERIMENTS, DFT_EXPERIMENTS, ARENA_EXPERIMENTS, TRAINING_EXPERIMENTS):
        for i, exp in enumerate(experiments, 1):
            path = exp.page.removeprefix("views/").removesuffix(".py")
            open_page(page, app_url, path)
            page.get_by_role("link", name=f"{i}. {exp.label}").first.click()
            wait_idle(page)
            page.wait_for_timeout(300)
            query = {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}
            # Streamlit drops a bound widget's default value from the URL; any other must be there, as given.
            assert urlparse(page.url).path.endswith(path), (exp.label, page.url)
            for key, value in exp.params.items():
                assert query.get(key, value) == value, (exp.label, key, page.url)
            assert_no_exception(page)


def test_the_seam_can_be_heard(page, app_url):
    """The DFT Explorer's sounds are real WAV files the browser decodes and plays: each lasts the 1.5 s
    the loop is made of, and time advances once playing."""
    open_page(page, app_url, "dft_explorer", "?dft_n=110")
    audio = page.locator("audio")
    page.wait_for_function("() => document.querySelectorAll('audio').length >= 3")  # yours, two references
    durations = page.evaluate(
        "() => Promise.all([...document.querySelectorAll('audio')].map(a => a.readyState >= 1 ? a.duration :"
        " new Promise(r => a.addEventListener('loadedmetadata', () => r(a.duration), {once: true}))))"
    )
    assert all(abs(d - 1.5) < 0.05 for d in durations), durations
    audio.first.scroll_into_view_if_needed()
    played = page.evaluate(
        "() => { const a = document.querySelector('audio'); a.muted = true;"
        " return a.play().then(() => new Promise(r => setTimeout(() => r(a.currentTime), 600))); }"
    )
    assert played > 0.1
    assert_no_exception(page)


def test_on_a_projector_no_label_is_cut_and_the_forecast_is_not_a_sliver(browser, app_url):
    """At 1024 x 768 (a projector): every metric label and every plot annotation is drawn whole, and the
    Arena opens on the forecasts (a 10-step horizon after 100 samples was a sliver at the right edge)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        open_page(pg, app_url, "dft_explorer", "?dft_n=110")
        labels = pg.locator('[data-testid="stMetricLabel"]')
        pg.wait_for_function("() => document.querySelectorAll('[data-testid=\"stMetricLabel\"]').length >= 3")
        cut = pg.evaluate(
            '() => [...document.querySelectorAll(\'[data-testid="stMetricLabel"] p, '
            '[data-testid="stMetricLabel"] div\')].filter(e => e.scrollWidth > e.clientWidth + 1)'
            ".map(e => e.textContent)"
        )
        assert labels.count() == 3 and not cut, cut
        shot(pg, "projector-dft")
        open_page(pg, app_url, "arena", "?arena_seed=3")
        chart = pg.locator(".js-plotly-plot").first
        chart.wait_for()
        x_range = pg.evaluate("() => document.querySelector('.js-plotly-plot')._fullLayout.xaxis.range")
        assert x_range[0] > 50 and x_range[1] < 111, x_range  # the last 40 lookback samples and the forecasts
        outside = pg.evaluate(
            "() => { const el = document.querySelector('.js-plotly-plot'); const box = el.getBoundingClientRect();"
            " return [...el.querySelectorAll('.annotation')].map(a => a.getBoundingClientRect())"
            ".filter(r => r.right > box.right + 1 || r.left < box.left - 1).length; }"
        )
        assert outside == 0  # the seam note once ran off the right edge
        shot(pg, "projector-arena")
        assert_no_exception(pg)
        # No control cut short: the Training presets and 'Curriculum (3..10 f…', the Autoencoders' 'Pen
        # strokes' were. (Frames' presets still scroll at this width: its layout is not this test's to fix.)
        for path in ("training", "autoencoders", "signal_lab", "dft_explorer", "arena", ""):
            open_page(pg, app_url, path)
            cut = pg.evaluate(
                '() => [...document.querySelectorAll(\'[data-testid="stButtonGroup"] *, '
                '[data-testid="stCheckbox"] p, [data-testid="stWidgetLabel"] p\')]'
                ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
            )
            assert not cut, (path, cut)
    finally:
        context.close()


def test_an_upload_with_gaps_is_refused_then_filled_when_asked(page, app_url, tmp_path):
    csv = tmp_path / "gaps.csv"
    rows = [f"m{i},{'' if i in (0, 7, 8) else round(10 + (i % 12), 3)}" for i in range(60)]
    csv.write_text("month,value\n" + "\n".join(rows) + "\n")  # one numeric column: chosen by default
    open_page(page, app_url, "signal_lab", "?lab_source=Real+series&lab_series=Upload+a+CSV...")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(csv))
    wait_idle(page)
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="empty cell")
    error.first.wait_for()
    assert "filled by straight lines" in error.first.inner_text()
    page.get_by_text("Fill empty cells").click()
    wait_idle(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    page.get_by_text("2 empty cell(s) filled by straight lines, 1 at the ends dropped").first.wait_for()
    assert "gaps.csv" in page.get_by_role("heading", name=re.compile("Signal:")).first.inner_text()
    assert_no_exception(page)
    shot(page, "signal-lab-upload-gaps-filled")
