"""core.signals: the generator every suite and training run depends on."""

import math

import numpy as np
import pytest
import torch

from core import spectral
from core.signals import Components, SignalSpec, generate, synthesize


def test_default_spec_is_the_classic_study():
    x, comps = generate(SignalSpec(), 500, seed=3, return_components=True)
    assert x.shape == (500, 110)
    counts = comps.active.sum(1)
    assert counts.min() >= 3 and counts.max() <= 6 and len(set(counts.tolist())) == 4
    periods = comps.period[comps.active]
    assert periods.min() >= 2 and periods.max() <= 99 and torch.equal(periods, periods.round())
    assert torch.allclose(x.abs().amax(1), torch.ones(500))  # peak-normalised
    # amplitudes summed to 1 before the peak normalisation, so they are proportional to U[0,1) draws
    assert (comps.amplitude[~comps.active] == 0).all()


def test_same_seed_same_signals_and_seeds_differ():
    spec = SignalSpec(components=(3, 44), periods=(10, 99), noise=0.1, modulation=True, trend=0.3)
    a, b = generate(spec, 64, seed=7), generate(spec, 64, seed=7)
    assert torch.equal(a, b)
    assert not torch.allclose(a, generate(spec, 64, seed=8))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_same_signals_on_gpu():
    spec = SignalSpec(components=(3, 44), periods=(10, 99), noise=0.1)
    cpu = generate(spec, 32, seed=1, dtype=torch.float64)
    gpu = generate(spec, 32, seed=1, dtype=torch.float64, device="cuda")
    assert torch.allclose(cpu, gpu.cpu(), atol=1e-9)


WORLD = SignalSpec(
    components=(1, 45),
    periods=(2, 100),
    integer_periods=False,
    modulation=0.5,
    trend=3.0,
    noise=(0.0, 0.2),
    walk=1.0,
    clean_share=0.2,
    effect_share=0.5,
    curves=0.35,
)


def test_drawing_on_the_device_is_the_cpu_draw_on_a_cpu():
    """The training loop draws on its device; on a CPU that must be exactly the documented CPU draw (the
    GPU path is the same code with the generators elsewhere)."""
    for seed in (0, 5, 2**40):
        default = generate(WORLD, 200, seed=seed, return_clean=True, return_components=True)
        here = generate(WORLD, 200, seed=seed, return_clean=True, return_components=True, draw_on="device")
        assert torch.equal(default[0], here[0]) and torch.equal(default[1], here[1])
        assert torch.equal(default[2].period, here[2].period)
    with pytest.raises(ValueError, match="draw_on"):
        generate(WORLD, 2, draw_on="gpu")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_drawing_on_the_gpu_is_reproducible_there():
    a, b = (generate(WORLD, 4096, seed=3, device="cuda", draw_on="device") for _ in range(2))
    assert a.is_cuda and torch.equal(a, b) and torch.isfinite(a).all()
    assert torch.allclose(a.abs().amax(1), torch.ones(4096, device="cuda"))
    assert not torch.equal(a, generate(WORLD, 4096, seed=4, device="cuda", draw_on="device"))


def test_components_resynthesize_the_signal_and_its_future():
    spec = SignalSpec(components=(3, 44), periods=(10, 99))
    x, comps = generate(spec, 16, seed=2, dtype=torch.float64, return_components=True)
    assert torch.allclose(synthesize(comps, 110), x, atol=1e-12)
    longer = generate(SignalSpec(components=(3, 44), periods=(10, 99), length=130), 16, seed=2, dtype=torch.float64)
    # The same seed with a longer length draws the same harmonics; only the peak scale differs, so the
    # components' continuation past sample 110 is the longer signal's tail, rescaled.
    ratio = ((longer[:, :110] * x).sum(1) / (x * x).sum(1)).unsqueeze(1)
    assert torch.allclose(longer[:, :110], ratio * x, atol=1e-12)
    assert torch.allclose(ratio * synthesize(comps, 20, start=110), longer[:, 110:], atol=1e-12)


