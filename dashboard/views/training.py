"""Training: start a run in the background, watch it live, stop and resume it, take it to the Arena."""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st
import torch

from core.checkpoints import load_model
from core.forecasters import ARCHITECTURES
from core.glossary import define
from core.models import MODELS
from core.runtime import describe, pick_device, runs_root
from core.training import TrainConfig, jobs
from core.training.tasks import get_task
from dashboard.experiments import TRAINING_EXPERIMENTS
from dashboard.plots.training import loss_figure, lr_figure, preview_figure
from dashboard.sections import try_this

st.title("Training")
st.markdown(
    "Train a forecaster on freshly generated sums of harmonics. The run goes on in the **background**: "
    "reload the page, close the tab, even restart the app — it keeps going, and its checkpoints let you "
    "stop and resume it. Finished (or stopped) runs can be compared in the Forecast Arena. Frame models and "
    "autoencoders are started from their own pages and listed here too. Its progress is measured by the "
    "**validation error**: the MSE on signals kept aside, which the network never trains on."
)
st.caption(f"Training device: {describe(pick_device('auto'))}")
try_this(TRAINING_EXPERIMENTS)

# The original study's 17.5M signals at batch 256 and lr 1e-3, moved to a GPU's batch by the one scaling rule
# (TrainConfig.at_batch: 4,272 steps of 4,096 at lr 4e-3), in bf16. On a CPU it is as fast per signal as 256.
_GPU = TrainConfig(steps=round(17.5e6 / 256), batch_size=256, lr=1e-3).at_batch(4096)
PRESETS = {
    "Quick (CPU, < 1 min)": {"steps": 300, "batch_size": 128, "components": (3, 10), "eval_every": 25},
    "Study (CPU, ~10 min)": {"steps": 6000, "batch_size": 256, "components": (3, 44), "eval_every": 250},
    "GPU (large batch)": {
        "steps": _GPU.steps,
        "batch_size": _GPU.batch_size,
        "lr": _GPU.lr,
        "components": (3, 44),
        "eval_every": 100,
        "amp": True,
    },
}

st.subheader("New run")
# One row each: beside the model box the three presets were cut at 1024 px (a projector).
p1 = p2 = st.container()
preset = (
    p1.segmented_control("Preset", list(PRESETS), default=list(PRESETS)[0], key="train_preset", bind="query-params")
    or list(PRESETS)[0]
)
chosen = PRESETS[preset]
if preset.startswith("GPU") and pick_device("auto").type == "cpu":
    p1.warning(
        "No GPU here. This preset is sized for one: a CPU trains about as many signals per second at batch "
        "4,096 as at 256, so its 17.5M signals take about an hour for fft_gru (2-4 hours for the LSTM or "
        "seq2seq). Use the Study preset on a CPU."
    )
