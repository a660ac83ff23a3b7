"""core.spectral: the facts of README lessons 1-4, checked against numpy and against the maths."""

import numpy as np
import pytest

from core import spectral
from core.signals import SignalSpec, generate


def tone(n: int, period: float, amplitude: float = 0.7, phase: float = 1.1, extra: int = 0) -> np.ndarray:
    t = np.arange(n + extra)
    return amplitude * np.cos(2 * np.pi * t / period + phase)


def test_integer_cycle_tone_recovered_exactly():
    h = spectral.harmonics(tone(100, 20))
    k = int(np.argmax(h.amplitude))
    assert h.period[k] == pytest.approx(20)
    assert h.frequency[k] == pytest.approx(0.05)
    assert h.amplitude[k] == pytest.approx(0.7, abs=1e-12)
    assert h.phase[k] == pytest.approx(1.1, abs=1e-12)
    others = np.delete(h.amplitude, k)
    assert others.max() < 1e-12


def test_integer_cycle_tone_extended_with_no_error():
    x = tone(100, 20, extra=50)
    forecast = spectral.extend(x[:100], 50)
    assert np.abs(forecast - x[100:]).max() < 1e-12


def test_non_integer_cycles_leak_and_extension_fails():
    x = tone(110, 20, extra=50)  # 5.5 cycles in the window
    h = spectral.harmonics(x[:110])
    assert (h.amplitude > 0.01).sum() > 5  # energy spread over many bins
    assert spectral.leakage_share(x[:110], [20]) > 0.3
    assert spectral.leakage_share(x[:100], [20]) < 1e-20
    forecast = spectral.extend(x[:110], 50)
    assert np.allclose(forecast, x[:50])  # the "forecast" is the start of the window again: the seam
    assert np.abs(forecast - x[110:]).max() > 1.0  # and it is wrong


def test_reconstruction_reproduces_window_for_even_and_odd_n():
    rng = np.random.default_rng(0)
    for n in (64, 65, 100, 101):
        x = rng.normal(size=n)
        h = spectral.harmonics(x)
        assert len(h.frequency) == n // 2 + 1
        assert np.allclose(spectral.reconstruct(h, np.arange(n)), x, atol=1e-12)
        assert np.allclose(spectral.reconstruct(h, np.arange(n, 2 * n)), x, atol=1e-10)


def test_dc_and_nyquist_are_not_doubled():
    n = 8
    t = np.arange(n)
    x = 0.3 + 0.5 * np.cos(np.pi * t)  # DC plus the Nyquist tone (period 2)
    h = spectral.harmonics(x)
    assert h.amplitude[0] == pytest.approx(0.3)
    assert h.amplitude[-1] == pytest.approx(0.5)
    assert h.period[-1] == pytest.approx(2)
    # N odd has no Nyquist bin: the last bin is a normal, doubled one.
    x = 0.4 * np.cos(2 * np.pi * 3 * np.arange(7) / 7)
    h = spectral.harmonics(x)
    assert h.amplitude[-1] == pytest.approx(0.4)


def test_matches_a_direct_dft_sum():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 37))
    n = x.shape[-1]
    k = np.arange(n // 2 + 1)
    direct = x @ np.exp(-2j * np.pi * np.outer(np.arange(n), k) / n)  # textbook DFT, O(n^2)
    h = spectral.harmonics(x)
    scale = np.where(k == 0, 1.0, 2.0)
    assert np.allclose(h.amplitude, np.abs(direct) / n * scale)
    assert np.allclose(np.cos(h.phase), np.cos(np.angle(direct)))


def test_windows_correct_amplitude_and_hamming_lowers_far_leakage():
    x = tone(128, 128 / 10.0)  # exactly 10 cycles
    for name in spectral.WINDOWS:
        h = spectral.harmonics(x, window=name)
        assert h.amplitude.max() == pytest.approx(0.7, rel=1e-4), name  # kaiser leaks ~1e-5
    leaky = tone(128, 128 / 10.5)  # half-way between bins
    rect = spectral.harmonics(leaky).amplitude
    ham = spectral.harmonics(leaky, window="hamming").amplitude
    far = np.abs(np.arange(len(rect)) - 10.5) > 6
    assert ham[far].max() < rect[far].max() / 5  # the worst far sidelobe drops by > 14 dB
    assert (ham[far] ** 2).sum() < (rect[far] ** 2).sum() / 50  # far leaked energy by > 17 dB
    # ...but the main peak is wider: a tone right on bin 10 fills 1 bin unwindowed, 3 bins with Hamming.
    assert (spectral.harmonics(x).amplitude > 0.01).sum() == 1
    assert (spectral.harmonics(x, window="hamming").amplitude > 0.01).sum() == 3


def test_window_metrics_match_harris_1978():
    for name, ref in spectral.HARRIS_1978.items():
        m = spectral.window_metrics(name)
        assert m["peak_sidelobe_db"] == pytest.approx(ref["peak_sidelobe_db"], abs=1.0), name
        assert m["scalloping_loss_db"] == pytest.approx(ref["scalloping_loss_db"], abs=0.05), name
        assert m["enbw_bins"] == pytest.approx(ref["enbw_bins"], abs=0.02), name
        assert m["coherent_gain"] == pytest.approx(ref["coherent_gain"], abs=0.01), name


def test_zero_padding_peaks_at_the_true_frequency():
    x = tone(110, 20)
    freq, amp = spectral.spectrum(x, pad_factor=16)
    assert freq[np.argmax(amp)] == pytest.approx(0.05, abs=1 / (16 * 110))
    assert amp.max() == pytest.approx(0.7, rel=0.02)


def test_cycles_in_window():
    cycles, whole = spectral.cycles_in_window([20, 22, 25.0, 30], 110)
    assert np.allclose(cycles, [5.5, 5, 4.4, 110 / 30])
    assert whole.tolist() == [False, True, False, False]


def test_top_k_keeps_the_largest_harmonics():
    x = tone(100, 20) + 0.1 * tone(100, 10, phase=0.0)
    only_big = spectral.extend(x, 20, top_k=1)
    assert np.allclose(only_big, tone(100, 20, extra=20)[100:])


def test_dft_extension_is_worse_than_repeating_the_last_value_on_random_sums():
    """README lessons 3, on the `final` suite's kind of signal (measured with numpy: 0.411 vs 0.189)."""
    x = generate(SignalSpec(components=(3, 44), periods=(10, 99)), 400, seed=5).double().numpy()
    history, future = x[:, :100], x[:, 100:]
    dft = np.mean((spectral.extend(history, 10) - future) ** 2)
    repeat = np.mean((history[:, -1:] - future) ** 2)
    assert dft > 1.5 * repeat


@pytest.mark.parametrize("bad", [np.array([]), np.array([1.0, np.nan, 2.0])])
def test_bad_input_raises_clear_errors(bad):
    with pytest.raises(ValueError, match="empty|NaN"):
        spectral.harmonics(bad)
    with pytest.raises(ValueError, match="unknown window"):
        spectral.window("triangle-ish", 10)
