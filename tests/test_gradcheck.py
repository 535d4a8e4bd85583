"""traindebug.gradcheck: a 1 % wrong backward found and localised; correct models pass;
the eps sweep of seeds/003 gives the V; the user's model is untouched."""

from __future__ import annotations

import math
import time

import pytest
import torch
from torch import nn

from traindebug.gradcheck import GradcheckError, check_model, gradcheck

from conftest import assert_example_diagnosed


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: intra-op threads only add contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class ReLUFunction(torch.autograd.Function):
    """ReLU with a hand-written backward scaled by ``1 + error``."""

    @staticmethod
    def forward(ctx, x, error):
        ctx.save_for_backward(x)
        ctx.error = error
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x > 0).to(grad.dtype) * (1 + ctx.error), None


class CustomReLU(nn.Module):
    def __init__(self, error: float = 0.0) -> None:
        super().__init__()
        self.error = error

    def forward(self, x):
        return ReLUFunction.apply(x, self.error)


def mlp(error: float, seed: int = 0, width: int = 32) -> nn.Sequential:
    torch.manual_seed(seed)
    model = nn.Sequential()
    model.add_module("fc1", nn.Linear(20, width))
    model.add_module("bn", nn.BatchNorm1d(width))
    model.add_module("act", CustomReLU(error))
    model.add_module("drop", nn.Dropout(0.3))
    model.add_module("fc2", nn.Linear(width, width))
    model.add_module("relu", nn.ReLU())
    model.add_module("out", nn.Linear(width, 5))
    return model


def batch(seed: int = 0, n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 20, generator=g), torch.randint(0, 5, (n,), generator=g)


def test_one_percent_error_found_in_the_right_module_quickly() -> None:
    model = mlp(error=0.01)
    start = time.perf_counter()
    result = gradcheck(model, nn.CrossEntropyLoss(), batch())
    elapsed = time.perf_counter() - start
    found = result.responsible
    assert found is not None and found.module == "act" and found.scope == "module"
    assert 0.005 < found.rel_error < 0.02  # the error is 1 %, not noise
    assert {c.module for c in result.tensors if c.verdict == "wrong"} == {"fc1", "bn"}  # upstream only
    assert all(c.verdict != "wrong" for c in result.tensors if c.module in ("fc2", "out"))
    assert result.dtype == "float64"
    assert elapsed < 5.0


def test_sign_error_in_a_parameter_gradient_is_localised_to_its_tensor() -> None:
    class BadLinear(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x @ w.t()

        @staticmethod
        def backward(ctx, grad):
            x, w = ctx.saved_tensors
            return grad @ w, -(grad.t() @ x)  # sign error in the weight gradient

    class Layer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.randn(8, 20) * 0.3)

        def forward(self, x):
            return BadLinear.apply(x, self.weight)

    torch.manual_seed(0)
    model = nn.Sequential(Layer(), nn.Tanh(), nn.Linear(8, 5))
    result = gradcheck(model, nn.CrossEntropyLoss(), batch())
    wrong = [(c.module, c.tensor) for c in result.tensors if c.verdict == "wrong"]
    assert wrong == [("0", "weight")]
    assert result.responsible.module == "0"


@pytest.mark.parametrize("seed", range(20))
def test_correct_model_gives_no_finding(seed: int) -> None:
    """ReLU kinks, BatchNorm in train mode, dropout and a custom Function: all agree."""
    model = mlp(error=0.0, seed=seed, width=8)
    result = gradcheck(model, nn.CrossEntropyLoss(), batch(seed, n=8))
    assert result.responsible is None, str(result)
    # fc1.bias feeds BatchNorm in train mode: its true gradient is 0, nothing to compare
    checked = [c for c in result.tensors + result.modules if c.verdict == "ok"]
    assert len(checked) >= len(result.tensors) + len(result.modules) - 2


def test_embedding_lstm_with_integer_inputs_gives_no_finding() -> None:
    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(30, 8)
            self.rnn = nn.LSTM(8, 12, batch_first=True)
            self.head = nn.Linear(12, 3)

        def forward(self, tokens, mask):
            out, _ = self.rnn(self.embed(tokens))
            return self.head(out[:, -1] * mask[:, None])

    torch.manual_seed(0)
    tokens = torch.randint(0, 30, (6, 7))
    mask = torch.ones(6, dtype=torch.bool)
    result = gradcheck(Tagger(), nn.CrossEntropyLoss(), ((tokens, mask), torch.randint(0, 3, (6,))))
    assert result.responsible is None, str(result)
    assert {c.module for c in result.tensors} == {"embed", "rnn", "head"}


