"""The other shapes (``core.shapes``): seeded, finite, any length, each kind on a stream of its own."""

import numpy as np
import pytest

from core import shapes


@pytest.mark.parametrize("kind", list(shapes.KINDS))
def test_every_shape_is_seeded_and_finite_at_any_length(kind):
    for length in (2, 110, 1000):
        x = shapes.draw(kind, 4, length, seed=3)
        assert x.shape == (4, length) and x.dtype == np.float64 and np.isfinite(x).all()
    assert np.array_equal(shapes.draw(kind, 4, 110, seed=3), shapes.draw(kind, 4, 110, seed=3))
    assert not np.array_equal(shapes.draw(kind, 4, 110, seed=3), shapes.draw(kind, 4, 110, seed=4))
    assert np.ptp(shapes.draw(kind, 4, 110, seed=3), axis=1).min() > 0  # none is flat


def test_the_breaks_are_where_the_shapes_say():
    """A level shift is flat (up to its noise) before and after one jump; a kink is two straight lines."""
    steps = np.abs(np.diff(shapes.draw("level shift, 5% noise", 200, 110, seed=1), axis=1))
    clear = steps.max(1) > 0.6  # a jump well above the noise (its size is drawn from U[-1, 1])
    assert clear.sum() > 50
    jump = steps[clear].argmax(1)
    assert 19 <= jump.min() and jump.max() <= 95  # between 18 % and 86 % of the way
    kink = shapes.draw("kinked line, 2% noise", 1, 110, seed=1)[0]
    assert np.abs(np.diff(kink, 2)).max() < 0.2  # noise of 2 % on a line: no jumps


def test_an_unknown_shape_or_size_is_a_clear_error():
    with pytest.raises(ValueError, match="kinked line"):
        shapes.draw("squiggle")
    with pytest.raises(ValueError, match="length"):
        shapes.draw("white noise", 1, 1)


def test_a_shape_suite_is_the_drawn_series_scaled_by_its_lookback():
    from core import evaluation, forecasters

    data = evaluation.shape_suite("kinked line, 2% noise", n=8, seed=5)
    raw = shapes.draw("kinked line, 2% noise", 8, 110, seed=5)
    assert data.history.shape == (8, 100) and data.future.shape == (8, 10)
    np.testing.assert_allclose(data.history.mean(1), 0, atol=1e-12)
    np.testing.assert_allclose(np.abs(data.history).max(1), 1)
    # The same affine map per row, from the lookback alone: the future is scaled like its lookback.
    whole = np.concatenate([data.history, data.future], 1)
    slope = np.ptp(whole, 1) / np.ptp(raw, 1)
    np.testing.assert_allclose(whole, (raw - raw[:, :100].mean(1, keepdims=True)) * slope[:, None], atol=1e-9)
    results = evaluation.robustness(
        {"naive": forecasters.load("naive")}, ["white noise"], n=16, make=evaluation.shape_suite
    )
    noise = evaluation.shape_suite("white noise", n=16).as_float32()
    assert results["white noise"]["naive"].mse == np.mean((noise.history[:, -1:] - noise.future) ** 2)