def test_integer_fast_path_equals_direct_cosines():
    spec = SignalSpec(components=(3, 44), periods=(10, 99))
    x, c = generate(spec, 32, seed=4, dtype=torch.float64, return_components=True)
    t = torch.arange(110, dtype=torch.float64)
    angle = 2 * math.pi * t / c.period.unsqueeze(-1) + c.phase.unsqueeze(-1)
    direct = ((c.amplitude * c.active).unsqueeze(-1) * torch.cos(angle)).sum(1)
    assert torch.allclose(x, direct, atol=1e-12)


def test_non_integer_periods_and_cosine_convention_match_the_dft():
    rows = [{"period": 20.0, "amplitude": 0.5, "phase": 0.9}, {"period": 12.5, "amplitude": 0.25, "phase": 2.0}]
    x = synthesize(Components.from_rows(rows), 100)[0].numpy()
    h = spectral.harmonics(x)
    for row in rows:
        k = int(round(100 / row["period"]))
        assert h.amplitude[k] == pytest.approx(row["amplitude"], abs=1e-12)
        assert h.phase[k] == pytest.approx(row["phase"], abs=1e-12)
    spec = SignalSpec(periods=(2.5, 7.5), integer_periods=False)
    _, comps = generate(spec, 50, seed=0, return_components=True)
    p = comps.period[comps.active]
    assert not torch.equal(p, p.round()) and p.min() >= 2.5 and p.max() <= 7.5


def test_modulation_changes_amplitude_inside_the_window():
    rows = [{"period": 10.0, "amplitude": 1.0, "phase": 0.0, "modulation": 2.0, "apex": 0.5}]
    x = synthesize(Components.from_rows(rows), 201)[0].numpy()
    assert abs(x[0]) == pytest.approx(1.0) and abs(x[100]) == pytest.approx(2.0)  # 1 -> 2 -> 1
    assert abs(x[200]) == pytest.approx(1.0)


def test_noise_and_trend():
    clean = generate(SignalSpec(), 200, seed=9, dtype=torch.float64)
    noisy = generate(SignalSpec(noise=0.1), 200, seed=9, dtype=torch.float64)
    resid = (noisy - clean).numpy()
    assert 0.05 < resid.std() < 0.15
    assert torch.allclose(noisy.abs().amax(1), torch.ones(200, dtype=torch.float64))
    trended = generate(SignalSpec(trend=1.0), 200, seed=9, dtype=torch.float64).numpy()
    slopes = np.polyfit(np.arange(110), trended.T, 1)[0]
    assert np.abs(slopes).mean() > np.abs(np.polyfit(np.arange(110), clean.numpy().T, 1)[0]).mean()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"components": (5, 3)}, "components"),
        ({"periods": (1, 10)}, "periods"),
        ({"periods": (2.2, 2.8)}, "periods"),
        ({"noise": -0.1}, "noise"),
        ({"length": 0}, "length"),
        ({"trend": float("nan")}, "trend"),
        ({"curves": 1.5}, "curves"),
    ],
)
def test_spec_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        SignalSpec(**kwargs)


def test_spec_json_round_trip():
    spec = SignalSpec(components=(3, 44), periods=(10, 99), noise=0.1)
    assert SignalSpec.from_dict(spec.to_dict()) == spec
    with pytest.raises(ValueError, match="unknown"):
        SignalSpec.from_dict({"lenght": 3})


@pytest.mark.parametrize(
    "change",
    [
        {"noise": 0.1},
        {"trend": 1.0},
        {"walk": 0.5},
        {"length": 300},
        {"noise": (0.0, 0.2), "walk": 0.3},
        {"noise": 0.1, "walk": 0.3, "effect_share": 0.5},
    ],
)
def test_an_unrelated_control_keeps_the_seeds_components(change):
    """Moving the noise, trend, walk or length slider must not redraw the harmonics (nor which signals
    are modulated): a student comparing two settings compares the same waves."""
    base = {"components": (2, 8), "periods": (5, 60), "modulation": 0.5, "length": 200, "clean_share": 0.3}
    _, a = generate(SignalSpec(**base), 64, seed=11, return_components=True)
    _, b = generate(SignalSpec(**{**base, **change}), 64, seed=11, return_components=True)
    assert torch.equal(a.active, b.active)
    assert torch.equal(a.period, b.period) and torch.equal(a.phase, b.phase)
    assert torch.equal(a.modulation, b.modulation) and torch.equal(a.apex, b.apex)
    share_a = a.amplitude / a.amplitude.sum(1, keepdim=True)  # noise rescales the peak, not the mix
    share_b = b.amplitude / b.amplitude.sum(1, keepdim=True)
    assert torch.allclose(share_a, share_b, atol=1e-6)


