"""``python -m core.frames.evaluate``: every frames forecaster scored per law and DOF on fresh sequences.

``[--preset P|all] [--n N] [--seed S] [--models a,b] [--noise L,...] [--json FILE] [--readme FILE]``.

Every model that works on the preset (the shipped networks trained on it, and the baselines) on fresh
sequences of every law and every number of degrees of freedom, ``N`` of each: MSE, SSIM and the position
error (distance from where the forecast puts the object to where it is, over the image diagonal) as mean,
95th percentile and maximum. Prints markdown tables; ``--json`` writes the same figures; ``--readme``
rewrites the block between ``<!-- frames:start -->`` and ``<!-- frames:end -->`` in that file if it has
one. The default seed is far from every training seed (steps draw small derived seeds, validation 1e9+).

Robustness (``--noise 0,0.05,0.1``): the same sequences (same seeds, so the comparison is paired) with
Gaussian noise of each standard deviation added to the input frames (clipped to [0, 1]; targets clean), as
no network trained noise-free has seen. The first level gets the full table; with more than one level a
table "off the training distribution" follows: each model's mean position error and MSE at every level,
and the noise its training data had. ``--json`` then also holds every level's full figures (``by_noise``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from core import frames
from core.cli import replace_block, whole_number
from core.frames import metrics
from core.frames.data import LAWS, MAX_DOF, MAX_NOISE, PRESETS, generate, preset
from core.runtime import configure_threads

START, END = "<!-- frames:start -->", "<!-- frames:end -->"
EVAL_SEED = 7 * 10**12
DEFAULT_PRESETS = ("blob32", "thesis")


def evaluate_preset(name: str, predictors: dict, n: int, seed: int, noise: float = 0.0) -> dict:
    """{law: {dof: {model: {"mse", "ssim", "position": {"mean", "p95", "max"}, "seconds"}}}} on ``n``
    sequences per law and DOF, each combination with its own seed derived from ``seed`` (not from
    ``noise``: every noise level sees the same paths), input frames with Gaussian noise of std ``noise``."""
    spec = PRESETS[name]
    results: dict = {}
    for law in spec.laws:
        for dof in range(1, MAX_DOF[law] + 1):
            combo = preset(name, laws=[law], dof=dof, noise=noise)
            batch = generate(combo, n, seed=seed + 1000 * LAWS.index(law) + dof)
            inputs, targets = batch.inputs.numpy(), batch.targets.numpy()
            truth = batch.positions[:, combo.t_in :, 0].numpy()
            for model, predictor in predictors.items():
                started = time.perf_counter()
                forecast = predictor.predict(inputs)
                seconds = time.perf_counter() - started
                figures = metrics.score(forecast, targets, truth, combo)
                results.setdefault(law, {}).setdefault(str(dof), {})[model] = figures | {"seconds": seconds}
    return results


def _pct(value: float) -> str:
    return f"{100 * value:.2f}"


def _noise_text(noise: float) -> str:
    return f"; Gaussian noise of std {noise:g} on the input frames" if noise else ""


def markdown(name: str, results: dict, n: int, noise: float = 0.0) -> str:
    """One table per preset: a row per law, DOF and model; then each model's mean over all of them."""
    spec = PRESETS[name]
    lines = [
        f"**{name}** ({spec.height}x{spec.width}, {spec.render}, {spec.t_in} frames in, steps ahead "
        f"{list(spec.ahead)}; {n} fresh sequences per law and DOF{_noise_text(noise)}). "
        "Position error in % of the image diagonal.",
        "",
        "| law | DOF | model | MSE | SSIM | pos. mean % | pos. p95 % | pos. max % |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for law, per_dof in results.items():
        for dof, per_model in per_dof.items():
            for model, f in per_model.items():
                p = f["position"]
                lines.append(
                    f"| {law} | {dof} | `{model}` | {f['mse']:.2e} | {f['ssim']:.3f} | {_pct(p['mean'])} | "
                    f"{_pct(p['p95'])} | {_pct(p['max'])} |"
                )
    lines += ["", "| model (all laws and DOFs) | MSE | SSIM | pos. mean % | worst law/DOF pos. mean % |"]
    lines.append("| --- | --- | --- | --- | --- |")
    for model, m in overall(results).items():
        lines.append(f"| `{model}` | {m['mse']:.2e} | {m['ssim']:.3f} | {_pct(m['position'])} | {_pct(m['worst'])} |")
    return "\n".join(lines)


def overall(results: dict) -> dict:
    """{model: {"mse", "ssim", "position", "worst"}}: means over every law and DOF (worst: the largest cell
    mean position error)."""
    rows: dict = {}
    for per_dof in results.values():
        for per_model in per_dof.values():
            for model, f in per_model.items():
                rows.setdefault(model, []).append(f)
    return {
        model: {
            "mse": float(np.mean([r["mse"] for r in cells])),
            "ssim": float(np.mean([r["ssim"] for r in cells])),
            "position": float(np.mean([r["position"]["mean"] for r in cells])),
            "worst": float(max(r["position"]["mean"] for r in cells)),
        }
        for model, cells in rows.items()
    }


def trained_noise(predictor) -> str:
    """The input noise a shipped network trained on ("0" for none, "-" for a baseline)."""
    if not predictor.trained:
        return "-"
    data = (predictor.payload.get("config") or {}).get("data") or {}
    noise, clean = data.get("noise", 0), data.get("clean_share", 0)
    text = f"{noise[0]:g}-{noise[1]:g}" if isinstance(noise, list | tuple) else f"{noise:g}"
    return text + (f", {100 * clean:g} % clean" if clean else "")


def robustness_markdown(name: str, by_noise: dict, n: int, predictors: dict) -> str:
    """Each model's mean position error and MSE (over every law and DOF) at each input noise level."""
    levels = list(by_noise)
    means = {level: overall(results) for level, results in by_noise.items()}
    head = " | ".join(f"pos. % at {level:g}" for level in levels)
    mse = " | ".join(f"MSE at {level:g}" for level in levels)
    lines = [
        f"**{name}, off the training distribution**: the same {n} sequences per law and DOF with Gaussian noise "
        "of each std added to the input frames (clipped to [0, 1]; targets clean). Mean over every law and DOF.",
        "",
        f"| model | trained on noise | {head} | {mse} |",
        "| --- | --- |" + " --- |" * (2 * len(levels)),
    ]
    for model in means[levels[0]]:
        cells = [_pct(means[level][model]["position"]) for level in levels]
        cells += [f"{means[level][model]['mse']:.2e}" for level in levels]
        lines.append(f"| `{model}` | {trained_noise(predictors[model])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def noise_levels(text: str) -> list[float]:
    """An argparse ``type``: comma-separated standard deviations, each in [0, MAX_NOISE], distinct."""
    try:
        levels = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers such as 0,0.05,0.1, got {text!r}") from None
    if not levels or len(set(levels)) != len(levels) or not all(0 <= v <= MAX_NOISE for v in levels):
        raise argparse.ArgumentTypeError(
            f"noise levels must be distinct numbers between 0 and {MAX_NOISE}, got {text!r}"
        )
    return levels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.frames.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="all", choices=[*PRESETS, "all"], help="all: blob32 and thesis")
    parser.add_argument(
        "--n", type=whole_number(1, 10_000), default=200, help="sequences per law and DOF (default 200)"
    )
    parser.add_argument(
        "--seed", type=whole_number(0, 2**62 - 1), default=EVAL_SEED, help="evaluation seed (default far from training)"
    )
    parser.add_argument("--models", default=None, help="comma-separated names (default: all for the preset)")
    parser.add_argument(
        "--noise",
        type=noise_levels,
        default=[0.0],
        help="input noise std(s), comma-separated, e.g. 0,0.05,0.1 (default 0): the first gets the full table, "
        "more than one add a robustness table",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--readme", type=Path, help="rewrite the frames block of this file, if it has one")
    args = parser.parse_args(argv)
    configure_threads()
    chosen = DEFAULT_PRESETS if args.preset == "all" else (args.preset,)
    wanted = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    payload: dict = {"n": args.n, "seed": args.seed, "noise": args.noise, "presets": {}}
    if len(args.noise) > 1:
        payload["by_noise"] = {}
    texts = []
    try:
        for name in chosen:
            names = [m for m in frames.available(name) if wanted is None or m in wanted]
            if wanted is not None:
                unknown = [m for m in wanted if m not in frames.available()]
                if unknown:
                    raise ValueError(f"unknown model(s) {unknown}; choose from {frames.available()}")
            if not names:
                continue
            predictors = {m: frames.load(m, name) for m in names}
            started = time.perf_counter()
            by_noise = {level: evaluate_preset(name, predictors, args.n, args.seed, level) for level in args.noise}
            results = by_noise[args.noise[0]]
            text = markdown(name, results, args.n, args.noise[0])
            if len(args.noise) > 1:
                text += "\n\n" + robustness_markdown(name, by_noise, args.n, predictors)
                payload["by_noise"][name] = {str(level): figures for level, figures in by_noise.items()}
            print(text + f"\n\n({time.perf_counter() - started:.1f} s)\n")
            texts.append(text)
            payload["presets"][name] = results
        if not texts:
            raise ValueError("no model to evaluate on the chosen preset(s)")
        if args.json:
            args.json.write_text(json.dumps(payload, indent=2))
        if args.readme and not replace_block(args.readme, START, END, "\n\n".join(texts)):
            print(f"note: {args.readme} has no {START} ... {END} block; left unchanged", file=sys.stderr)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
