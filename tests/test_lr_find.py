"""`traindebug lr-find` and lr_find(): eta* on tiny scripts, written into tmp_path."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import torch
from torch import nn

from traindebug.cli import main
from traindebug.lr_find import RangeTest, lr_find

#: a 3-class MLP; the script's own lr comes from argv (lr-find overrides it anyway)
CLASSIFIER = """
import sys, torch
from torch import nn
torch.manual_seed(0)
lr = float(sys.argv[1])
X = torch.randn(512, 20)
y = (X @ torch.randn(20, 3)).argmax(1)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
opt = torch.optim.SGD(model.parameters(), lr=lr)
for epoch in range(100):
    for i in range(0, 512, 64):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(X[i : i + 64]), y[i : i + 64])
        loss.backward()
        opt.step()
    print("epoch", epoch, loss.item())
"""

#: linear regression without bias on inputs of scale 1e-3: Hessian ~1e-6, stable far beyond lr = 10
FLAT = """
import torch
from torch import nn
torch.manual_seed(0)
X = 1e-3 * torch.randn(256, 4)
y = X.sum(1, keepdim=True)
model = nn.Linear(4, 1, bias=False)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(200):
    opt.zero_grad()
    nn.functional.mse_loss(model(X), y).backward()
    opt.step()
"""


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: intra-op threads only add contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _lr_find(tmp_path: Path, source: str, *args: str) -> tuple[int, dict]:
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(source))
    out = tmp_path / "lrf"
    code = main(["lr-find", str(script), "--out", str(out), *(["--", *args] if args else [])])
    doc = json.loads((out / "lr_find.json").read_text()) if (out / "lr_find.json").exists() else {}
    return code, doc


def test_script_with_too_high_lr_gets_a_lower_eta_star(tmp_path: Path, capsys) -> None:
    code, doc = _lr_find(tmp_path, CLASSIFIER, "30")
    assert code == 0 and doc["diverged"]
    assert doc["divergent_lr"] < 30
    assert doc["suggested_lr"] == pytest.approx(doc["divergent_lr"] / 2)
    assert (tmp_path / "lrf" / "lr_find.png").is_file()
    assert "diverged at lr" in capsys.readouterr().out
    assert "epoch" not in capsys.readouterr().out  # the script's prints go to script_output.txt


def test_healthy_script_lr_is_bracketed(tmp_path: Path) -> None:
    code, doc = _lr_find(tmp_path, CLASSIFIER, "1.0")
    assert code == 0 and doc["diverged"]
    # the script's rate (which trains this model well) lies below eta*, within a decade
    assert doc["divergent_lr"] / 10 <= 1.0 < doc["divergent_lr"]
    assert doc["lrs"] == sorted(doc["lrs"]) and doc["lrs"][0] == pytest.approx(1e-7)


def test_never_diverging_script_gets_a_clear_statement(tmp_path: Path) -> None:
    code, doc = _lr_find(tmp_path, FLAT)
    assert code == 0
    assert doc["diverged"] is False and doc["divergent_lr"] is None and doc["suggested_lr"] is None
    assert "never diverged" in doc["statement"] and "no eta*" in doc["statement"]
    assert doc["lrs"][-1] == pytest.approx(10.0)


def test_script_without_optimizer_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code, _ = _lr_find(tmp_path, "import torch\nw = torch.zeros(2, requires_grad=True)\n(w.sum() ** 2).backward()\n")
    assert code == 2
    assert "optimizer" in capsys.readouterr().err


def test_python_api_leaves_model_optimizer_and_rng_untouched() -> None:
    torch.manual_seed(0)
    X = torch.randn(256, 20)
    y = (X @ torch.randn(20, 3)).argmax(1)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    nn.functional.cross_entropy(model(X), y).backward()
    opt.step()  # some optimizer state
    before = {k: v.clone() for k, v in model.state_dict().items()}
    buffers = [opt.state[p]["momentum_buffer"].clone() for p in model.parameters()]
    rng = torch.get_rng_state()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
    result = lr_find(model, opt, nn.functional.cross_entropy, loader, steps=60)
    assert result.diverged and 0 < result.divergent_lr < 10
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(torch.equal(b, opt.state[p]["momentum_buffer"]) for b, p in zip(buffers, model.parameters()))
    assert opt.param_groups[0]["lr"] == 0.5
    assert torch.equal(rng, torch.get_rng_state())


def test_range_test_detects_the_first_divergent_rate() -> None:
    test = RangeTest(1e-3, 1.0, steps=10)
    losses = [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 3.0, 9.0, 20.0]
    stopped_at = next(i for i, v in enumerate(losses) if test.add(test.lr(i), v))
    # the trailing median of 5 (lowest 0.7) first exceeds 4 x 0.7 at the 20.0 loss (median 3.0);
    # (two high losses out of five, at 9.0, do not move the median yet)
    assert stopped_at == 8 and test.divergent_lr == pytest.approx(test.lr(8))
    assert test.result("x").statement().startswith("The loss diverged")
