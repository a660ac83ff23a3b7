"""``python -m core.autoencoders.evaluate``: reconstruction MSE of every code, per kind, k, train/test.

    python -m core.autoencoders.evaluate [--n N] [--seed S] [--json FILE] [--readme README.md]

Rows: every shipped learned code (``checkpoints/pretrained/autoencoders/``) and the closed-form ones
(PCA, DFT top-k, DFT low-pass) at the same k, on both data kinds. The data is drawn fresh per training
step, so "train" and "test" mean:

- train: the first N windows the model really trained on (its run's steps 0, 1, ... regenerated from the
  run's seed and batch size, as the training loop drew them); PCA is fitted on such windows too;
- test: N windows from a seed no run draws (``--seed``; training seeds are multiples of 64 for one
  process, the validation seed is 10**9 + run seed).

``findings`` turns the numbers into the sentences the page shows; nothing there is written by hand.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import torch

from core.autoencoders import load, shipped
from core.autoencoders.codes import CLOSED_FORM
from core.autoencoders.data import KINDS
from core.autoencoders.models import MODELS
from core.autoencoders.task import DATA_DEFAULTS, check_data, make_data
from core.cli import SEED, replace_block, whole_number
from core.runtime import configure_threads

__all__ = ["KS", "TEST_SEED", "evaluate", "findings", "markdown", "mse_by_k", "main"]

KS = (4, 8, 16)
TEST_SEED = 2**40 + 12345  # not a multiple of 64: no single-process run draws a training batch from it
KIND_WORDS = {"signals": "harmonic sums", "strokes": "pen strokes"}
RECURRENT = ("rnn", "lstm", "gru")
TARGET = 0.5  # the project's goal: the best learned code at k = 16 within 0.5x DFT top-k on harmonic sums
START, END = "<!-- autoencoders:start -->", "<!-- autoencoders:end -->"


def _mse(code, x: torch.Tensor) -> float:
    return float(((torch.as_tensor(code.reconstruct(x.double())) - x.double()) ** 2).mean())


def evaluate(
    n: int = 1024, seed: int = TEST_SEED, kinds: tuple = KINDS, ks: tuple = KS, root: Path | str | None = None
) -> dict:
    """MSE of every code at every k on train and test windows: ``{"n", "test_seed", "rows": [...]}``."""
    from core.autoencoders import training_sample

    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 65536:
        raise ValueError(f"n must be a whole number of windows between 1 and 65536, got {n!r}")
    samples: dict[tuple, torch.Tensor] = {}

    def sample(data: dict, which: str, run_seed: int = 0, batch: int = 256) -> torch.Tensor:
        key = (tuple(sorted(data.items())), which, run_seed, batch)
        if key not in samples:
            if which == "train":
                samples[key] = training_sample(data, n, seed=run_seed, batch_size=batch).double()
            else:
                samples[key] = make_data(data, n, seed).double()
        return samples[key]

    rows = []
    for kind in kinds:
        learned = shipped(kind, root)
        for k in ks:
            names = [name for name, have in learned.items() if k in have] + list(CLOSED_FORM)
            for name in names:
                code = load(name, k, kind, root=root)
                config = code.payload.get("config") or {}
                data = check_data(config.get("data") or DATA_DEFAULTS[kind])
                run_seed, batch = int(config.get("seed", 0)), int(config.get("batch_size", 256))
                row = {"kind": kind, "k": k, "model": name, "learned": code.learned}
                row["train_mse"] = _mse(code, sample(data, "train", run_seed, batch))
                row["test_mse"] = _mse(code, sample(data, "test"))
                if code.learned:
                    row["steps"] = code.payload.get("step")
                rows.append(row)
    return {"n": n, "test_seed": seed, "rows": rows}


def mse_by_k(
    names: list[str], kind: str = "signals", ks: tuple = tuple(range(1, 33)), n: int = 256, seed: int = TEST_SEED
) -> dict[str, dict[int, float]]:
    """Test MSE against k for the page's curve: ``{name: {k: mse}}``, each code at the k it exists for
    (every k for the closed-form codes, the shipped k for learned ones)."""
    x = make_data(check_data(DATA_DEFAULTS[kind]), n, seed).double()
    have = shipped(kind)
    out: dict[str, dict[int, float]] = {}
    for name in names:
        if name not in CLOSED_FORM and name not in have:
            raise ValueError(f"no shipped {name!r} code for {kind}; shipped: {sorted(have)}")
        usable = [k for k in ks if name in CLOSED_FORM or k in have[name]]
        out[name] = {k: _mse(load(name, k, kind), x) for k in usable}
    return out


def _lookup(rows: list[dict], kind: str, k: int) -> dict[str, float]:
    return {r["model"]: r["test_mse"] for r in rows if r["kind"] == kind and r["k"] == k}


def findings(rows: list[dict], target: float | None = None) -> list[str]:
    """The page's sentences, computed from evaluate's rows (test MSE throughout).

    target: also say whether the best learned code at k = 16 on harmonic sums is within ``target`` x
    DFT top-k (the project's goal, for the CLI's report; the page leaves it out: a student needs the
    comparison, not our to-do list).
    """
    out = []
    for kind in KINDS:
        words = KIND_WORDS[kind]
        for k in sorted({r["k"] for r in rows if r["kind"] == kind}):
            mse = _lookup(rows, kind, k)
            learned = {m: v for m, v in mse.items() if m in MODELS}
            if not learned or "dft-topk" not in mse:
                continue
            best = min(learned, key=learned.get)
            ratio = learned[best] / mse["dft-topk"]
            out.append(
                f"At k = {k} on {words} the best learned code ({best}, {learned[best]:#.2g}) is {ratio:.2f}x "
                f"DFT top-k ({mse['dft-topk']:#.2g}); PCA {mse.get('pca', math.nan):#.2g}, "
                f"DFT low-pass {mse.get('dft-lowpass', math.nan):#.2g}."
            )
            if target is not None and kind == "signals" and k == 16:
                verdict = "met" if ratio <= target else "not met"
                out.append(f"Target (best learned <= {target}x DFT top-k at k = 16 on {words}): {verdict}.")
        for k in sorted({r["k"] for r in rows if r["kind"] == kind}, reverse=True):
            mse = _lookup(rows, kind, k)
            pairs = [(c, f"conv-{c}") for c in RECURRENT if c in mse and f"conv-{c}" in mse]
            if pairs:
                wins = sum(mse[b] < mse[a] for a, b in pairs)
                detail = ", ".join(f"{a} {mse[a]:#.2g} vs {b} {mse[b]:#.2g}" for a, b in pairs)
                answer = "yes" if wins == len(pairs) else "no"
                out.append(
                    f"conv-recurrent beats plain recurrent on {words} at k = {k}: {answer} "
                    f"({wins} of {len(pairs)} pairs; {detail})."
                )
            learned = {m: v for m, v in mse.items() if m in MODELS}
            if "rnn" in learned and len(learned) > 1:
                worst = max(learned, key=learned.get)
                answer = "yes" if worst == "rnn" else f"no (worst: {worst}, {learned[worst]:#.2g})"
                out.append(f"plain RNN worst on {words} at k = {k}: {answer}.")
            if pairs or "rnn" in learned:
                break  # the largest k with those models: one verdict per kind
    return out


def markdown(result: dict) -> str:
    """One table: a row per code and kind, train / test MSE per k; bold: the lowest test MSE per column."""
    rows = result["rows"]
    ks = sorted({r["k"] for r in rows})
    lines = [
        f"Reconstruction MSE, train / test, {result['n']} windows each (`python -m core.autoencoders.evaluate`); "
        "train: windows the model trained on; test: fresh seeds; bold: lowest test MSE for its kind and k.",
        "",
        "| code | data | " + " | ".join(f"k = {k}" for k in ks) + " |",
        "| --- | --- | " + " | ".join("---" for _ in ks) + " |",
    ]
    best = {
        (r["kind"], r["k"]): min(x["test_mse"] for x in rows if (x["kind"], x["k"]) == (r["kind"], r["k"]))
        for r in rows
    }
    for kind in KINDS:
        names = [m for m in [*MODELS, *CLOSED_FORM] if any(r["model"] == m and r["kind"] == kind for r in rows)]
        for name in names:
            cells = []
            for k in ks:
                match = [r for r in rows if (r["kind"], r["k"], r["model"]) == (kind, k, name)]
                if not match:
                    cells.append("-")
                    continue
                r = match[0]
                test = f"{r['test_mse']:#.2g}"
                test = f"**{test}**" if r["test_mse"] == best[(kind, k)] else test
                cells.append(f"{r['train_mse']:#.2g} / {test}")
            lines.append(f"| `{name}` | {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.autoencoders.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=whole_number(1, 100_000), default=1024, help="windows per kind and split (default 1024)"
    )
    parser.add_argument("--seed", type=SEED, default=TEST_SEED, help="seed of the test windows")
    parser.add_argument("--json", type=Path, help="write the rows and findings here")
    parser.add_argument("--readme", type=Path, help="rewrite the table between the autoencoder markers")
    args = parser.parse_args(argv)
    configure_threads()
    try:
        result = evaluate(args.n, args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result["findings"] = findings(result["rows"], target=TARGET)
    table = markdown(result)
    print(table)
    print()
    print("\n".join(result["findings"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if args.readme:
        if replace_block(args.readme, START, END, table):
            print(f"updated {args.readme}")
        else:
            print(f"{args.readme} has no {START} ... {END} markers: left unchanged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
