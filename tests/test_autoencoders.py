"""core.autoencoders: data, models, closed-form codes, the public surface, the task and the evaluation."""

import json
import math
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from core.autoencoders import available, load, load_checkpoint, shipped
from core.autoencoders.codes import PCA, DFTLowPass, DFTTopK, dft_basis, epicycles
from core.autoencoders.data import resample_stroke, signals, strokes
from core.autoencoders.evaluate import END, START, findings, markdown
from core.autoencoders.models import MODELS, build, check_hparams
from core.autoencoders.task import TASK
from core.cli import replace_block
from core.runtime import REPO_ROOT

# --- data ---------------------------------------------------------------------------------------------------


def test_signals_are_the_easy_suite_and_seeded():
    x = signals(64, seed=3)
    assert x.shape == (64, 100) and x.dtype == torch.float32
    assert torch.allclose(x.abs().amax(1), torch.ones(64))  # peak-normalised by core.signals.generate
    assert torch.equal(x, signals(64, seed=3)) and not torch.equal(x, signals(64, seed=4))
    assert signals(8, seed=0, length=50, suite="final").shape == (8, 50)
    with pytest.raises(ValueError, match="suite"):
        signals(8, suite="nope")


def test_strokes_start_at_zero_are_seeded_and_sized():
    s = strokes(256, seed=1, dtype=torch.float64)
    assert s.shape == (256, 100, 2)
    assert torch.equal(s[:, 0], torch.zeros(256, 2))
    peak = s.abs().amax(dim=(1, 2))
    assert peak.min() >= 0.5 - 1e-9 and peak.max() <= 1.5 + 1e-9
    assert torch.equal(s, strokes(256, seed=1, dtype=torch.float64))
    # Arc length: with no pen-speed warp every chord is (about) the same length (a cusp only shortens
    # one); with the warp the pen speeds up somewhere, and no chord is more than (1 + 0.5) / (1 - 0.5) x another.
    for warp, low, high in ((0.0, 1.0, 1.01), (0.5, 1.1, 3.0)):
        s = strokes(256, seed=1, warp=warp, dtype=torch.float64)
        step = (s[:, 1:] - s[:, :-1]).norm(dim=-1)
        spread = step.amax(1) / step.median(1).values
        assert spread.max() < high and float(spread.median()) >= low


def test_strokes_are_not_lossless_at_k16_for_pca():
    """A family of a few fixed harmonics would be exactly low-rank; these must leave PCA something to miss."""
    train, test = strokes(2048, seed=1, dtype=torch.float64), strokes(512, seed=2, dtype=torch.float64)
    pca = PCA(16).fit(train)
    mse = float(((pca.reconstruct(test) - test) ** 2).mean())
    assert mse > 1e-3 * float(test.var())
    assert mse > 1e-4


def test_resample_stroke_by_arc_length_from_zero():
    # an L: 3 units right then 1 up, drawn with uneven point spacing
    points = [[10, 5], [10.5, 5], [13, 5], [13, 5.2], [13, 6]]
    out = resample_stroke(points, 5)
    assert out.shape == (5, 2) and np.allclose(out[0], 0)
    assert np.allclose(out, [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1]])
    scaled = resample_stroke(torch.tensor(points, dtype=torch.float32), 9, size=1.0)
    assert np.isclose(np.abs(scaled).max(), 1.0)


