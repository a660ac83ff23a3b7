"""core.training: the loop, resume, curriculum, failures, background jobs and their faults, DDP."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest
import torch

from core import forecasters
from core.models.linear_net import LinearNet
from core.training import TrainConfig, jobs, train
from core.training.checkpoints import export_pretrained, read_checkpoint, save_checkpoint
from core.training.loop import RunFiles

TINY = {"signal": {"components": [3, 6], "periods": [10, 40]}, "lookback": 40, "horizon": 5, "batch_size": 64}


def metrics(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def wait_for(predicate, timeout=60.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def test_loss_falls_and_the_run_folder_is_complete(tmp_path):
    config = TrainConfig(
        model="fft_gru",
        model_options={"hidden": 32, "mlp": 64},
        steps=200,
        eval_every=50,
        checkpoint_every=50,
        log_every=10,
        lr=3e-3,
        **TINY,
    )
    status = train(config, tmp_path / "run")
    assert status["state"] == "finished" and status["step"] == 200
    records = metrics(tmp_path / "run")
    val = [r["val_mse"] for r in records if "val_mse" in r]
    assert val[-1] < 0.6 * val[0]
    assert {"train_loss", "lr", "samples_per_s", "stage"} <= set(records[0])
    for name in ("config.json", "status.json", "last.pt", "best.pt"):
        assert (tmp_path / "run" / name).exists()
    f = forecasters.load("fft_gru", checkpoint=tmp_path / "run")
    assert f.predict(torch.randn(2, 40).numpy(), 5).shape == (2, 5)


def test_resume_matches_an_uninterrupted_run(tmp_path):
    common = dict(
        model="lstm",
        model_options={"hidden": 16},
        schedule="constant",
        warmup=0,
        eval_every=10,
        checkpoint_every=10,
        log_every=10,
        **TINY,
    )
    train(TrainConfig(steps=40, **common), tmp_path / "straight")
    train(TrainConfig(steps=20, **common), tmp_path / "split")
    TrainConfig(steps=40, **common).save(tmp_path / "split" / "config.json")
    status = train(TrainConfig(steps=40, **common), tmp_path / "split", resume=True)
    assert status["step"] == 40
    a = read_checkpoint(tmp_path / "straight" / "last.pt")["model_state"]
    b = read_checkpoint(tmp_path / "split" / "last.pt")["model_state"]
    for key in a:
        assert torch.allclose(a[key], b[key], atol=1e-5), key
    steps = [r["step"] for r in metrics(tmp_path / "split")]
    assert steps == sorted(steps) and steps[-1] == 40  # the curve continues where it stopped


def test_curriculum_advances(tmp_path):
    config = TrainConfig(
        model="linear_net",
        steps=30,
        log_every=5,
        eval_every=30,
        checkpoint_every=30,
        curriculum=[{"until": 10, "components": [3, 4]}, {"until": 20, "components": [3, 5]}],
        **TINY,
    )
    train(config, tmp_path / "run")
    stages = {r["step"]: (r["stage"], r["components"]) for r in metrics(tmp_path / "run") if "stage" in r}
    assert stages[5] == (0, [3, 4]) and stages[15] == (1, [3, 5]) and stages[25] == (2, [3, 6])


def test_nan_loss_stops_the_run_with_that_reason(tmp_path, monkeypatch):
    original = LinearNet.loss
    calls = {"n": 0}

    def poisoned(self, *args):
        calls["n"] += 1
        loss = original(self, *args)
        return loss * float("nan") if calls["n"] > 5 else loss

    monkeypatch.setattr(LinearNet, "loss", poisoned)
    status = train(TrainConfig(model="linear_net", steps=50, **TINY), tmp_path / "run")
    assert status["state"] == "failed" and "nan" in status["message"].lower() and status["step"] == 5
    assert "traceback" in status


@pytest.mark.parametrize("field, value", [("model", "gpt"), ("steps", 0), ("loss", "huber"), ("lookback", 2)])
def test_config_validation_names_the_field(field, value):
    with pytest.raises(ValueError, match=field if field != "lookback" else "lookback"):
        TrainConfig(**{field: value})


def test_config_json_round_trip(tmp_path):
    config = TrainConfig(model="seq2seq", curriculum=[{"until": 5, "components": [3, 10]}], **TINY)
    config.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == config


def test_missing_gpu_asked_for_fails_clearly(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    status = train(TrainConfig(model="linear_net", steps=5, device="cuda", **TINY), tmp_path / "run")
    assert status["state"] == "failed" and "no CUDA GPU" in status["message"]


def background_config(steps=100000, checkpoint_every=20):
    return TrainConfig(
        model="lstm",
        model_options={"hidden": 16},
        steps=steps,
        eval_every=checkpoint_every,
        checkpoint_every=checkpoint_every,
        log_every=5,
        **TINY,
    )


def test_a_worker_left_running_by_a_test_is_killed_at_its_end(tmp_path, leftover_workers):
    # The guard every test has (tests/conftest.py): workers outlive their starter by design, so one a
    # failed test never stopped would otherwise train on for the rest of the suite.
    run = jobs.start_run(background_config(), "left", root=tmp_path)
    assert wait_for(lambda: jobs.run_info(tmp_path / run).state == "running" and jobs.run_info(tmp_path / run).pid)
    pid = jobs.run_info(tmp_path / run).pid
    assert leftover_workers(tmp_path) == [pid]
    assert wait_for(lambda: not jobs.pid_alive(pid), timeout=10)
    assert leftover_workers(tmp_path) == []


def test_sigkill_then_resume_loses_at_most_one_checkpoint_interval(tmp_path):
    run = jobs.start_run(background_config(), "killed", root=tmp_path)
    with pytest.raises(ValueError, match="already"):
        jobs.resume_run(run, root=tmp_path)  # a second start of the same run is refused
    files = RunFiles(tmp_path / run)
    assert wait_for(lambda: files.last.exists() and read_checkpoint(files.last)["step"] >= 40)
    info = jobs.run_info(tmp_path / run)
    assert info.state == "running"
    os.kill(info.pid, signal.SIGKILL)
    assert wait_for(lambda: jobs.run_info(tmp_path / run).state == "failed", timeout=10)
    killed_at = max(r["step"] for r in metrics(tmp_path / run))
    saved_at = read_checkpoint(files.last)["step"]
    assert killed_at - saved_at <= 20  # lost at most one checkpoint interval
    jobs.resume_run(run, root=tmp_path)
    assert wait_for(lambda: read_checkpoint(files.last)["step"] > killed_at)
    jobs.stop_run(run, root=tmp_path, timeout=20)
    info = jobs.run_info(tmp_path / run)
    assert info.state == "stopped"
    steps = [r["step"] for r in metrics(tmp_path / run)]
    # The records logged after the last checkpoint were forgotten on resume and those steps logged once
    # again: one curve, no zig-zag back, and it picks up from the checkpoint, not from zero.
    assert steps == sorted(set(steps)) and max(steps) > killed_at
    assert min(s for s in steps if s > saved_at) <= saved_at + 5
    jobs.delete_run(run, root=tmp_path)
    assert jobs.list_runs(tmp_path) == []


def test_kill_during_checkpoint_write_leaves_the_previous_one_loadable(tmp_path):
    path = tmp_path / "last.pt"
    big = {"model": "linear_net", "hparams": {}, "model_state": {"w": torch.zeros(3_000_000)}}
    save_checkpoint(path, big)
    script = (
        "import sys, torch\nsys.path.insert(0, '.')\nfrom core.training.checkpoints import save_checkpoint\n"
        f"for i in range(10**6):\n    save_checkpoint({str(path)!r}, "
        "{'model': 'linear_net', 'hparams': {}, 'model_state': {'w': torch.full((3_000_000,), float(i))}})\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script], cwd=os.getcwd())
    time.sleep(2.0)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    payload = read_checkpoint(path)  # whole, whichever version it is
    assert payload["model_state"]["w"].shape == (3_000_000,)
    assert torch.all(payload["model_state"]["w"] == payload["model_state"]["w"][0])


def test_corrupt_checkpoint_gives_a_clear_error(tmp_path):
    run = tmp_path / "broken"
    train(TrainConfig(model="linear_net", steps=5, eval_every=5, checkpoint_every=5, **TINY), run)
    (run / "best.pt").write_bytes(b"\x00garbage")
    with pytest.raises(ValueError, match="damaged"):
        forecasters.load("linear_net", checkpoint=run)


def test_cli_trains_and_refuses_bad_settings(tmp_path):
    base = [sys.executable, "-m", "core.training", "--root", str(tmp_path), "--no-progress"]
    ok = subprocess.run(
        [*base, "--model", "linear_net", "--steps", "10", "--lookback", "40", "--horizon", "5", "--run-id", "cli"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.strip().splitlines()[-1])["state"] == "finished"
    bad = subprocess.run([*base, "--model", "linear_net", "--steps", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and "steps" in bad.stderr


def test_amp_trains_under_bf16_autocast_on_cpu_and_validates_in_float32(tmp_path, monkeypatch):
    loss, forward, seen, scored = LinearNet.loss, LinearNet.forward, [], []

    def recorded_loss(self, *args):
        seen.append(torch.is_autocast_enabled("cpu"))
        return loss(self, *args)

    def recorded_forward(self, *args):  # validation's forecasts
        scored.append(torch.is_autocast_enabled("cpu"))
        return forward(self, *args)

    monkeypatch.setattr(LinearNet, "loss", recorded_loss)
    monkeypatch.setattr(LinearNet, "forward", recorded_forward)
    status = train(TrainConfig(model="linear_net", steps=30, amp=True, device="cpu", **TINY), tmp_path / "on")
    assert status["state"] == "finished" and seen and all(seen)
    assert scored and not any(scored)
    seen.clear()
    train(TrainConfig(model="linear_net", steps=5, device="cpu", **TINY), tmp_path / "off")
    assert seen and not any(seen)


def test_a_compiled_run_trains_resumes_and_keeps_plain_weights(tmp_path):
    config = TrainConfig(model="linear_net", steps=12, compile=True, checkpoint_every=6, eval_every=6, **TINY)
    assert train(replace(config, steps=6), tmp_path / "run")["state"] == "finished"
    first = read_checkpoint(tmp_path / "run" / "last.pt")["model_state"]
    assert all(not key.startswith("_orig_mod") for key in first)  # loadable by an eager model
    assert train(config, tmp_path / "run", resume=True)["state"] == "finished"
    plain = train(replace(config, compile=False), tmp_path / "plain")
    assert plain["state"] == "finished"
    compiled = metrics(tmp_path / "run")[-1]["val_mse"]
    assert compiled == pytest.approx(metrics(tmp_path / "plain")[-1]["val_mse"], rel=1e-3)  # the same training


def test_at_batch_sees_the_same_signals_in_fewer_larger_steps():
    base = TrainConfig(
        steps=14000,
        warmup=200,
        batch_size=256,
        eval_every=250,
        checkpoint_every=250,
        log_every=50,
        curriculum=[{"until": 1500, "components": [3, 10]}, {"until": 4000, "components": [3, 25]}],
    )
    assert base.at_batch(256) == base
    big = base.at_batch(16384)  # x64
    assert (big.batch_size, big.steps, big.lr) == (16384, 219, pytest.approx(8e-3))  # lr x sqrt(64)
    # each curriculum stage ends after the same signals, to within one large step
    assert [s["until"] for s in big.curriculum] == [23, 62]
    assert [s["components"] for s in big.curriculum] == [[3, 10], [3, 25]]
    assert (big.eval_every, big.checkpoint_every, big.log_every) == (4, 4, 1)  # the same signals between saves
    assert big.warmup == 10  # 5% of the run: 200 / 64 would be 3 steps at 8x the learning rate
    assert [s["until"] for s in base.at_batch(65536).curriculum] == [6, 16]
    tiny = TrainConfig(steps=40, curriculum=[{"until": 1, "components": [3, 10]}]).at_batch(8192)
    assert tiny.steps == 1 and tiny.curriculum == []  # a stage with no step of its own left is dropped
    with pytest.raises(ValueError, match="batch_size"):
        base.at_batch(0)
    with pytest.raises(ValueError, match="values per step"):  # the per-batch memory bound still holds
        TrainConfig(lookback=1000).at_batch(65536)


def test_cli_at_batch_trains_the_scaled_run(tmp_path):
    base = [sys.executable, "-m", "core.training", "--root", str(tmp_path), "--no-progress"]
    common = ["--model", "linear_net", "--lookback", "40", "--horizon", "5", "--components", "3", "6"]
    done = subprocess.run(
        [*base, *common, "--steps", "64", "--batch-size", "16", "--at-batch", "64", "--run-id", "big"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "big" / "config.json").read_text())
    assert (config["batch_size"], config["steps"], config["lr"]) == (64, 16, pytest.approx(2e-3))
    assert metrics(tmp_path / "big")[-1]["step"] == 16
    again = subprocess.run([*base, "--resume", "big", "--at-batch", "128"], capture_output=True, text=True)
    assert again.returncode == 2 and "at_batch" in again.stderr


@pytest.mark.skipif(shutil.which("torchrun") is None, reason="torchrun not installed")
@pytest.mark.parametrize("port, flags", [(29517, []), (29518, ["--compile", "true", "--amp", "true"])])
def test_ddp_two_cpu_processes_write_one_consistent_run(tmp_path, port, flags):
    cmd = [
        "torchrun",
        "--nproc_per_node=2",
        f"--master_port={port}",
        "-m",
        "core.training",
        "--root",
        str(tmp_path),
        "--run-id",
        "ddp",
        "--no-progress",
        "--model",
        "linear_net",
        "--steps",
        "20",
        "--lookback",
        "40",
        "--horizon",
        "5",
        "--log-every",
        "5",
        "--eval-every",
        "10",
        "--checkpoint-every",
        "10",
        *flags,  # the compiled, bf16 step under DDP too
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    status = json.loads((tmp_path / "ddp" / "status.json").read_text())
    assert status["state"] == "finished" and status["step"] == 20
    steps = [r["step"] for r in metrics(tmp_path / "ddp") if "train_loss" in r]
    assert steps == [5, 10, 15, 20]  # one writer: no duplicated lines from the second rank
    assert read_checkpoint(tmp_path / "ddp" / "last.pt")["step"] == 20
    assert len([line for line in done.stdout.splitlines() if line.startswith("{")]) == 1  # one summary


def test_ddp_ranks_agree_on_stop(tmp_path):
    (tmp_path / "ddp-stop").mkdir()
    (tmp_path / "ddp-stop" / "STOP").touch()  # asked before the first step: every rank must stop together
    cmd = [
        *("torchrun", "--nproc_per_node=2", "--master_port=29518", "-m", "core.training", "--root", str(tmp_path)),
        *("--run-id", "ddp-stop", "--no-progress", "--model", "linear_net", "--steps", "1000"),
        *("--lookback", "40", "--horizon", "5", "--log-every", "5", "--checkpoint-every", "10"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]  # no rank left waiting in a collective
    status = json.loads((tmp_path / "ddp-stop" / "status.json").read_text())
    assert status["state"] == "stopped" and status["step"] < 1000
    assert not (tmp_path / "ddp-stop" / "STOP").exists()


def test_tensorboard_is_optional(tmp_path):
    config = TrainConfig(
        model="linear_net", steps=10, log_every=5, eval_every=10, checkpoint_every=10, tensorboard=True, **TINY
    )
    status = train(config, tmp_path / "run")
    assert status["state"] == "finished"
    try:
        import torch.utils.tensorboard  # noqa: F401
    except ImportError:
        assert not (tmp_path / "run" / "tensorboard").exists()
    else:
        assert any((tmp_path / "run" / "tensorboard").iterdir())


def test_concurrent_runs_are_limited(tmp_path):
    started = [jobs.start_run(background_config(), f"r{i}", root=tmp_path) for i in range(jobs.MAX_CONCURRENT)]
    try:
        with pytest.raises(ValueError, match="limit"):
            jobs.start_run(background_config(), "one-too-many", root=tmp_path)
        with pytest.raises(ValueError, match="exists already"):
            jobs.start_run(background_config(), "r0", root=tmp_path)
    finally:
        for run in started:
            jobs.stop_run(run, root=tmp_path, timeout=30)
    assert {r.state for r in jobs.list_runs(tmp_path)} == {"stopped"}


def test_simultaneous_starts_respect_the_limit_and_default_names_never_collide(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_):
        try:
            return jobs.start_run(background_config(), root=tmp_path)  # default names, same second
        except ValueError as exc:
            return exc

    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    started = [o for o in outcomes if isinstance(o, str)]
    try:
        assert len(started) == jobs.MAX_CONCURRENT and len(set(started)) == len(started)
        assert all("limit" in str(o) for o in outcomes if not isinstance(o, str))
    finally:
        for run in started:
            jobs.stop_run(run, root=tmp_path, timeout=30)


def test_eta_follows_the_wall_clock_pace_of_the_current_session():
    """Evaluations and checkpoints take time that samples/s does not count: the ETA is built on the
    records' own time stamps, and a resumed run (a long gap) starts its pace afresh."""
    records = [{"step": s, "time": 1000.0 + 0.5 * s} for s in range(0, 100, 10)]  # 0.5 s per step
    assert jobs.seconds_left(records, 200) == pytest.approx(0.5 * (200 - 90))
    resumed = [*records, *({"step": s, "time": 9000.0 + 2.0 * (s - 90)} for s in range(100, 140, 10))]
    assert jobs.seconds_left(resumed, 200) == pytest.approx(2.0 * (200 - 130))  # only the new pace counts
    assert jobs.seconds_left(records[:1], 200) is None and jobs.seconds_left([], 10) is None