def test_effect_share_draws_noise_walk_and_trend_independently():
    """Below 1, each effect is present on its own share of signals, in every combination: noisy sums
    of harmonics that do not wander are part of the world, not only noisy ones that do."""
    base = {"components": (2, 8), "periods": (5, 60), "length": 120}
    plain = generate(SignalSpec(**base), 400, seed=3, dtype=torch.float64)
    noise = generate(SignalSpec(**base, noise=0.1, effect_share=0.5), 400, seed=3, dtype=torch.float64)
    walk = generate(SignalSpec(**base, walk=0.5, effect_share=0.5), 400, seed=3, dtype=torch.float64)
    both = generate(SignalSpec(**base, noise=0.1, walk=0.5, effect_share=0.5), 400, seed=3, dtype=torch.float64)
    noisy = ~torch.isclose(noise, plain, atol=1e-9).all(1)
    walking = ~torch.isclose(walk, plain, atol=1e-9).all(1)
    assert 0.4 < noisy.double().mean() < 0.6 and 0.4 < walking.double().mean() < 0.6
    # The same draws decide each effect when both are on: every combination occurs, about a quarter each.
    assert torch.allclose(both[~noisy & ~walking], plain[~noisy & ~walking])
    for has_noise in (True, False):
        for has_walk in (True, False):
            share = ((noisy == has_noise) & (walking == has_walk)).double().mean()
            assert 0.15 < share < 0.35, (has_noise, has_walk, share)
    with pytest.raises(ValueError, match="effect_share"):
        SignalSpec(effect_share=1.5)


def test_curves_are_smooth_trends_with_a_small_cycle_on_their_own_share():
    """A curved signal is its curve (peak ~1) plus the seed's first harmonic, a small season: the
    rest of the batch is untouched, and the components still rebuild the harmonics alone, so what is
    left is the curve, smooth where harmonics of period 5..60 are not."""
    base = {"components": (2, 8), "periods": (5, 60), "length": 120, "clean_share": 0.2}
    plain, a = generate(SignalSpec(**base), 2000, seed=4, dtype=torch.float64, return_components=True)
    x, b = generate(SignalSpec(**base, curves=0.5), 2000, seed=4, dtype=torch.float64, return_components=True)
    curved = ~torch.isclose(x, plain, atol=1e-9).all(1)
    assert 0.3 < curved.double().mean() < 0.5  # half of the 80% that are not clean
    assert torch.allclose(x[~curved], plain[~curved], atol=1e-12, rtol=0)
    assert torch.equal(a.period, b.period) and torch.equal(a.phase, b.phase)
    assert (b.active[curved].sum(1) == 1).all() and torch.equal(b.active[~curved], a.active[~curved])  # a season
    trend = (x - synthesize(b, 120))[curved]
    assert trend.diff(n=2).abs().amax() < 0.01 and trend.abs().amax(1).min() > 0.5
    cycle = b.amplitude.sum(1)[curved] / a.amplitude.sum(1)[curved]  # the harmonics' size on the curve
    assert (cycle > 0).all() and cycle.amax() < 1 and cycle.median() < 0.35
    assert torch.allclose(x.abs().amax(1), torch.ones(2000, dtype=torch.float64))


def test_return_clean_is_the_same_signal_before_its_noise_in_the_same_units():
    spec = SignalSpec(components=(2, 8), periods=(5, 60), trend=1.0, walk=0.5)
    plain = generate(spec, 32, seed=5, dtype=torch.float64)
    noisy_spec = SignalSpec(**{**spec.to_dict(), "noise": 0.1})
    noisy, clean = generate(noisy_spec, 32, seed=5, dtype=torch.float64, return_clean=True)
    ratio = clean / plain  # one positive factor per row: the noisy signal's peak normalisation
    assert torch.allclose(ratio, ratio[:, :1].expand_as(ratio), rtol=1e-9) and (ratio > 0).all()
    assert noisy.abs().amax(1).sub(1).abs().max() < 1e-12  # the noisy signal is the one normalised to peak 1
    assert 0.05 < (noisy - clean).std() < 0.1
