"""Glitches in the lookback: found, repaired, and kept apart from pulses that are part of the signal."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from core import forecasters, glitches, linear_prediction, sinusoids
from core.evaluation import SUITES, suite
from core.linear_prediction import normalise


def harmonics(length: int = 110, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    periods, phases = rng.uniform(6, 60, 4), rng.uniform(0, 2 * np.pi, 4)
    return sum(a * np.cos(2 * np.pi * t / p + f) for a, p, f in zip([1.0, 0.7, 0.5, 0.3], periods, phases))


def test_a_spike_is_found_and_no_suite_lookback_has_one():
    x = harmonics()[:100]
    x[40] += 5 * np.abs(x).max()
    assert np.flatnonzero(glitches.find(normalise(x[None])[0])[0]).tolist() == [40]
    for name in SUITES:
        z = normalise(suite(name, n=64, seed=5).as_float32().history)[0]
        assert not glitches.find(z).any(), name


def test_repair_fills_a_missing_sample_of_a_clean_sum_from_the_recurrence():
    x = harmonics()[None, :100]
    broken, mask = x.copy(), np.zeros(x.shape, dtype=bool)
    broken[0, 57], mask[0, 57] = 9.0, True
    assert abs(glitches.repair(broken, mask)[0, 57] - x[0, 57]) < 1e-6


@pytest.mark.parametrize("name", ["linear", "esprit"])
@pytest.mark.parametrize("at", [20, 60, 93], ids=["early", "middle", "inside-the-checks"])
def test_a_spike_in_the_lookback_no_longer_echoes_into_the_forecast(name, at):
    # A glitch at 93 sits inside both self-validation windows (samples 85..99), so only the check
    # after the glitch can tell the readings apart.
    x = harmonics(seed=at)
    history = x[:100].copy()
    history[at] += 5 * np.abs(x).max()
    forecast = forecasters.load(name).predict(history.astype(np.float32), 10)[0]
    naive = ((history[-1] - x[100:]) ** 2).mean()
    assert ((forecast - x[100:]) ** 2).mean() < 1e-3 * naive


@pytest.mark.parametrize("name", ["linear", "esprit"])
def test_a_train_of_pulses_is_signal_not_glitches(name):
    # Pulses every 25 samples look like glitches one by one; the checks see that they recur.
    t = np.arange(110)
    x = (t % 25 == 5).astype(float) + 0.3 * np.cos(2 * np.pi * t / 13)
    assert glitches.find(normalise(x[None, :100])[0]).sum() == 4
    plain = {"linear": glitches.linear, "esprit": sinusoids.forecast}[name]
    assert glitches.robust(x[None, :100], 10, plain)[2][0] < 1e-6  # the repaired reading's share
    assert ((forecasters.load(name).predict(x[:100], 10)[0] - x[100:]) ** 2).mean() < 1e-8  # pulse at 105


def test_networks_take_linear_predictions_reading_and_rows_without_glitches_are_untouched():
    x = harmonics(seed=4)
    spiked = x[:100].copy()
    spiked[55] += 5 * np.abs(x).max()
    model = forecasters.load("fft_gru")
    rows = np.stack([spiked, x[:100]]).astype(np.float32)
    both = model.predict(rows, 10)
    # The repaired lookback is the clean one to ~1e-6, so the spiked row forecasts as the clean row does.
    assert np.abs(both[0] - both[1]).max() < 1e-3 * np.abs(x).max()
    raw = model._run(lambda h: model.model(h, 10), rows.astype(np.float64))
    np.testing.assert_array_equal(both[1], raw[1])
    assert np.abs(both[0] - raw[0]).max() > 0.1  # and the spiked row was not


def test_a_pulse_among_the_last_two_samples_leaves_the_earlier_ones_alone():
    # The newest samples cannot be judged; if one of them looks like a glitch, the earlier look-alikes
    # are probably signal too, and a reading that repaired only those would keep the newest pulse alone.
    t = np.arange(100)
    x = (t % 50 == 48) + 0.3 * np.cos(2 * np.pi * t / 13)
    assert not glitches.find(normalise(x[None])[0]).any()
    x[98] = x[97]  # without the pulse at 98, the one at 48 is a candidate
    assert np.flatnonzero(glitches.find(normalise(x[None])[0])[0]).tolist() == [48]


def test_a_burst_just_before_the_end_is_found_and_repaired():
    # Judged against the burst itself, the clean last two samples would seem to stand out, and the
    # burst was left in: they are judged against the newest samples that are not candidates.
    x = harmonics(seed=9)
    history = x[:100].copy()
    history[95:98] += 5 * np.abs(x).max()
    assert np.flatnonzero(glitches.find(normalise(history[None])[0])[0]).tolist() == [95, 96, 97]
    forecast = forecasters.load("linear").predict(history, 10)[0]
    assert ((forecast - x[100:]) ** 2).mean() < 1e-3 * ((history[-1] - x[100:]) ** 2).mean()


def test_one_reading_that_forecasts_exactly_does_not_overflow_the_weights():
    # Zeros and one count: the repaired reading (all zeros) forecasts every check exactly, the raw one
    # does not, and their errors differ by more than e^709 over the three checks, which overflowed.
    x = np.zeros(110)
    x[50] = 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, mask, weight = glitches.robust(x[None, :100], 10)
        forecast = forecasters.load("linear").predict(x[:100], 10)
    assert mask[0, 50] and weight[0] == 1.0
    assert np.abs(forecast).max() < 1e-12


def test_intermittent_counts_are_read_no_worse_than_as_they_are():
    # Mostly zeros with a few counts: most rows have candidates; the repaired reading may not lose here.
    rng = np.random.default_rng(3)
    x = (rng.random((64, 110)) < 0.3) * rng.integers(1, 6, (64, 110)).astype(float)
    forecast = forecasters.load("linear").predict(x[:, :100], 10)
    plain = linear_prediction.forecast(x[:, :100], 10)[0]
    assert ((forecast - x[:, 100:]) ** 2).mean() <= 1.01 * ((plain - x[:, 100:]) ** 2).mean()


def test_a_level_shift_is_found_and_no_synthetic_or_shape_suite_lookback_has_one():
    rng = np.random.default_rng(4)
    x = 0.3 * np.cos(2 * np.pi * np.arange(100) / 41) + 0.05 * rng.standard_normal(100)
    x[62:] += 1.2
    at, jump = glitches.find_level_shift(normalise(x[None])[0])
    assert at.tolist() == [62]
    assert abs(jump[0] * normalise(x[None])[2][0, 0] - 1.2) < 0.15
    spike = x.copy()
    spike[62:] -= 1.2
    spike[62] += 3.0  # one sample up and back down: a glitch, not a shift
    assert glitches.find_level_shift(normalise(spike[None])[0])[0].tolist() == [-1]
    t = np.arange(100)
    square = np.where((t // 20) % 2 == 0, 1.0, -1.0)  # its edges recur: none of them is a shift
    assert glitches.find_level_shift(square[None])[0].tolist() == [-1]
    # Sums of harmonics, noisy or not, real windows (sunspots' steep rises too), trends, walks, waveforms.
    for name in SUITES:
        z = normalise(suite(name, n=256).as_float32().history)[0]
        assert (glitches.find_level_shift(z)[0] < 0).all(), name


def test_a_level_shift_in_the_lookback_is_undone_and_the_checks_choose_that_reading():
    from core import evaluation

    data = evaluation.shape_suite("level shift, 5% noise", n=300, seed=11).as_float32()
    z = normalise(data.history)[0]
    found = glitches.find_level_shift(z)[0] >= 0
    assert found.mean() > 0.4  # the jumps are drawn from U(-1, 1): the small ones stay in the noise
    at = glitches.find_level_shift(z)[0][found]
    left = np.abs(np.diff(glitches.mend(z)[0][found], axis=1))[np.arange(len(at)), at - 1]
    noise = 1.4826 * np.median(np.abs(np.diff(z[found], axis=1)), 1)  # a robust std of the row's steps
    # Found, the step stood out by 6 such deviations; undone, what is left is typically the noise's own
    # step, and nowhere enough to be found again.
    assert np.median(left / noise) < 1.5 and (left < glitches.SHIFT_DEVIATIONS * noise).all()
    naive = ((data.history[:, -1:] - data.future) ** 2).mean(1)
    plain = ((glitches.linear(data.history, 10) - data.future) ** 2).mean(1)
    read = ((forecasters.load("linear").predict(data.history, 10) - data.future) ** 2).mean(1)
    untouched = ~found & ~glitches.find(z).any(1)
    np.testing.assert_allclose(read[untouched], plain[untouched], rtol=1e-9)  # nothing found: as before
    # Read as signal, the step rings through the fit: on the rows with a shift, 4x worse than repeating
    # the last value. Undone, a quarter of that: about as good as repeating the last value.
    assert plain[found].mean() > 3 * naive[found].mean()
    assert read[found].mean() < 0.3 * plain[found].mean() and read[found].mean() < 1.1 * naive[found].mean()