def test_export_keeps_what_a_shipped_checkpoint_needs_and_drops_the_optimiser(tmp_path):
    config = TrainConfig(model="linear_net", steps=10, eval_every=5, checkpoint_every=5, lookback=40, horizon=5)
    train(config, tmp_path / "run")
    export_pretrained(tmp_path / "run", tmp_path / "shipped")
    payload = read_checkpoint(tmp_path / "shipped" / "best.pt")
    assert payload["task"] == "forecast" and payload["model"] == "linear_net"
    assert "optimizer" not in payload and "rng" not in payload
    assert (tmp_path / "shipped" / "metrics.jsonl").read_text() == (tmp_path / "run" / "metrics.jsonl").read_text()


def test_clean_target_keeps_the_noisy_lookback_and_drops_the_futures_noise():
    """clean_target: the loss sees the noisy past (what a user has) and the future before the noise
    (what a forecaster can know). The noise is the only difference between the two targets."""
    from core.training.tasks import get_task

    signal = {"components": [3, 6], "periods": [10, 40], "noise": 0.2}
    task = get_task("forecast")
    observed = TrainConfig(model="linear_net", signal=signal, lookback=40, horizon=5, batch_size=64)
    clean = TrainConfig(model="linear_net", signal=signal, lookback=40, horizon=5, batch_size=64, clean_target=True)
    history_o, future_o, _ = task.batch(observed, 3, 99, torch.device("cpu"))
    history_c, future_c, _ = task.batch(clean, 3, 99, torch.device("cpu"))
    assert torch.equal(history_o, history_c)
    residual = future_o - future_c  # the noise, scaled by each row's peak normalisation
    assert 0.1 < residual.std() < 0.2  # std 0.2 before the rescale (peaks grow with noise)
    quiet = TrainConfig(model="linear_net", signal={**signal, "noise": 0.0}, lookback=40, horizon=5, clean_target=True)
    loud = TrainConfig(model="linear_net", signal={**signal, "noise": 0.0}, lookback=40, horizon=5)
    cpu = torch.device("cpu")
    assert torch.equal(task.batch(quiet, 3, 99, cpu)[1], task.batch(loud, 3, 99, cpu)[1])
    with pytest.raises(ValueError, match="clean_target"):
        TrainConfig(clean_target="yes")
