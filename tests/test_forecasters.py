"""core.forecasters and core.models: the contract, the maths, the lessons they carry."""

import numpy as np
import pytest
import torch

from core import forecasters
from core.evaluation import suite
from core.models import MODELS, build
from core.signals import Components, synthesize
from core.training.checkpoints import save_checkpoint


def sines(periods, n=130, amplitudes=None, phases=None):
    rows = [
        {"period": p, "amplitude": (amplitudes or [1.0] * len(periods))[i], "phase": (phases or [0.3] * 9)[i]}
        for i, p in enumerate(periods)
    ]
    return synthesize(Components.from_rows(rows), n)[0].numpy()


def save_model(tmp_path, model, name="model.pt"):
    path = tmp_path / name
    save_checkpoint(path, {"model": model.name, "hparams": model.hparams, "model_state": model.state_dict()})
    return path


@pytest.mark.parametrize("name", forecasters.CLASSICAL)
def test_classical_contract(name):
    f = forecasters.load(name)
    x = np.random.default_rng(0).normal(size=(5, 64))
    assert f.predict(x, 7).shape == (5, 7)
    assert f.predict(x[0], 3).shape == (1, 3)  # 1-D history is one series
    for bad, horizon, match in [
        (np.array([]), 3, "empty"),
        (np.array([1.0, np.nan, 2.0, 3.0]), 3, "NaN"),
        (x, 0, "horizon"),
        (x, 2.5, "horizon"),
        (np.zeros((2, 3, 4)), 3, "shape"),
    ]:
        with pytest.raises(ValueError, match=match):
            f.predict(bad, horizon)


def test_unknown_names_and_options_are_refused():
    with pytest.raises(ValueError, match="unknown forecaster"):
        forecasters.load("prophet")
    with pytest.raises(ValueError, match="unknown window"):
        forecasters.load("fft", window="triangle-ish")


@pytest.mark.parametrize("periods", [[20, 33, 7], [12.7, 31.4159, 55.5, 9.3]])
def test_linear_prediction_is_exact_on_noise_free_sums(periods):
    x = sines(periods, n=140, amplitudes=[0.5, 0.3, 0.2, 0.1][: len(periods)])
    forecast = forecasters.load("linear").predict(x[:100], 40)
    assert np.abs(forecast - x[100:]).max() < 1e-8


def test_linear_prediction_on_the_final_suite_is_the_yardstick():
    data = suite("final", n=100)
    mse = np.mean((forecasters.load("linear").predict(data.history, 10) - data.future) ** 2)
    assert mse < 1e-8  # ~1e-11 measured in float64


def test_fft_is_exact_on_integer_cycles_and_breaks_otherwise():
    fft = forecasters.load("fft")
    x = sines([20, 25, 50])
    assert np.abs(fft.predict(x[:100], 30) - x[100:]).max() < 1e-10
    y = sines([22, 37])
    assert np.abs(fft.predict(y[:100], 30) - y[100:]).max() > 0.1
    windowed = forecasters.load("fft", window="hamming", top_k=2).predict(y[:100], 30)
    assert windowed.shape == (1, 30)


def test_dft_is_worse_than_naive_on_the_final_suite():
    data = suite("final", n=200)
    errors = {n: np.mean((forecasters.load(n).predict(data.history, 10) - data.future) ** 2) for n in ("naive", "fft")}
    assert errors["fft"] > errors["naive"]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_neural_contract_and_checkpoint_round_trip(tmp_path, name):
    torch.manual_seed(0)
    model = build(name, lookback=40, horizon=5, **({"hidden": 16} if name != "linear_net" else {}))
    f = forecasters.load(name, checkpoint=save_model(tmp_path, model))
    x = np.random.default_rng(1).normal(size=(3, 40))
    out = f.predict(x, 12)  # past the trained horizon: autoregressive
    assert out.shape == (3, 12) and np.all(np.isfinite(out))
    assert f.trained_horizon == 5
    with torch.no_grad():
        direct = model.eval()(torch.tensor(x, dtype=torch.float32), 12).numpy()
    assert np.allclose(out, direct, atol=1e-5)
    # affine invariance from the shared normalisation: a series in other units gets the same forecast
    assert np.allclose(f.predict(3 * x + 10, 12), 3 * out + 10, atol=1e-3)
    if model.fixed_lookback:
        with pytest.raises(ValueError, match="lookback of 40"):
            f.predict(np.zeros((1, 50)), 3)
    with pytest.raises(ValueError, match="NaN"):
        f.predict(np.full((1, 40), np.nan), 3)