@pytest.mark.parametrize(
    "points, message",
    [
        ([], "empty"),
        ([[1.0, 2.0]], "single point"),
        ([[1.0, 2.0], [1.0, 2.0]], "zero length"),
        ([[0.0, 0.0], [float("nan"), 1.0]], "NaN"),
        ([[0.0, 0.0], [1e9, 1.0]], "limit"),
        ([[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], r"\[N, 2\]"),
        ("abc", "number pairs|\\[N, 2\\]"),
    ],
)
def test_resample_stroke_refuses_bad_drawings(points, message):
    with pytest.raises(ValueError, match=message):
        resample_stroke(points, 100)


# --- models -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(MODELS))
def test_every_model_encodes_and_decodes_both_kinds(name):
    for channels, k in ((1, 4), (2, 16), (1, 7)):
        model = build(name, k=k, length=60, channels=channels, hidden=8)
        x = torch.randn(3, 60) if channels == 1 else torch.randn(3, 60, 2)
        z = model.encode(x)
        assert z.shape == (3, k)
        assert model.decode(z).shape == x.shape
        loss = model.loss(x)
        assert loss.dim() == 0 and torch.isfinite(loss)
        rebuilt = type(model)(**model.hparams)
        assert json.loads(json.dumps(model.hparams)) == rebuilt.hparams
        with pytest.raises(ValueError, match="takes"):
            model.encode(torch.randn(3, 59))


def test_hparams_are_bounded_before_building():
    with pytest.raises(ValueError, match="takes no"):
        check_hparams("gru", {"k": 4, "layers": 3})
    with pytest.raises(ValueError, match="between"):
        check_hparams("mlp", {"hidden": 10**7})
    with pytest.raises(ValueError, match="limit"):
        check_hparams("conv", {"hidden": 2048, "length": 4096, "k": 1024})
    with pytest.raises(ValueError, match="unknown"):
        check_hparams("transformer", {})


# --- closed-form codes --------------------------------------------------------------------------------------


def test_dft_basis_is_orthonormal():
    for length in (7, 100):
        basis, bins = dft_basis(length)
        assert torch.allclose(basis @ basis.T, torch.eye(length, dtype=torch.float64), atol=1e-12)
        assert len(bins) == length


@pytest.mark.parametrize("k", [1, 5, 16, 17])
def test_dft_topk_keeps_exactly_k_reals(k):
    x, s = signals(32, seed=2, dtype=torch.float64), strokes(32, seed=2, dtype=torch.float64)
    for data, size in ((x, 100), (s, 200)):
        values, index = DFTTopK(k).encode_with_index(data)
        assert values.shape == index.shape == (32, k)
        assert all(len(set(row.tolist())) == k for row in index) and index.max() < size


def test_dft_topk_is_exact_when_k_covers_the_nonzero_coefficients():
    t = torch.arange(100, dtype=torch.float64)
    # bins 0 (DC, 1 real), 3 and 10 (2 reals each), 50 (Nyquist, 1 real): 6 reals
    x = 0.3 + torch.cos(2 * math.pi * 3 * t / 100 + 0.4) + 0.5 * torch.sin(2 * math.pi * 10 * t / 100)
    x = (x + 0.2 * torch.cos(math.pi * t)).unsqueeze(0)
    assert torch.allclose(DFTTopK(6).reconstruct(x), x, atol=1e-12)
    assert not torch.allclose(DFTTopK(5).reconstruct(x), x, atol=1e-3)
    # and it is the best k-real DFT code: never worse than the low-pass with the same k
    y = signals(256, seed=5, dtype=torch.float64)
    for k in (4, 16):
        topk = ((DFTTopK(k).reconstruct(y) - y) ** 2).mean()
        low = ((DFTLowPass(k).reconstruct(y) - y) ** 2).mean()
        assert topk < low


def test_dft_lowpass_keeps_the_first_coordinates_and_splits_strokes():
    s = strokes(4, seed=0, dtype=torch.float64)
    z = DFTLowPass(5).encode(s)
    assert z.shape == (4, 5)
    basis, _ = dft_basis(100)
    assert torch.allclose(z[:, :3], s[:, :, 0] @ basis[:3].T) and torch.allclose(z[:, 3:], s[:, :, 1] @ basis[:2].T)
    assert torch.allclose(DFTLowPass(200).reconstruct(s), s, atol=1e-12)


def test_pca_is_the_linear_optimum_on_its_sample():
    x = signals(2048, seed=1, dtype=torch.float64)
    for k in (4, 16):
        pca = ((PCA(k).fit(x).reconstruct(x) - x) ** 2).mean()
        low = ((DFTLowPass(k).reconstruct(x) - x) ** 2).mean()
        # any other rank-k projection (random here) does worse on the sample PCA was fitted on
        q, _ = torch.linalg.qr(torch.randn(100, k, dtype=torch.float64, generator=torch.Generator().manual_seed(k)))
        centred = x - x.mean(0)
        other = ((centred @ q @ q.T - centred) ** 2).mean()
        assert pca < low and pca < other


def test_epicycles_rebuild_the_stroke():
    s = strokes(1, seed=9, dtype=torch.float64)[0].numpy()
    every = epicycles(s)
    assert np.allclose(every.path(), s, atol=1e-12)
    assert np.all(np.diff(every.radius) <= 0)
    few = epicycles(s, 5)
    assert len(few.radius) == 5 and np.abs(few.path() - s).max() > 1e-3
    assert np.allclose(few.centres(0.0)[-1], few.path([0.0])[0])
    with pytest.raises(ValueError, match=r"\[T, 2\]"):
        epicycles(s[:, :1])


# --- public surface -----------------------------------------------------------------------------------------


def test_load_closed_form_accepts_dtypes_and_refuses_bad_input():
    x = signals(16, seed=4).numpy()
    code = load("dft-topk", 16)
    for dtype in (np.float16, np.float32, np.float64):
        z = code.encode(x.astype(dtype))
        assert z.shape == (16, 16)
    y = code.reconstruct(torch.from_numpy(x).double())
    assert torch.is_tensor(y) and y.dtype == torch.float64 and y.shape == (16, 100)
    with pytest.raises(ValueError, match="index"):
        code.decode(z)
    for bad, message in (
        (x[:, :50], r"\[B, 100\]"),
        (x.astype(np.int32), "float16, float32 or float64"),
        (np.full((2, 100), np.nan), "NaN"),
        ([[0.0] * 100], "numpy array or torch tensor"),
        (np.zeros((0, 100)), "empty"),
    ):
        with pytest.raises(ValueError, match=message):
            code.encode(bad)
    with pytest.raises(ValueError, match=r"\[B, 100, 2\]"):
        load("pca", 8, "strokes").encode(x)
    with pytest.raises(ValueError, match="unknown code"):
        load("wavelet", 8)
    with pytest.raises(ValueError, match="kind"):
        load("pca", 8, "frames")


def _shipped_pairs():
    return [(kind, name, k) for kind in ("signals", "strokes") for name, ks in shipped(kind).items() for k in ks]


def test_models_are_shipped_and_listed():
    assert {"mlp", "conv", "gru", "conv-gru"} <= set(shipped("signals"))
    assert set(available()) >= {"mlp", "pca", "dft-topk", "dft-lowpass"}


@pytest.mark.parametrize("kind", ["signals", "strokes"])
def test_shipped_mlp_beats_dft_lowpass_on_fresh_data(kind):
    """The shipped MLP codes must beat the DFT low-pass with the same k on windows they never saw, and
    every shipped code must at least beat sending nothing (the mean window)."""
    pairs = [(name, k) for one, name, k in _shipped_pairs() if one == kind]
    if not pairs:
        pytest.skip(f"no shipped {kind} models")
    x = (signals if kind == "signals" else strokes)(256, seed=2**41 + 3).numpy()
    nothing = ((x - x.mean(0)) ** 2).mean()
    for name, k in pairs:
        code = load(name, k, kind)
        learned = ((code.reconstruct(x) - x) ** 2).mean()
        assert learned < nothing, (name, k, learned, nothing)
        if name == "mlp":
            low = ((load("dft-lowpass", k, kind).reconstruct(x) - x) ** 2).mean()
            assert learned < low, (name, k, learned, low)
        assert code.encode(x.astype(np.float16)).shape == (256, k)


def test_load_refuses_damaged_checkpoints(tmp_path):
    from core.checkpoints import save_checkpoint

    model = build("mlp", k=4, hidden=8)
    good = {"task": "autoencoder", "model": "mlp", "hparams": model.hparams, "model_state": model.state_dict()}
    cases = {
        "unknown": {**good, "model": "transformer"},
        "takes no": {**good, "hparams": {**model.hparams, "dropout": 1}},
        "between": {**good, "hparams": {**model.hparams, "hidden": 10**6}},
        "NaN": {**good, "model_state": {k: v * float("nan") for k, v in model.state_dict().items()}},
        "does not fit": {**good, "hparams": {**model.hparams, "hidden": 16}},
        "forecast": {**good, "task": "forecast"},
    }
    for message, payload in cases.items():
        save_checkpoint(tmp_path / "best.pt", payload)
        with pytest.raises(ValueError, match=message):
            load_checkpoint(tmp_path / "best.pt")
    (tmp_path / "signals" / "mlp-k4").mkdir(parents=True)
    save_checkpoint(tmp_path / "signals" / "mlp-k4" / "best.pt", good)
    assert load("mlp", 4, root=tmp_path).encode(signals(2, seed=0)).shape == (2, 4)
    with pytest.raises(ValueError, match="shipped k: \\[4\\]"):
        load("mlp", 8, root=tmp_path)


# --- task ---------------------------------------------------------------------------------------------------


def _config(**changes):
    base = dict(
        model="mlp",
        model_options={"k": 8, "hidden": 16},
        data={"kind": "strokes", "length": 40},
        batch_size=8,
        val_size=16,
        seed=0,
    )
    return SimpleNamespace(**{**base, **changes})


def test_task_builds_batches_and_scores():
    config = _config()
    TASK.check(config)
    model = TASK.build(config)
    (x,) = TASK.batch(config, 0, 123, torch.device("cpu"))
    assert x.shape == (8, 40, 2) and torch.equal(x, TASK.batch(config, 5, 123, torch.device("cpu"))[0])
    (held,) = TASK.validation(config, torch.device("cpu"))
    assert held.shape == (16, 40, 2)
    assert math.isclose(TASK.score(model, held), float(model.loss(held).detach()), rel_tol=1e-5)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"model": "fft_gru"}, "model must be"),
        ({"data": {"kind": "frames"}}, "kind"),
        ({"data": {"kind": "signals", "suite": "nope"}}, "suite"),
        ({"data": {"kind": "signals", "warp": 0.2}}, "takes no"),
        ({"data": {"kind": "strokes", "length": 10**6}}, "length"),
        ({"model_options": {"k": 8, "length": 50}}, "set by data"),
        ({"model_options": {"k": 8, "dropout": 1}}, "takes"),
        ({"model_options": {"k": 0}}, "'k'"),
        ({"batch_size": 60000, "data": {"kind": "strokes", "length": 4096}}, "batch"),
    ],
)
def test_task_check_names_the_bad_field(changes, message):
    with pytest.raises(ValueError, match=message):
        TASK.check(_config(**changes))