model = p2.selectbox(
    "Model", sorted(MODELS), index=sorted(MODELS).index("fft_gru"), key="train_model", bind="query-params"
)
p2.caption(ARCHITECTURES.get(model, ""))
with st.form("new_run"):
    c1, c3 = st.columns(2)
    c1.markdown(f"**{preset}** settings below; change any of them.")
    loss = c3.selectbox(
        "Loss",
        ["inv_k", "mse"],
        key="train_loss",
        help="inv_k weighs horizon step k by 1/k: early steps, which later ones build on, count more",
    )
    c4, c5, c6 = st.columns(3)
    steps = c4.number_input("Steps", 10, 1_000_000, chosen["steps"], key=f"train_steps_{preset}", help=define("step"))
    batch = c5.number_input(
        "Batch size", 8, 65536, chosen["batch_size"], key=f"train_batch_{preset}", help=define("batch")
    )
    lr = c6.number_input(
        "Learning rate",
        1e-5,
        1.0,
        chosen.get("lr", 1e-3),
        format="%.5f",
        key=f"train_lr_{preset}",
        help=define("learning rate") + " A larger batch averages more signals per step, so it can take larger "
        "steps: the GPU preset's 16x batch uses 4x (the square root).",
    )
    c7, c8, c9 = st.columns(3)
    components = c7.slider("Components", 1, 60, chosen["components"], key=f"train_components_{preset}")
    curriculum = c8.checkbox(
        "Curriculum",
        value=chosen["components"][1] > 10,
        key="train_curriculum",
        help=define("curriculum") + " Here: 3..10 components first, then growing to the range above.",
    )
    run_id = c9.text_input("Run name (optional)", key="train_run_id")
    c10, c11, c12 = st.columns(3)
    periods = c10.slider("Periods", 2, 200, (10, 99), key="train_periods")
    noise = c11.slider(
        "Noise (std)",
        0.0,
        0.5,
        0.0,
        0.01,
        key="train_noise",
        bind="query-params",
        help="a network trained on clean signals only has never seen noise and breaks down on noisy input",
    )
    clean_target = c11.checkbox(
        "Score against the future before its noise",
        False,
        key="train_clean_target",
        help="the network still reads a noisy lookback, but its error is measured against the noise-free "
        "future. Nobody can forecast the noise itself, so the best forecast is the same either way; the "
        "training signal just stops carrying that unforecastable part. The validation error still uses the "
        "noisy future, as your data would.",
    )
    amp = c12.checkbox(
        "bf16 arithmetic",
        chosen.get("amp", False),
        key=f"train_amp_{preset}",
        help="the training step multiplies in bfloat16 (16-bit numbers with float32's range) and keeps the "
        "weights in float32. Faster on GPUs and on CPUs with bf16 units; elsewhere slower. On this project's "
        "CPU an fft_gru step took 0.6x the time and training reached the same validation error.",
    )
    tensorboard = c12.checkbox(
        "TensorBoard log",
        False,
        key="train_tensorboard",
        help="also write the curves for TensorBoard, a separate viewer, if it is installed",
    )
    submitted = st.form_submit_button("Start training", type="primary")

