"""Fixes found by the thirteenth held-out set: a rate decayed to ~0 in every fold of a k-fold
loop, an encoder behind torch.round in a functional model, a custom Function first applied to
the data, weight decay beside vanishing gradients, zero-initialised residual branches, a sweep
of fresh models on misaligned labels, the targets of a hand-written squared error, features
squeezed by one scale for the whole matrix, and a linear model ranked before the step size."""

from __future__ import annotations

from typing import Any

from traindebug.engine import rank
from traindebug.findings import Finding
from traindebug.rules.gradient_scale import vanishing_depth
from traindebug.rules.over_regularization import decay_dominates

from test_dynamics_rules import make_run, training

KFOLD = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(600, 10)
y = (x[:, :3].sum(1) > 0).float()
for fold in range(3):
    model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for step in range(60):
        for group in opt.param_groups:
            group["lr"] = 0.05 * 0.1 ** (step / DECAY_STEPS)
        i = torch.randint(0, 600, (64,))
        loss = nn.functional.binary_cross_entropy_with_logits(model(x[i]).squeeze(1), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_a_rate_decayed_to_zero_in_every_fold_is_found(check) -> None:
    # decay period in steps where epochs were meant: ~0 after 40 of each fold's 60 steps
    found = check(KFOLD.replace("DECAY_STEPS", "10")).serious()
    assert "lr_too_low" in [f["category"] for f in found]
    # a period of 200 steps: each fold ends at half its rate
    assert "lr_too_low" not in [f["category"] for f in check(KFOLD.replace("DECAY_STEPS", "200"), name="ok.py").serious()]


ROUNDED = """
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x = torch.rand(512, 16)
enc = [torch.randn(8, 16, requires_grad=True), torch.zeros(8, requires_grad=True)]
dec = [torch.randn(16, 8, requires_grad=True), torch.zeros(16, requires_grad=True)]
opt = torch.optim.Adam(enc + dec, lr=1e-2)
for step in range(40):
    z = torch.tanh(F.linear(x, *enc))
    q = QUANTISE
    loss = F.mse_loss(torch.sigmoid(F.linear(q, *dec)), x)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_an_encoder_behind_round_gets_no_gradient_in_a_functional_model(check) -> None:
    found = check(ROUNDED.replace("QUANTISE", "torch.round(z * 4) / 4")).serious()
    assert [(f["category"], f["severity"]) for f in found][:1] == [("no_gradient_flow", "warning")]
    # a straight-through estimator passes the gradient on
    passed = check(ROUNDED.replace("QUANTISE", "z + (torch.round(z * 4) / 4 - z).detach()"), name="ste.py").serious()
    assert "no_gradient_flow" not in [f["category"] for f in passed]


AFFINE = """
import torch
import torch.nn.functional as F

class Affine(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x.mm(w.t()) + b

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g.mm(INPUT_WEIGHT), g.t().mm(x), g.sum(0)

torch.manual_seed(0)
x = torch.randn(256, 16)
y = (x[:, 0] > 0).long()
w1, b1 = torch.randn(16, 16, requires_grad=True), torch.zeros(16, requires_grad=True)
w2, b2 = torch.randn(16, 16, requires_grad=True), torch.zeros(16, requires_grad=True)
w3 = torch.randn(2, 16, requires_grad=True)
opt = torch.optim.SGD([w1, b1, w2, b2, w3], lr=0.01)
for step in range(20):
    h = torch.relu(Affine.apply(x, w1, b1))     # first call: on the data, which needs no gradient
    h = torch.relu(Affine.apply(h, w2, b2))
    loss = F.cross_entropy(h.mm(w3.t()), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_function_first_applied_to_the_data_has_its_input_gradient_checked(check) -> None:
    # the transposed weight in the input gradient: square layers, so the shapes fit
    found = check(AFFINE.replace("INPUT_WEIGHT", "w.t()")).serious()
    assert [f["category"] for f in found][:1] == ["wrong_gradient"]
    assert "wrong_gradient" not in [f["category"] for f in check(AFFINE.replace("INPUT_WEIGHT", "w"), name="ok.py").serious()]


def _depth_run(first_grad: float, decay: float = 1e-4, zero_init: bool = False) -> Any:
    """Four weight matrices of norm 1 (the third initialised to 0 if asked): the first three with
    gradient ``first_grad``, the last 0.1; Adam with coupled weight decay."""
    names = [f"{i}.weight" for i in range(4)]
    steps = training(40, lambda i: 2.3)
    for s in steps:
        s["grad_norms"], s["update_ratio"] = [first_grad] * 3 + [0.1], [1e-3] * 4
        s["param_norms"] = [1.0, 1.0, 0.0 if zero_init else 1.0, 1.0]
    records = [{"kind": "tensors", "step": 0, "names": names, "shapes": [[64, 64]] * 4, "in_optimizer": [True] * 4},
               {"kind": "optimizers", "step": 0, "optimizers": [{"type": "Adam", "groups": [{"lr": 1e-3, "weight_decay": decay}]}]}]
    return make_run(steps, records)  # the last tensors record (these four matrices) is the one read


def test_weight_decay_beside_vanishing_gradients_is_not_over_regularization() -> None:
    # three of four matrices with gradients 1e-7: per matrix the decay dominated them
    run = _depth_run(first_grad=1e-7)
    assert decay_dominates.fn(run) == []
    assert [f.category for f in vanishing_depth.fn(run)] == ["vanishing_gradients"]
    # a decay that dominates the large gradients too still does
    assert [f.category for f in decay_dominates.fn(_depth_run(first_grad=0.1, decay=0.5))] == ["over_regularization"]


def test_a_zero_initialised_matrix_makes_no_depth_ratio() -> None:
    assert vanishing_depth.fn(_depth_run(first_grad=1e-7, zero_init=True)) == []


SWEEP = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(800, 10)
y = (x[:, :3].sum(1) > 0).float()
perm = torch.randperm(800)
x_train, y_train = x[perm], y           # the labels are taken by position, not through perm
for lr in (1e-3, 3e-3, 1e-2):
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.RMSprop(model.parameters(), lr=lr)
    for step in range(80):
        i = torch.randint(0, 800, (64,))
        loss = nn.functional.binary_cross_entropy_with_logits(model(x_train[i]).squeeze(1), y_train[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_misaligned_labels_are_found_in_a_sweep_of_fresh_models(check) -> None:
    assert [f["category"] for f in check(SWEEP).serious()][:1] == ["label_problem"]


KELVIN = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(1024, 4)
t = 300.0 + 20.0 * torch.tanh(x[:, :1] - x[:, 1:2]) + 5.0 * x[:, 2:3]
y = TARGET
model = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(120):
    i = torch.randint(0, 1024, (128,))
    loss = ((model(x[i]) - y[i]) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_the_targets_of_a_hand_written_squared_error_are_measured(check) -> None:
    found = check(KELVIN.replace("TARGET", "t")).serious()
    assert [f["category"] for f in found][:1] == ["input_scale"]
    assert found[0]["evidence"]["target_rms"] > 250
    standardised = check(KELVIN.replace("TARGET", "(t - t.mean()) / t.std()"), name="ok.py").serious()
    assert "input_scale" not in [f["category"] for f in standardised]
    # a model that returns a tuple (prediction, features): its first tensor is the prediction
    tupled = KELVIN.replace("TARGET", "t").replace(
        "model = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 1))",
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.body = nn.Sequential(nn.Linear(4, 32), nn.Tanh(), nn.Linear(32, 1))\n"
        "    def forward(self, x):\n"
        "        return self.body(x), x\n"
        "model = Net()").replace("model(x[i])", "model(x[i])[0]")
    assert [f["category"] for f in check(tupled, name="tupled.py").serious()][:1] == ["input_scale"]


SCALED_TOGETHER = """
import torch
from torch import nn

torch.manual_seed(0)
n = 1024
raw = torch.stack([torch.randn(n) * 1.5e4 + 5e4,     # income
                   torch.randn(n) * 12 + 40,          # age
                   torch.rand(n),                     # a ratio
                   torch.randn(n) * 3 + 8], 1)        # tenure
y = ((raw[:, 1] - 40) / 12 + (raw[:, 2] - 0.5) * 3 + (raw[:, 3] - 8) / 3).unsqueeze(1)
x = (raw - raw.MEAN) / raw.STD
model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 1))
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(60):
    i = torch.randint(0, n, (64,))
    loss = nn.functional.mse_loss(model(x[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_features_scaled_with_one_mean_and_std_for_the_whole_matrix_are_found(check) -> None:
    found = check(SCALED_TOGETHER.replace("MEAN", "mean()").replace("STD", "std()")).serious()
    assert [(f["category"], f["rule"]) for f in found][:1] == [("input_scale", "input_scale.squeezed")]
    per_column = check(SCALED_TOGETHER.replace("MEAN", "mean(0)").replace("STD", "std(0)"), name="ok.py").serious()
    assert "input_scale" not in [f["category"] for f in per_column]


def _finding(category: str, **evidence: Any) -> Finding:
    return Finding(rule=category, category=category, severity="warning", title="", observation="", hypothesis="",
                   suggestion="", evidence=evidence)


def test_a_linear_model_is_ranked_before_the_step_size() -> None:
    ranked = rank([_finding("lr_too_high"), _finding("underfitting", linear_layers=3)])
    assert [f.category for f in ranked] == ["underfitting", "lr_too_high"]
    assert ranked[1].explained_by == ranked[0].id
    # a plateau of a model with non-linearities does not explain the step size: it is its symptom
    ranked = rank([_finding("lr_too_high"), _finding("underfitting", linear_layers=0)])
    assert [f.category for f in ranked] == ["lr_too_high", "underfitting"]


def test_a_module_seen_twice_is_judged_by_tensor_not_by_name() -> None:
    """functional_call on a parameter dict: the dict's tensors (optimized) and the module's own
    (never used, in no optimizer) share their names; the unused ones are no warning."""
    from traindebug.rules.gradient_flow import no_gradient

    steps = training(30, 1.0)
    for s in steps:
        s["grad_norms"] = [0.1, 0.1, 0.0, 0.0]
    tensors = {"kind": "tensors", "step": 0, "names": ["0.weight", "0.bias", "0.weight", "0.bias"],
               "shapes": [[8, 4], [8], [8, 4], [8]], "in_optimizer": [True, True, False, False]}
    assert [f.severity for f in no_gradient.fn(make_run(steps, [tensors]))] == ["info"]
