"""Robust forecasting: the dtype contract, bounded recurrences, the sinusoid fit, every suite."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import forecasters, linear_prediction, shapes, sinusoids
from core.evaluation import DESCRIPTIONS, REAL, SHAPES, SUITES, robustness, robustness_table, shape_series, suite
from core.signals import SignalSpec, generate


def test_new_suites_exist_and_real_windows_are_scaled_by_their_lookback():
    assert {"float-periods", "amp-mod", "noise-1", "noise-5", "noise-20", *REAL, *SHAPES} <= set(SUITES)
    assert set(DESCRIPTIONS) == set(SUITES)  # the Arena's help names every suite
    for name in [*REAL, *SHAPES]:
        data = suite(name, n=40)
        assert data.history.shape == (40, 100) and data.future.shape == (40, 10)
        np.testing.assert_allclose(data.history.mean(1), 0, atol=1e-12)
        np.testing.assert_allclose(np.abs(data.history).max(1), 1)
    a, b = suite("co2", n=20), suite("co2", n=20)
    np.testing.assert_array_equal(a.history, b.history)  # seeded: the same windows every time
    assert suite("noise-5", n=8).as_float32().history.dtype == np.float64  # rounded, then widened


@pytest.mark.parametrize("name", ["naive", "fft", "linear", "esprit", "fft_gru", "lstm"])
def test_float16_32_64_inputs_give_the_same_forecast_to_their_precision(name):
    """Well-conditioned inputs (noisy, real): float32 agrees with float64 to ~1e-4, float16 to ~0.1."""
    f = forecasters.load(name)
    for suite_name in ("noise-5", "sunspots"):
        data = suite(suite_name, n=16)
        p64 = f.predict(data.history, 10)
        p32 = f.predict(data.history.astype(np.float32), 10)
        p16 = f.predict(data.history.astype(np.float16), 10)
        assert p64.dtype == np.float64 and np.isfinite(p16).all()
        assert np.abs(p32 - p64).max() < 1e-4, suite_name
        assert np.abs(p16 - p64).max() < 0.1, suite_name


def test_linear_is_exact_on_float32_sums_of_harmonics():
    data = suite("final", n=256)
    f = forecasters.load("linear")
    assert np.mean((f.predict(data.history, 10) - data.future) ** 2) < 1e-10
    f32 = data.as_float32()
    assert np.mean((f.predict(f32.history, 10) - f32.future) ** 2) < 5e-5  # float32 rounding: ~1e-6..1e-5 by seed
    easy = suite("easy", n=128).as_float32()
    assert np.mean((f.predict(easy.history, 10) - easy.future) ** 2) < 1e-8


def test_pulled_roots_never_leave_the_unit_circle_and_unpulled_ones_do():
    data = suite("noise-20", n=64).as_float32()
    pulled = linear_prediction.fit(data.history)
    assert np.abs(pulled.roots).max() <= 1 + 1e-9
    textbook = linear_prediction.fit(data.history, robust=False)
    assert (np.abs(textbook.roots) > 1.01).mean() > 0.01  # plain least squares puts roots outside: it matters


def test_clean_sines_put_their_poles_on_the_circle_at_their_frequencies():
    t = np.arange(100)
    x = np.cos(2 * np.pi * t / 12.5) + 0.5 * np.cos(2 * np.pi * t / 31.0 + 1.0)
    roots = linear_prediction.fit(x).roots[0]
    for period in (12.5, 31.0):
        target = np.exp(2j * np.pi / period)
        nearest = roots[np.argmin(np.abs(roots - target))]
        assert abs(nearest - target) < 1e-6
    extraneous = roots[np.min(np.abs(roots[:, None] - np.exp(2j * np.pi / np.array([12.5, 31.0]))), 1) > 1e-3]
    extraneous = extraneous[np.abs(np.abs(extraneous) - 1) > 1e-6]
    assert len(extraneous) and np.abs(extraneous).max() < 1  # the spare poles sit inside: they die away


def test_stabilise_rebuilds_the_recurrence_from_its_roots():
    coefficients = torch.tensor([[2 * np.cos(0.3) * 1.05, -(1.05**2)]], dtype=torch.float64)  # growing sine
    stable, roots = linear_prediction.stabilise(coefficients)
    np.testing.assert_allclose(roots.abs().numpy(), 1.0, atol=1e-12)
    np.testing.assert_allclose(stable.numpy(), [[2 * np.cos(0.3), -1.0]], atol=1e-12)
    series = linear_prediction.run(stable, torch.tensor([[0.0, 1.0]], dtype=torch.float64), 500)
    assert series.abs().max() < 5  # a steady oscillation, not 1.05**500


def test_a_root_swap_moves_that_root_only():
    angles = (np.arange(11) + 0.5 + np.random.default_rng(3).uniform(-0.2, 0.2, 11)) * np.pi / 12
    on_circle = np.concatenate([np.exp(1j * angles), np.exp(-1j * angles)])
    coefficients = torch.from_numpy(-np.poly([*on_circle, *(1.05 * np.exp(1j * np.array([0.7, -0.7])))])[1:].real)
    stable, _ = linear_prediction.stabilise(coefficients[None])
    roots = linear_prediction.roots_of(stable)[0].numpy()
    for target in [*on_circle, *np.exp(1j * np.array([0.7, -0.7]))]:
        assert np.abs(roots - target).min() < 1e-9


def test_a_root_far_outside_is_reflected_inside_not_pulled_onto_the_circle():
    # Pulled onto the circle, a root at 5 would be a steady mode at its angle; at angle 0 beside a root
    # already at z = 1, a double root: a forecast that climbs without end.
    on_circle = np.exp(1j * np.array([0.4, -0.4, 1.3, -1.3]))
    coefficients = torch.from_numpy(-np.poly([*on_circle, 1.0, 5.0, 1.08])[1:].real)
    stable, roots = linear_prediction.stabilise(coefficients[None])
    found = np.sort_complex(linear_prediction.roots_of(stable)[0].numpy())
    np.testing.assert_allclose(found, np.sort_complex([*on_circle, 1.0, 0.2, 1.0]), atol=1e-7)
    np.testing.assert_allclose(np.sort_complex(roots[0].numpy()), found, atol=1e-7)


def test_a_staircase_whose_fit_had_a_root_at_9e4_is_forecast_not_run_away():
    # A sine rounded to 9 levels (period ~20): its data matrix has directions at float32's rounding
    # floor, where the fit of order 40 put a root at about 9e4. Pulled onto the circle at angle 0 it
    # made a triple root at z = 1 and the forecast climbed to the bound: MSE 8.4 against a truth in -1..1.
    x = shapes.draw("sine rounded to 9 levels", 1000, 110, 2027)[791]
    _, mean, scale = linear_prediction.normalise(x[None, :100])
    x = ((x - mean) / scale)[0]
    raw = linear_prediction.fit_one(torch.from_numpy(x[None, :100].astype(np.float32).astype(float)), 40, pull=False)[1]
    assert raw.abs().max() > 1e3  # the draw still holds the case this test is about
    guess = forecasters.load("linear").predict(x[:100].astype(np.float32), 10)[0]
    assert ((guess - x[100:]) ** 2).mean() < 1.0


def test_pulling_spurious_roots_keeps_a_high_order_recurrence_accurate():
    # Order 80 on clean 200-sample sums passed as float32: some rows get spurious roots outside the
    # circle. Rebuilding the polynomial from all 80 computed roots (this module's first way) imported
    # every root's rounding: forecasts off by 1e10 before the bound. Swapping only the outside roots
    # keeps what least squares found.
    spec = SignalSpec(components=(2, 6), periods=(2, 200), integer_periods=False, length=250)
    x = generate(spec, 32, seed=200).numpy()  # float32, as users pass
    z, mean, scale = linear_prediction.normalise(x[:, :200])
    z = torch.from_numpy(z)
    raw, _, _ = linear_prediction.fit_one(z, 80, pull=False)
    stable, roots = linear_prediction.stabilise(raw)
    assert (linear_prediction.roots_of(raw).abs().max(1).values > 1 + linear_prediction.PULL_TOLERANCE).sum() >= 3
    assert roots.abs().max() <= 1 + linear_prediction.PULL_TOLERANCE
    future = (x[:, 200:] - mean) / scale
    assert ((linear_prediction.run(stable, z, 50).numpy() - future) ** 2).mean() < 1e-4


@pytest.mark.parametrize("lookback, horizon", [(200, 50), (500, 100)])
def test_linear_holds_on_long_lookbacks(lookback, horizon):
    # Orders 80 and 128: pulling a root by expanding every root into a polynomial again made these
    # forecasts 10x worse than repeating the last value; swapping the root alone keeps them exact.
    for noise in (0.0, 0.02):
        spec = SignalSpec(
            components=(2, 6), periods=(2, lookback), integer_periods=False, noise=noise, length=lookback + horizon
        )
        x = generate(spec, 24, seed=lookback + 7).numpy()
        history, future = x[:, :lookback], x[:, lookback:]
        mse = ((forecasters.load("linear").predict(history, horizon) - future) ** 2).mean()
        naive = ((history[:, -1:] - future) ** 2).mean()
        assert mse < (1e-3 if noise == 0 else 0.1 * naive), (noise, mse, naive)


def test_linear_blend_prefers_the_exact_fit_on_clean_input_and_averages_on_noise():
    clean = suite("final", n=32)
    _, weights = linear_prediction.forecast(clean.history, 10)
    assert np.median(weights[0]) > 0.99
    noisy = suite("noise-20", n=32)
    _, weights = linear_prediction.forecast(noisy.history, 10)
    assert 0.2 < np.median(weights[0]) < 0.8


def test_at_5_percent_noise_linears_error_is_noise_it_fitted_not_noise_it_could_not_foresee():
    """The README's claim: from the noise-free lookback linear is as good as the future's own noise allows;
    from the noisy one it is many times worse (the room a denoiser has)."""
    spec = SignalSpec(components=(3, 44), periods=(10, 99), noise=0.05, length=110)
    noisy, clean = generate(spec, 64, seed=2024, dtype=torch.float64, return_clean=True)
    noisy, clean = noisy.numpy(), clean.numpy()
    linear = forecasters.load("linear")
    floor = ((clean[:, 100:] - noisy[:, 100:]) ** 2).mean()  # the future's own noise
    from_clean = ((linear.predict(clean[:, :100].astype(np.float32), 10) - noisy[:, 100:]) ** 2).mean()
    from_noisy = ((linear.predict(noisy[:, :100].astype(np.float32), 10) - noisy[:, 100:]) ** 2).mean()
    assert from_clean < 1.2 * floor and from_noisy > 10 * floor, (floor, from_clean, from_noisy)


def test_sinusoid_fit_finds_a_non_integer_period_off_the_dft_grid():
    t = np.arange(100)
    for dtype in (np.float64, np.float32):
        x = (0.8 * np.cos(2 * np.pi * t / 12.34 + 0.3)).astype(dtype)
        top = forecasters.load("esprit").fit(x).components(0)[0]
        assert abs(top["period"] - 12.34) / 12.34 < 1e-6
        assert abs(top["amplitude"] - 0.8) < 1e-5 and abs(top["phase"] - 0.3) < 1e-5
        assert abs(top["damping"]) < 1e-6


def test_sinusoid_fit_recovers_known_components_and_forecasts_clean_sums():
    t = np.arange(130)
    x = 0.6 * np.cos(2 * np.pi * t / 7.3 + 1.0) + 0.3 * np.cos(2 * np.pi * t / 41.0 - 0.5) + 0.2
    fitted = sinusoids.fit(x[:100])
    found = {round(c["period"], 6): c for c in fitted.components(0) if np.isfinite(c["period"])}
    assert set(found) == {7.3, 41.0}
    assert abs(found[7.3]["amplitude"] - 0.6) < 1e-8 and abs(found[41.0]["amplitude"] - 0.3) < 1e-8
    assert np.abs(forecasters.load("esprit").predict(x[:100], 30) - x[100:]).max() < 1e-8
    data = suite("easy", n=64)  # float64: clean sums of 3..6 harmonics
    assert np.mean((forecasters.load("esprit").predict(data.history, 10) - data.future) ** 2) < 1e-6


def test_sinusoid_fit_is_exact_on_clean_sums_from_float32_input():
    esprit = forecasters.load("esprit")
    data = suite("easy", n=64).as_float32()  # what users pass: float32
    assert np.mean((esprit.predict(data.history, 10) - data.future) ** 2) < 1e-6
    # Where components are closer than the window resolves (`final`: up to 44 whole periods 10..99),
    # carrying the last window with the shift matrix beats running the amplitudes' sum forward.
    for seed in (1, 2):
        data = suite("final", n=64, seed=seed).as_float32()
        fitted = sinusoids.fit(data.history)
        by_sum = np.mean((fitted.evaluate(fitted.n, 10) - data.future) ** 2)
        by_shift = np.mean((fitted.run(10) - data.future) ** 2)
        assert by_shift < by_sum / 100, (seed, by_sum, by_shift)


def test_stable_shift_leaves_the_dynamics_of_the_inside_modes_alone():
    # A state made of the inside modes only must be carried exactly as before: pulling an outside mode
    # may not leak into them (it did when a single outside level was left where Schur put it).
    rng = np.random.default_rng(1)
    for outside in ([1.5], [1.2, 1.2, 1.7]):
        inside = [0.9, -0.8, 0.7, 0.5, -0.3, 0.6]
        vectors = rng.standard_normal((9, 9))
        values = np.array(inside + outside + [0.1] * (3 - len(outside)))
        shift = vectors @ np.diag(values) @ np.linalg.inv(vectors)
        stable, _ = sinusoids.stable_shift(shift)
        state = vectors[:, values < 1] @ rng.standard_normal(int((values < 1).sum()))
        before, after = state.copy(), state.copy()
        for _ in range(20):
            before, after = shift @ before, stable @ after
            assert np.abs(after - before).max() < 1e-9 * np.abs(state).max()


def test_stable_shift_pulls_outside_eigenvalues_onto_the_circle_and_leaves_the_rest():
    rng = np.random.default_rng(0)
    for _ in range(20):
        shift = rng.standard_normal((9, 9)) * 0.8
        before = np.linalg.eigvals(shift)
        stable, eigenvalues = sinusoids.stable_shift(shift)
        # Reported: the old eigenvalues with each outside one projected on the circle, the rest as they were.
        expected = np.where(np.abs(before) > 1, before / np.abs(before), before)
        distance = np.abs(eigenvalues[:, None] - expected[None, :]).min(1)
        assert distance.max() < 1e-10 and np.abs(eigenvalues).max() <= 1 + 1e-12
        # And they are the new matrix's: no mode grows (two real ones pulled onto the same -1 or 1 meet,
        # which numerically splits them by about sqrt(rounding), and can leave polynomial growth, never
        # exponential).
        assert np.abs(np.linalg.eigvals(stable)).max() < 1 + 1e-6
        power = [np.linalg.norm(np.linalg.matrix_power(a, k)) for a in (stable, shift) for k in (100, 200)]
        assert power[1] < 8 * power[0] and power[3] > 1e10 * power[2]


def test_explicit_order_and_unpulled_roots_are_options_with_checks():
    x = suite("noisy", n=4).history
    assert forecasters.load("linear", order=20).predict(x, 10).shape == (4, 10)
    with pytest.raises(ValueError, match="order"):
        forecasters.load("linear", order=0)
    textbook = forecasters.load("linear", robust=False)
    assert np.isfinite(textbook.predict(suite("noise-20", n=8).as_float32().history, 50)).all()
    with pytest.raises(ValueError, match="samples of history"):
        forecasters.load("linear", order=50).predict(x[:, :30], 5)


def test_the_validation_blend_survives_errors_of_exactly_zero_and_below_1e_154():
    weights = linear_prediction.inverse_square_weights(
        torch.tensor([[0.0, 0.0, 1e-200, 1e-30], [1e-3, 0.0, 1e-190, 1e-30]], dtype=torch.float64), 0
    )
    assert torch.isfinite(weights).all()
    torch.testing.assert_close(weights.sum(0), torch.ones(4, dtype=torch.float64))
    # exact beats anything; both exact share; 1 / error^2 where both are tiny; equal errors, equal weights
    torch.testing.assert_close(weights[:, 0], torch.tensor([1.0, 0.0], dtype=torch.float64))
    torch.testing.assert_close(weights[:, 1], torch.tensor([0.5, 0.5], dtype=torch.float64))
    torch.testing.assert_close(weights[:, 2], torch.tensor([1.0, 1e-20], dtype=torch.float64))
    torch.testing.assert_close(weights[:, 3], torch.tensor([0.5, 0.5], dtype=torch.float64))


@pytest.mark.parametrize(
    "pattern", [[1.0, -1.0], [1.0, 0.0, -1.0, 0.0], [1.0] * 4 + [-1.0] * 4], ids=["alternating", "period-4", "square-8"]
)
def test_fft_gru_continues_exactly_periodic_windows(pattern):
    # One of its quick fits forecasts such a window's end with error exactly 0; the blend's 1 / error^2 was
    # then infinite, its weights NaN, and the forecast fell back to the lookback's mean: flat.
    x = np.tile(pattern, 110 // len(pattern) + 1)[:110]
    forecast = forecasters.load("fft_gru").predict(x[None, :100], 10)[0]
    assert ((forecast - x[100:]) ** 2).mean() < 0.01
    assert ((x[99] - x[100:]) ** 2).mean() >= 0.5  # where repeating the last value is far off


def test_every_forecaster_is_finite_and_bounded_on_hostile_input():
    rng = np.random.default_rng(3)
    hostile = np.stack(
        [
            np.cumsum(rng.standard_normal(100)),  # random walk
            np.exp(np.linspace(0, 20, 100)),  # exponential growth
            np.r_[np.zeros(99), 1.0],  # a single spike at the end
            1e12 * np.sin(np.arange(100)),  # huge units
            rng.standard_normal(100) * 1e-12,  # tiny units
            np.where(np.arange(100) % 2 == 0, 1.0, -1.0),  # Nyquist
        ]
    ).astype(np.float32)
    for name in forecasters.available():
        forecast = forecasters.load(name).predict(hostile, 50)
        assert np.isfinite(forecast).all(), name
        z = (forecast - hostile.mean(1, keepdims=True)) / np.abs(hostile - hostile.mean(1, keepdims=True)).max(1)[
            :, None
        ]
        assert np.abs(z).max() <= 3.0 + 1e-3, name  # never past BOUND times the lookback's own range


def test_the_walk_and_noise_range_options_of_the_generator():
    spec = SignalSpec(components=(1, 4), periods=(2, 100), integer_periods=False, noise=(0.0, 0.2), walk=1.0)
    x = generate(spec, 64, seed=1)
    assert torch.isfinite(x).all() and torch.allclose(x.abs().amax(1), torch.ones(64))
    assert not torch.equal(
        x, generate(SignalSpec(components=(1, 4), periods=(2, 100), integer_periods=False), 64, seed=1)
    )
    base = SignalSpec(components=(3, 6))
    np.testing.assert_array_equal(  # adding options later must not change what old seeds draw
        generate(base, 4, seed=5).numpy(), generate(SignalSpec(components=(3, 6), walk=0.0), 4, seed=5).numpy()
    )
    with pytest.raises(ValueError, match="noise"):
        SignalSpec(noise=(0.2, 0.1))
    with pytest.raises(ValueError, match="modulation"):
        SignalSpec(modulation=1.5)


def test_robustness_table_marks_the_best_and_what_loses_to_naive():
    models = {n: forecasters.load(n) for n in ("naive", "fft", "linear")}
    results = robustness(models, ["final", "sunspots"], n=32)
    table = robustness_table(results)
    assert table.count("**") == 4  # one best per suite column
    fft_row = next(line for line in table.splitlines() if line.startswith("| `fft`"))
    assert "\\*" in fft_row  # the DFT's extension loses to repeating the last value on `final`


def test_ratios_read_as_words():
    from core.evaluation import readable_ratio

    assert readable_ratio(0.05) == "20x better" and readable_ratio(2.11) == "2.1x worse"
    assert readable_ratio(1.5e-12) == "~10¹²x better" and readable_ratio(1.56e10) == "~10¹⁰x worse"
    assert readable_ratio(1.0) == "about the same" and readable_ratio(float("nan")) == "-"


def test_dft_explorer_shows_the_fit_finding_period_20_from_110_samples():
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py"), default_timeout=120)
    at.query_params.update({"dft_n": "110"})
    at.run()
    at.switch_page("views/dft_explorer.py").run()
    assert not at.exception, [e.message for e in at.exception]
    table = next(df.value for df in at.dataframe if "fitted sines: period" in df.value.columns)
    assert table["fitted sines: period"].iloc[0] == "20"  # the DFT's bins say 18.3 and 22
    assert table["strongest DFT bins: period N/k"].iloc[0] in {"18.3333", "22"}


def test_one_sine_obeys_the_two_term_recurrence_the_arena_states():
    omega = 2 * np.pi / 13.7
    t = np.arange(200)
    x = np.cos(omega * t + 0.4)
    np.testing.assert_allclose(x[2:], 2 * np.cos(omega) * x[1:-1] - x[:-2], atol=1e-12)
    # The fit centres the lookback first (its mean becomes a constant: a pole at 1); spare poles sit inside.
    roots = linear_prediction.fit(x[:100], order=6).roots[0]
    for pole in (np.exp(1j * omega), np.exp(-1j * omega), 1.0):
        assert np.abs(roots - pole).min() < 1e-8
    assert np.sort(np.abs(roots))[:3].max() < 0.9


# Trends with little cycle on them: the single linear layer, one fixed map for the whole world, forecasts
# them worse than repeating the last value (README: a map that wins there is no better than naive
# anywhere else). This list may only shrink.
KNOWN_LOSSES = {("linear_net", "trends")}


def test_every_default_network_beats_repeating_the_last_value_on_every_suite():
    """The shipped defaults, trained on the broad mixture, on suites they were not tuned on (float32 input)."""
    models = {name: forecasters.load(name) for name in ("naive", *forecasters.NEURAL)}
    results = robustness(models, SUITES, n=256)
    for suite_name, per_model in results.items():
        for name in forecasters.NEURAL:
            if (name, suite_name) not in KNOWN_LOSSES:
                assert per_model[name].mse < per_model["naive"].mse, (name, suite_name)
            # No row runs off: MSE 4 on a signal scaled to peak 1 (repeating the last value reaches 3.4 on
            # a square wave; the networks' worst, linear_net's, 3.2 on one).
            assert per_model[name].per_signal.max() < 4.0, (name, suite_name)
    assert results["trends"]["fft_gru"].mse < 0.5 * results["trends"]["naive"].mse  # the hybrid holds there


def test_shape_suites_are_what_they_say():
    length = 400
    trends, walks, waves = (shape_series(name, 300, length, seed=3) for name in SHAPES)
    # Trends: smooth at the scale of a season; a quadratic fit leaves little more than season and noise.
    t = np.linspace(-1, 1, length)
    residual = trends - np.polynomial.polynomial.polyval(t, np.polynomial.polynomial.polyfit(t, trends.T, 2))
    assert np.median(residual.std(1) / trends.std(1)) < 0.4
    # Walks and AR processes: each step's innovation has unit variance, so differences are O(1).
    assert 0.8 < np.median(np.diff(walks, axis=1).std(1)) < 2.5
    # Waveforms repeat: bounded within a small margin of [-1, 1].
    assert np.abs(waves).max() < 1.1
    np.testing.assert_array_equal(shape_series("walks", 5, 50, seed=1), shape_series("walks", 5, 50, seed=1))
    with pytest.raises(ValueError, match="shape suite"):
        shape_series("spirals", 5, 50, seed=1)


def test_the_specialists_are_good_at_home_and_lose_to_naive_away_from_it():
    """Lesson 10, on the same architecture trained narrowly and broadly (the shipped fft_gru is a hybrid
    that also beats its specialist at home, so the plain networks carry the lesson)."""
    names = ("naive", "lstm", "lstm-final", "seq2seq", "seq2seq-final", "fft_gru", "fft_gru-final")
    results = robustness({name: forecasters.load(name) for name in names}, ["final", "noise-5", "sunspots"], n=128)
    for broad in ("lstm", "seq2seq"):
        assert results["final"][f"{broad}-final"].mse < results["final"][broad].mse / 2  # at home: the specialist
        for away in ("noise-5", "sunspots"):
            assert results[away][f"{broad}-final"].mse > results[away]["naive"].mse > results[away][broad].mse
    for away in ("noise-5", "sunspots"):
        assert results[away]["fft_gru-final"].mse > results[away]["naive"].mse > results[away]["fft_gru"].mse


def test_any_units_and_no_complex_input():
    x = suite("sunspots", n=4).history
    for name in ("linear", "fft_gru", "lstm", "esprit"):
        f = forecasters.load(name)
        base = f.predict(x, 10)
        for factor in (1e-300, 1e300):  # the float32 cast of such units would vanish or overflow
            np.testing.assert_allclose(f.predict(x * factor, 10) / factor, base, rtol=1e-4, atol=1e-4)
        with pytest.raises(ValueError, match="complex"):
            f.predict(x + 1j, 10)


@pytest.mark.parametrize("name", ["naive", "fft", "linear", "esprit"])
def test_short_lookbacks_forecast_finite_values(name):
    f = forecasters.load(name)
    rng = np.random.default_rng(0)
    for n in range(f.minimum_length, 16):
        assert np.isfinite(f.predict(rng.standard_normal((3, n)), 7)).all(), n


def test_a_network_reads_at_most_the_lookback_it_was_trained_on():
    spec = SignalSpec(components=(2, 6), periods=(2, 100), integer_periods=False, noise=0.02, length=410)
    x = generate(spec, 48, seed=400).numpy()
    history, future = x[:, :400], x[:, 400:]
    lstm = forecasters.load("lstm")
    forecast = lstm.predict(history, 10)
    np.testing.assert_array_equal(forecast, lstm.predict(history[:, -100:], 10))
    assert ((forecast - future) ** 2).mean() < ((history[:, -1:] - future) ** 2).mean()
    teacher = lstm.predict_teacher_forced(history, future)
    np.testing.assert_array_equal(teacher, lstm.predict_teacher_forced(history[:, -100:], future))