def test_model_without_float64_falls_back_to_float32_and_says_so() -> None:
    class Float32Only(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(20, 5)

        def forward(self, x):
            return self.fc(x.float())  # casts its input: fails against float64 weights

    torch.manual_seed(0)
    result = gradcheck(Float32Only(), nn.CrossEntropyLoss(), batch())
    assert result.dtype == "float32"
    assert any("float32" in note and "tolerance" in note for note in result.notes)
    assert result.responsible is None, str(result)


def test_seed_003_eps_sweep_is_a_v() -> None:
    """Seeds/003: MLP on digits, one training sample, eps = 1/N, max error vs N is V-shaped."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = torch.tensor(digits.data[:512], dtype=torch.float32) / 16
    y = torch.tensor(digits.target[:512])
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(30):  # "at the end of training": a few epochs of full-batch descent
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    result = gradcheck(model, nn.CrossEntropyLoss(), (x[:1], y[:1]), modules=False)
    second = next(c for c in result.tensors if c.module == "2" and c.tensor == "weight")
    errors = second.errors
    best = min(range(len(errors)), key=errors.__getitem__)
    assert 0 < best < len(errors) - 1  # the minimum lies inside the sweep
    assert errors[0] > 1e3 * errors[best]  # truncation on the right (large eps)
    assert errors[-1] > 1e2 * errors[best]  # round-off on the left (small eps)
    assert second.verdict == "ok" and second.rel_error < 1e-6


def test_user_model_rng_and_grads_are_untouched() -> None:
    model = mlp(error=0.01)
    x, y = batch()
    nn.functional.cross_entropy(model(x), y).backward()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    grads = [p.grad.clone() for p in model.parameters()]
    modes = [m.training for m in model.modules()]
    rng = torch.get_rng_state()
    gradcheck(model, nn.CrossEntropyLoss(), (x, y))
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) and before[k].dtype == after[k].dtype for k in before)
    assert all(torch.equal(g, p.grad) for g, p in zip(grads, model.parameters()))
    assert modes == [m.training for m in model.modules()]
    assert torch.equal(rng, torch.get_rng_state())


def test_bad_input_gets_a_clear_error() -> None:
    with pytest.raises(GradcheckError, match="nn.Module"):
        gradcheck(lambda x: x, None, torch.randn(3))  # type: ignore[arg-type]
    with pytest.raises(GradcheckError, match="one finite number"):
        check_model(nn.Linear(3, 2), (torch.randn(4, 3),), {}, lambda out, dtype: out)


def test_time_budget_leaves_the_rest_unchecked() -> None:
    result = gradcheck(mlp(error=0.0), nn.CrossEntropyLoss(), batch(), max_seconds=1e-9)
    assert len(result.tensors) <= 1 and result.unchecked


def test_check_finds_the_seeded_example(tmp_path) -> None:
    first = assert_example_diagnosed(tmp_path, "wrong_gradient_custom_function.py", "wrong_gradient", "act", "gradcheck_sweep.png")
    assert not math.isnan(first["evidence"]["rel_error"])


def test_detached_features_are_left_to_no_gradient_flow() -> None:
    """A detach() cuts the graph: finite differences see the cut-off parameters, autograd does
    not. That is no_gradient_flow's finding, not a wrong backward."""

    class Detached(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(nn.Linear(20, 16), nn.ReLU())
            self.head = nn.Linear(16, 5)

        def forward(self, x):
            return self.head(self.features(x).detach())

    torch.manual_seed(0)
    result = gradcheck(Detached(), nn.CrossEntropyLoss(), batch())
    assert result.responsible is None, str(result)
    assert {"features.0.weight", "features.0.bias"} <= set(result.unchecked)


def test_gradient_check_budget_follows_the_users_step_time() -> None:
    """The one-off check may take BUDGET_STEPS of the user's steps (from the first backward pass),
    within [MIN_SECONDS, the preset's budget]; a budget the user set is kept as is."""
    from traindebug.probes.gradient_check import BUDGET_STEPS, MIN_SECONDS, STEP_PER_BACKWARD, GradientCheckProbe

    probe = GradientCheckProbe(15.0)
    assert probe.budget() == 15.0  # no backward seen: the preset's budget
    probe.backward_s = 0.001
    assert probe.budget() == MIN_SECONDS
    probe.backward_s = 0.05
    assert probe.budget() == pytest.approx(0.05 * STEP_PER_BACKWARD * BUDGET_STEPS)
    probe.backward_s = 1.0
    assert probe.budget() == 15.0
    fixed = GradientCheckProbe(40.0, fixed=True)
    fixed.backward_s = 0.001
    assert fixed.budget() == 40.0