def test_checkpoint_errors_are_clear(tmp_path):
    lstm = build("lstm", hidden=8)
    path = save_model(tmp_path, lstm)
    with pytest.raises(ValueError, match="holds a 'lstm' model, not 'seq2seq'"):
        forecasters.load("seq2seq", checkpoint=path)
    bad = tmp_path / "corrupt.pt"
    bad.write_bytes(b"not a checkpoint at all")
    with pytest.raises(ValueError, match="damaged"):
        forecasters.load("lstm", checkpoint=bad)
    with pytest.raises(ValueError, match="not found"):
        forecasters.load("lstm", checkpoint=tmp_path / "missing.pt")
    wrong_shape = {"model": "lstm", "hparams": {"hidden": 8}, "model_state": build("lstm", hidden=4).state_dict()}
    save_checkpoint(tmp_path / "shape.pt", wrong_shape)
    with pytest.raises(ValueError, match="does not fit"):
        forecasters.load("lstm", checkpoint=tmp_path / "shape.pt")


def test_lstm_carried_state_rollout_equals_recomputing_every_step():
    torch.manual_seed(0)
    lstm = build("lstm", hidden=16).eval()
    history = torch.randn(4, 60)
    with torch.no_grad():
        assert torch.allclose(lstm(history, 15), lstm.forward_recompute(history, 15), atol=1e-5)


def test_lstm_rollout_loss_is_teacher_forcing_plus_the_honest_forecast():
    """rollout=1 adds the forecast ``forward`` makes (fed its own outputs) to the next-step loss; without
    it the loss and the hyperparameters are the old ones, so earlier checkpoints rebuild unchanged."""
    from core.models.base import normalise, weighted_mse

    torch.manual_seed(0)
    both, plain = build("lstm", hidden=16, rollout=1), build("lstm", hidden=16)
    plain.load_state_dict(both.state_dict())
    assert "rollout" not in plain.hparams and both.hparams["rollout"] == 1
    history, future, weights = torch.randn(4, 60), torch.randn(4, 10), torch.linspace(2, 1, 10) / 15
    _, mean, scale = normalise(history)
    honest = weighted_mse((both(history, 10) - mean) / scale, (future - mean) / scale, weights)
    assert torch.allclose(both.loss(history, future, weights), plain.loss(history, future, weights) + honest)
    both.loss(history, future, weights).backward()
    assert both.head.weight.grad.abs().sum() > 0
    for model in (both, plain):  # a horizon of one step has no true future to feed the LSTM
        assert torch.isfinite(model.loss(history, future[:, :1], torch.ones(1)))


@pytest.mark.parametrize("name", ["lstm", "seq2seq"])
def test_teacher_forced_view_uses_the_truth(tmp_path, name):
    torch.manual_seed(0)
    f = forecasters.load(name, checkpoint=save_model(tmp_path, build(name, hidden=8)))
    x = sines([20, 33], n=120)[None, :]
    one_step = f.predict_teacher_forced(x[:, :100], x[:, 100:])
    assert one_step.shape == (1, 20)
    # the first one-step prediction is the first rollout step; later ones differ (they saw the truth)
    rollout = f.predict(x[:, :100], 20)
    assert np.isclose(one_step[0, 0], rollout[0, 0], atol=1e-5)
    assert not np.allclose(one_step[0, 5:], rollout[0, 5:])


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_few_training_steps_lower_the_loss(name):
    torch.manual_seed(0)
    model = build(name, lookback=40, horizon=5, **({"hidden": 32} if name != "linear_net" else {}))
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    data = suite("easy", n=256, lookback=40, horizon=5, seed=3)
    history = torch.tensor(data.history, dtype=torch.float32)
    future = torch.tensor(data.future, dtype=torch.float32)
    weights = torch.full((5,), 0.2)
    first = model.loss(history, future, weights).item()
    for _ in range(60):
        optimizer.zero_grad()
        model.loss(history, future, weights).backward()
        optimizer.step()
    assert model.loss(history, future, weights).item() < 0.7 * first


@pytest.mark.parametrize("name", [*forecasters.NEURAL, *forecasters.SPECIALISTS])
def test_shipped_checkpoints_load_and_beat_naive(name):
    data = suite("final", n=200)
    f = forecasters.load(name)
    naive = np.mean((forecasters.load("naive").predict(data.history, 10) - data.future) ** 2)
    assert np.mean((f.predict(data.history, 10) - data.future) ** 2) < naive


def test_shipped_fft_gru_specialist_meets_the_quality_bar():
    data = suite("final", n=500)
    mse = np.mean((forecasters.load("fft_gru-final").predict(data.history, 10) - data.future) ** 2)
    assert mse <= 0.019


