"""How good a frame forecast is: pixels (MSE), structure (SSIM) and where it put the object.

Why three: MSE rewards a blurred blob over a sharp one a pixel off, and a blank frame scores well when the
object is small (one pixel of 9,600). SSIM (scikit-image's, not a re-implementation) weighs structure; the
position error asks the question a person asks: is the object where it will be?
"""

from __future__ import annotations

import math

import numpy as np
import torch

from core.frames.data import FrameSpec


def frame_mse(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """[B, T, H, W] twice -> [B, T] mean squared error of every frame."""
    return ((np.asarray(prediction, np.float64) - np.asarray(target, np.float64)) ** 2).mean((-2, -1))


def ssim(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """[B, T, H, W] twice -> [B] SSIM (``skimage.metrics.structural_similarity``, data range 1, 7x7 windows)
    averaged over each sequence's frames. Identical frames score 1."""
    from skimage.metrics import structural_similarity

    prediction, target = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    if prediction.shape != target.shape or prediction.ndim != 4:
        raise ValueError(f"ssim needs two [B, T, H, W] arrays of one shape, got {prediction.shape}, {target.shape}")
    return np.array(
        [
            structural_similarity(t.transpose(1, 2, 0), p.transpose(1, 2, 0), data_range=1.0, channel_axis=-1)
            for p, t in zip(prediction, target, strict=True)
        ]
    )


def ssim_per_frame(prediction: np.ndarray, target: np.ndarray, win_size: int = 7) -> np.ndarray:
    """[B, T, H, W] twice -> [B, T] SSIM of every frame, for error-by-lead-time curves.

    One scikit-image call per sequence with the frames as channels and ``full=True``: the SSIM map of each
    channel, cropped by half a window as scikit-image crops its own mean, is that frame's SSIM (equal to a
    call per frame, tested) at a tenth of the calls.
    """
    from skimage.metrics import structural_similarity

    prediction, target = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    if prediction.shape != target.shape or prediction.ndim != 4:
        raise ValueError(f"ssim needs two [B, T, H, W] arrays of one shape, got {prediction.shape}, {target.shape}")
    pad = (win_size - 1) // 2
    out = []
    for p, t in zip(prediction, target, strict=True):
        _, full = structural_similarity(
            t.transpose(1, 2, 0), p.transpose(1, 2, 0), data_range=1.0, channel_axis=-1, win_size=win_size, full=True
        )
        out.append(full[pad:-pad, pad:-pad].mean((0, 1)))
    return np.array(out)


def locate_prediction(frames: np.ndarray, spec: FrameSpec) -> np.ndarray:
    """[B, T, H, W] -> [B, T, 2] (row, col): where a forecast puts the object.

    One-pixel objects: the brightest pixel. Blobs and digits: the intensity centroid (negative values
    ignored) within 3 sigmas (blob) or 6 pixels (digit) of the brightest pixel, so faint haze elsewhere in
    a network's output does not drag it to the middle. An all-empty frame counts as pointing at the centre.
    """
    x = torch.as_tensor(np.asarray(frames, np.float64))
    b, t, h, w = x.shape
    flat = x.flatten(-2)
    peak = flat.argmax(-1)
    peak_r, peak_c = (peak // w).double(), (peak % w).double()
    empty = flat.amax(-1) <= 0
    centre_r = torch.full_like(peak_r, (h - 1) / 2)
    centre_c = torch.full_like(peak_c, (w - 1) / 2)
    if spec.render == "pixel":
        r, c = peak_r, peak_c
    else:
        radius = math.ceil(3 * spec.sigma) if spec.render == "blob" else 6
        rows = torch.arange(h, dtype=torch.float64)
        cols = torch.arange(w, dtype=torch.float64)
        near = ((rows[:, None] - peak_r[..., None, None]).abs() <= radius) & (
            (cols[None, :] - peak_c[..., None, None]).abs() <= radius
        )
        weights = x.clamp_min(0.0) * near
        mass = weights.sum((-2, -1)).clamp_min(1e-300)
        r = (weights.sum(-1) * rows).sum(-1) / mass
        c = (weights.sum(-2) * cols).sum(-1) / mass
    r = torch.where(empty, centre_r, r)
    c = torch.where(empty, centre_c, c)
    return torch.stack([r, c], -1).numpy()


def diagonal(spec: FrameSpec) -> float:
    return math.hypot(spec.height, spec.width)


def position_error(prediction: np.ndarray, positions: np.ndarray, spec: FrameSpec) -> np.ndarray:
    """[B, T, H, W] forecast and the true [B, T, 2] positions -> [B, T] distance over the image diagonal."""
    where = locate_prediction(prediction, spec)
    return np.linalg.norm(where - np.asarray(positions, np.float64), axis=-1) / diagonal(spec)


def summary(values: np.ndarray) -> dict:
    """Mean, 95th percentile and maximum of every value given."""
    values = np.asarray(values, np.float64).ravel()
    return {"mean": float(values.mean()), "p95": float(np.percentile(values, 95)), "max": float(values.max())}


def score(prediction: np.ndarray, target: np.ndarray, positions: np.ndarray, spec: FrameSpec) -> dict:
    """Every metric of one forecast: mse and ssim (means), position error (fraction of the diagonal) stats."""
    return {
        "mse": float(frame_mse(prediction, target).mean()),
        "ssim": float(ssim(prediction, target).mean()),
        "position": summary(position_error(prediction, positions, spec)),
    }