if submitted:
    stages = []
    if curriculum and components[1] > 10:
        stages = [{"until": steps // 4, "components": [components[0], 10]}]
        if components[1] > 25:
            stages.append({"until": steps // 2, "components": [components[0], 25]})
    try:
        config = TrainConfig(
            model=model,
            steps=int(steps),
            batch_size=int(batch),
            lr=float(lr),
            loss=loss,
            signal={"components": list(components), "periods": list(periods), "noise": noise},
            curriculum=stages,
            eval_every=chosen["eval_every"],
            checkpoint_every=chosen["eval_every"],
            log_every=max(1, chosen["eval_every"] // 5),
            warmup=min(100, int(steps) // 10),
            tensorboard=tensorboard,
            clean_target=clean_target,
            amp=amp,
        )
        started = jobs.start_run(config, run_id.strip() or None)
        st.session_state["train_selected"] = [started]
        st.success(f"Started run **{started}** in the background.")
    except ValueError as exc:
        st.error(f"Cannot start this run: {exc}")
    except Exception as exc:  # noqa: BLE001 - a full disk or a lost race must not take the page down
        st.error(f"Cannot start this run ({type(exc).__name__}): {exc}")

runs = jobs.list_runs()
if not runs:
    st.info("No runs yet: start one above.")
    st.stop()

st.subheader("Runs")
table = pd.DataFrame(
    [
        {
            "run": r.run_id,
            "task": r.task,
            "model": r.model,
            "status": r.state,
            "step": f"{r.step}/{r.steps}",
            "best validation MSE": r.best_val,
            "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created)),
            "message": r.message,
        }
        for r in runs
    ]
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"best validation MSE": st.column_config.NumberColumn(format="%.4g")},
)
ids = [r.run_id for r in runs]
selected = st.multiselect(
    "Show curves of",
    ids,
    default=[i for i in st.session_state.get("train_selected", ids[:1]) if i in ids],
    key="train_show",
)

action_run = st.selectbox("Run", ids, key="train_action_run")
info = next(r for r in runs if r.run_id == action_run)
a1, a2, a3, a4 = st.columns(4)
if a1.button("Stop", disabled=not info.active, width="stretch"):
    try:
        jobs.stop_run(action_run)
        st.toast(f"Asked {action_run} to stop: it saves a checkpoint first.")
    except Exception as exc:  # noqa: BLE001 - the run folder may vanish between rerun and click
        st.error(str(exc))
if a2.button("Resume", disabled=info.active or info.state == "finished", width="stretch"):
    try:
        jobs.resume_run(action_run)
        st.toast(f"Resuming {action_run} from its last checkpoint.")
    except Exception as exc:  # noqa: BLE001 - ValueError is the expected one; any other is shown too
        st.error(str(exc))
if a3.button("Delete", disabled=info.active, width="stretch"):
    st.session_state["train_confirm_delete"] = action_run
if st.session_state.get("train_confirm_delete") == action_run:
    st.warning(f"Delete run {action_run} and its checkpoints for good?")
    if st.button("Yes, delete it", type="primary"):
        st.session_state.pop("train_confirm_delete")
        try:
            jobs.delete_run(action_run)
        except (ValueError, OSError) as exc:
            st.error(f"Could not delete run {action_run}: {exc}")
        else:
            st.rerun()
if info.has_checkpoint and info.task == "forecast":
    a4.page_link(
        "views/arena.py", label="Open in the Arena", icon=":material/sports_score:", query_params={"run": action_run}
    )


polling = any(r.active for r in runs)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@st.cache_data(max_entries=8, show_spinner=False)
def _forecasts(best: str, stamp: float, n: int = 3) -> tuple | None:
    """The run's best model on the first ``n`` signals of its own validation set (never trained on).
    ``stamp`` (the checkpoint's mtime) makes a newer best.pt a new cache entry."""
    model, payload = load_model(best)
    config = TrainConfig.from_dict(payload["config"])
    history, future = get_task("forecast").validation(config, torch.device("cpu"))
    with torch.no_grad():
        forecast = model(history[:n], future.shape[1])
    return history[:n].numpy(), future[:n].numpy(), forecast.numpy(), int(payload.get("step", 0))


def preview(run_id: str, info) -> None:
    """What the run's best checkpoint so far predicts, refreshed while it trains."""
    if info is None or info.task != "forecast":
        return
    best = runs_root() / run_id / "best.pt"
    if not best.exists():
        return
    try:
        history, future, forecast, step = _forecasts(str(best), best.stat().st_mtime)
    except (ValueError, OSError, KeyError) as exc:  # a checkpoint being replaced, or from another version
        st.caption(f"No preview: {exc}")
        return
    st.plotly_chart(preview_figure(history, future, forecast), width="stretch", key="train_preview_fig")
    st.caption(
        f"**{run_id}**, best checkpoint so far (step {step}), on three signals of its validation set, which "
        "it never trains on: the last 40 samples it reads, the truth after them (black) and its honest forecast "
        "(fed its own outputs). Early on it draws a flat or smooth line; watch the waves appear."
    )


@st.fragment(run_every=2.0 if polling else None)
def live_view(selected: list[str]) -> None:
    """Polls the run files every 2 s while a run is going; costs nothing when all are idle."""
    curves = {run_id: jobs.read_metrics(run_id) for run_id in selected}
    current = {r.run_id: r for r in jobs.list_runs()}
    for run_id in selected:
        r = current.get(run_id)
        if r is None:
            continue
        records = curves[run_id]
        last = next((m for m in reversed(records) if "samples_per_s" in m), {})
        stage = last.get("components")
        rate = last.get("samples_per_s")
        left = jobs.seconds_left(records, r.steps) if r.active else None
        eta = f", about {_duration(left)} left at the pace of the last steps" if left is not None else ""
        st.progress(
            min(1.0, r.step / max(r.steps, 1)),
            text=f"{run_id}: {r.state}, step {r.step}/{r.steps}"
            + (f", {rate:,.0f} samples/s" if rate else "")
            + eta
            + (f", components {stage[0]}..{stage[1]}" if stage else ""),
        )
        if r.state == "failed":
            st.error(f"{run_id} failed: {r.message}")
    if polling and not any(r.active for r in current.values()):
        st.rerun()  # the last run ended: a full rerun turns the polling off and refreshes the table
    if curves:
        st.plotly_chart(loss_figure(curves), width="stretch", key="train_loss_fig")
        preview(selected[0], current.get(selected[0]))
        with st.expander("Learning rate"):
            st.plotly_chart(lr_figure(curves[selected[0]]), width="stretch", key="train_lr_fig")


live_view(selected)