# --- evaluation ---------------------------------------------------------------------------------------------


def test_findings_are_computed_from_the_numbers():
    rows = [
        {"kind": "signals", "k": 16, "model": m, "train_mse": v, "test_mse": v}
        for m, v in {"mlp": 0.002, "rnn": 0.09, "conv-rnn": 0.01, "gru": 0.005, "conv-gru": 0.008}.items()
    ]
    rows += [{"kind": "signals", "k": 16, "model": "dft-topk", "train_mse": 0.005, "test_mse": 0.005}]
    text = findings(rows, target=0.5)
    assert not any("Target" in line for line in findings(rows))  # the page's sentences: no to-do list
    assert any("best learned code (mlp, 0.0020) is 0.40x DFT top-k (0.0050)" in line for line in text)
    assert any("Target" in line and ": met" in line for line in text)
    assert any("conv-recurrent beats plain recurrent on harmonic sums at k = 16: no (1 of 2" in s for s in text)
    assert any("plain RNN worst on harmonic sums at k = 16: yes" in line for line in text)
    rows[0]["test_mse"] = 0.004
    assert any("Target" in line and "not met" in line for line in findings(rows, target=0.5))
    table = markdown({"n": 4, "rows": rows})
    assert "| `mlp` | signals | 0.0020 / **0.0040** |" in table


def test_evaluate_cli_writes_json(tmp_path):
    out = tmp_path / "ae.json"
    done = subprocess.run(
        [sys.executable, "-m", "core.autoencoders.evaluate", "--n", "8", "--json", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["n"] == 8 and result["findings"]
    names = {(r["kind"], r["model"]) for r in result["rows"]}
    assert {("signals", "dft-topk"), ("strokes", "pca")} <= names
    assert all(math.isfinite(r["train_mse"]) and math.isfinite(r["test_mse"]) for r in result["rows"])


def test_readme_table_is_replaced_only_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- autoencoders:start -->\nold\n<!-- autoencoders:end -->\nafter\n")
    assert replace_block(readme, START, END, "| new |")
    assert readme.read_text() == "intro\n<!-- autoencoders:start -->\n| new |\n<!-- autoencoders:end -->\nafter\n"
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers\n")
    assert not replace_block(plain, START, END, "| new |") and plain.read_text() == "no markers\n"