def test_evaluate_cli(tmp_path, capsys):
    from core.evaluate import main

    out = tmp_path / "scores.json"
    assert main(["--suite", "easy", "--models", "naive,fft,linear", "--n", "50", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "| linear |" in table and "| fft |" in table
    import json

    scores = json.loads(out.read_text())["models"]
    assert scores["linear"]["mse"] < scores["naive"]["mse"] < scores["fft"]["mse"]
    assert len(scores["naive"]["per_horizon_mse"]) == 10 and scores["naive"]["mse_by_components"]


def test_leaderboard_and_worst_cases():
    from core.evaluation import leaderboard, score

    data = suite("final", n=60)
    results = {n: score(forecasters.load(n), data.history, data.future) for n in ("naive", "fft", "linear")}
    rows = leaderboard(results)
    assert [r["model"] for r in rows] == ["linear", "naive", "fft"]
    assert rows[1]["vs_naive"] == 1.0 and rows[2]["vs_naive"] > 1.0 and rows[0]["vs_linear"] == 1.0
    worst = results["fft"].worst(3)
    assert results["fft"].per_signal[worst[0]] == results["fft"].per_signal.max()
    assert list(results["fft"].per_signal[worst]) == sorted(results["fft"].per_signal[worst], reverse=True)


def test_a_model_guided_by_several_fits_starts_as_their_mean():
    from core.models.base import linear_guide, normalise

    model = build("fft_gru", lookback=100, horizon=10, hidden=16, mlp=16, guides=4)
    assert model.guide_orders == [10, 20, 30, 40]
    history = suite("noise-5", n=8).history
    z = normalise(torch.tensor(history))[0].float()
    mean = torch.stack([linear_guide(z, 12, order) for order in (10, 20, 30, 40)]).mean(0)
    with torch.no_grad():
        torch.testing.assert_close(model._rollout(z, 12), mean)  # past the trained horizon too
    for bad in ({"guides": 5}, {"guides": 2, "guide_order": 20}, {"guides": -1}):
        with pytest.raises(ValueError, match="guides"):
            build("fft_gru", lookback=100, horizon=10, **bad)


def test_an_exact_guide_starts_the_model_as_the_self_validated_blend():
    """exact: before training, a clean sum is forecast to rounding (the exact fit takes all the weight)
    and a noisy one by a real blend of the exact fit and the ridge fits' mean, as ``linear`` blends."""
    from core.models.base import exact_guide, linear_guide, normalise, validated_base

    model = build("fft_gru", lookback=100, horizon=10, hidden=16, mlp=16, guides=4, exact=40)
    clean = suite("final", n=16)
    z, mean, scale = normalise(torch.tensor(clean.history, dtype=torch.float32))
    with torch.no_grad():
        forecast = model(torch.tensor(clean.history, dtype=torch.float32), 10).double().numpy()
    ridge_mean = torch.stack([linear_guide(z, 10, o) for o in (10, 20, 30, 40)]).mean(0) * scale + mean
    assert ((forecast - clean.future) ** 2).mean() < 1e-3 < ((ridge_mean.numpy() - clean.future) ** 2).mean() / 10
    noisy = normalise(torch.tensor(suite("noise-20", n=64).history, dtype=torch.float32))[0]
    guides = torch.stack([linear_guide(noisy, 10, o) for o in (10, 20, 30, 40)], -1)
    exact = exact_guide(noisy, 10, 40)
    base, errors = validated_base(noisy, guides, exact, [10, 20, 30, 40], 40, 10)
    share = (base - guides.mean(-1)) / (exact - guides.mean(-1))  # the exact fit's weight, per row
    assert 0.1 < share.median() < 0.9 and errors.shape == (64, 2)
    with torch.no_grad():
        torch.testing.assert_close(model._rollout(noisy, 10), base)
    for bad in ({"exact": 40}, {"guides": 4, "exact": 57}, {"guides": 4, "exact": -1}):
        with pytest.raises(ValueError, match="exact"):
            build("fft_gru", lookback=100, horizon=10, **bad)


def test_bf16_training_leaves_the_hybrids_least_squares_in_full_precision():
    """`amp` runs the network in bf16; the fits it is guided by must stay float32 / float64 (a bf16 Gram
    matrix once moved the order-40 fit by 0.8 on signals of peak 1)."""
    from core.models.base import linear_guide, normalise

    z = normalise(torch.tensor(suite("final", n=64).history, dtype=torch.float32))[0]
    plain = [linear_guide(z, 10, order) for order in (10, 40)]
    model = build("fft_gru", lookback=100, horizon=10, hidden=16, mlp=16, guides=4, exact=40)
    with torch.no_grad():
        base = model._rollout(z, 10)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert all(torch.equal(linear_guide(z, 10, o), p) for o, p in zip((10, 40), plain))
        with torch.no_grad():
            torch.testing.assert_close(model._rollout(z, 10), base)
