"""Server-side time of a page rerun after a widget change (Streamlit AppTest, median of several).

python benchmarks/bench_pages.py
"""

import statistics
import time

from _common import ROOT

from core.runtime import configure_threads

APP = str(ROOT / "dashboard" / "app.py")


def timed_reruns(at, change, values) -> float:
    times = []
    for v in values:
        start = time.perf_counter()
        change(at, v).run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return statistics.median(times)


def named_template_cost(at, repeats: int = 6) -> str:
    """The Arena's new-signal rerun with every figure naming plotly's "plotly_white" template (as the
    pages once did) against the figures as they are, alternating in one session."""
    import plotly.graph_objects as go

    original = go.Figure.update_layout
    named = {"on": False}

    def update_layout(self, *args, **kwargs):
        if named["on"] and "hovermode" in kwargs:  # the call from dashboard.plots.common.layout
            kwargs["template"] = "plotly_white"
        return original(self, *args, **kwargs)

    go.Figure.update_layout = update_layout
    times = {True: [], False: []}
    try:
        for seed in range(100, 100 + 2 * repeats):
            named["on"] = seed % 2 == 0
            start = time.perf_counter()
            at.number_input(key="arena_seed").set_value(seed).run()
            times[named["on"]].append(time.perf_counter() - start)
    finally:
        go.Figure.update_layout = original
    on, off = statistics.median(times[True]), statistics.median(times[False])
    return (
        f"Arena new signal, each figure naming the plotly_white template: {on * 1e3:.0f} ms; without: "
        f"{off * 1e3:.0f} ms ({on / off:.2f}x)"
    )


def main() -> None:
    from streamlit.testing.v1 import AppTest

    configure_threads()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/dft_explorer.py").run()
    print("| page | change | median rerun (ms) |")
    print("| --- | --- | --- |")
    t = timed_reruns(at, lambda a, v: a.slider(key="dft_n").set_value(v), [101, 105, 110, 115, 120, 130, 140])
    print(f"| DFT Explorer | window N 100..140 | {t * 1e3:.0f} |")
    at.checkbox(key="dft_long").check().run()
    t = timed_reruns(at, lambda a, v: a.slider(key="dft_n").set_value(v), [1024, 2048, 3000, 4000, 4096])
    print(f"| DFT Explorer | window N 1024..4096 | {t * 1e3:.0f} |")
    at.switch_page("views/arena.py").run()
    at.multiselect(key="arena_models").set_value(["naive", "fft", "linear", "lstm", "seq2seq", "fft_gru"]).run()
    at.slider(key="arena_n").set_value(256).run()
    t = timed_reruns(at, lambda a, v: a.number_input(key="arena_seed").set_value(v), range(1, 8))
    print(f"| Forecast Arena | new signal, 6 models (3 neural), many-signal views cached | {t * 1e3:.0f} |")
    t = timed_reruns(at, lambda a, v: a.selectbox(key="arena_suite").set_value(v), ["easy", "noisy", "final"])
    print(f"| Forecast Arena | new suite: 256 signals x 6 models scored | {t * 1e3:.0f} |")
    template_ab = named_template_cost(at)
    at.switch_page("views/frames.py").run()
    t = timed_reruns(at, lambda a, v: a.slider(key="frames_sequence").set_value(v), range(2, 8))
    print(f"| Frames | another sequence: the 10-panel, 20-frame animation rebuilt | {t * 1e3:.0f} |")
    laws = ["parabolic", "sinusoidal", "bounce"]
    t = timed_reruns(at, lambda a, v: a.selectbox(key="frames_law_blob32").set_value(v), laws)
    print(f"| Frames | new law: 32 sequences x 8 forecasters, metrics and animation | {t * 1e3:.0f} |")
    at.switch_page("views/autoencoders.py").run()
    at.select_slider(key="ae_k").set_value(8).run()  # PCA fitted once per k, then cached
    t = timed_reruns(at, lambda a, v: a.select_slider(key="ae_k").set_value(v), [16, 8, 16, 8])
    print(f"| Autoencoders | k 8 <-> 16: every code's reconstruction | {t * 1e3:.0f} |")
    print(template_ab)


if __name__ == "__main__":
    main()
