"""Fixes found by the twentieth held-out set and the twelfth session's sets."""

from __future__ import annotations

PER_EPOCH_RESET = """
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(256, 10), torch.randint(0, 3, (256,))
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
for epoch in range(4):
    opt.zero_grad()                       # once per epoch, not per iteration
    for i in range(0, 256, 48):
        nn.functional.cross_entropy(model(x[i:i + 48]), y[i:i + 48]).backward()
        opt.step()
"""


def test_a_reset_once_per_epoch_is_missing_zero_grad(check) -> None:
    """Six iterations an epoch: five of every six steps start from the gradients of the step before."""
    assert check(PER_EPOCH_RESET).categories()[0] == "missing_zero_grad"
    reset_each_step = PER_EPOCH_RESET.replace("        nn.functional", "        opt.zero_grad()\n        nn.functional")
    assert "missing_zero_grad" not in check(reset_each_step, name="fixed.py").categories()


def test_a_sigmoid_output_into_bce_with_logits_is_found_after_it_saturates() -> None:
    """The model learns to push its logits far out, so the sigmoid's output reaches exactly 0 and 1
    in float32 later in the run: the autograd node that made the input still tells."""
    from traindebug.rules.loss_output_mismatch import normalised_twice
    from traindebug.store import RunData

    def records(op: str) -> list[dict]:
        ranges = [(0.48, 0.55), (0.30, 0.50), (5e-6, 0.94), (2e-16, 1.0)]
        return [{"kind": "loss_input", "step": s, "name": "binary_cross_entropy_with_logits", "input_op": op,
                 "input_shape": [256], "input_min": lo, "input_max": hi} for s, (lo, hi) in zip((0, 10, 50, 200), ranges)]

    assert [f.category for f in normalised_twice.fn(RunData(records("SigmoidBackward0")))] == ["loss_output_mismatch"]
    assert normalised_twice.fn(RunData(records("MulBackward0"))) == []


PLAIN_LIST = """
import torch
from torch import nn

torch.manual_seed(0)
cats, nums = torch.randint(0, 5, (512, 2)), torch.randn(512, 3)
y = torch.randn(512, 1)


class Tabular(nn.Module):
    def __init__(self):
        super().__init__()
        self.embs = CONTAINER([nn.Embedding(5, 4) for _ in range(2)])
        self.head = nn.Linear(11, 1)

    def forward(self, c, x):
        return self.head(torch.cat([e(c[:, k]) for k, e in enumerate(self.embs)] + [x], 1))


model = Tabular()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(150):
    i = torch.randint(0, 512, (64,))
    loss = nn.functional.mse_loss(model(cats[i], nums[i]), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_modules_kept_in_a_plain_list_are_observed(check) -> None:
    """Embeddings in a Python list take part in the forward but not in model.parameters()."""
    found = check(PLAIN_LIST.replace("CONTAINER", "list"))
    assert found.categories()[0] == "frozen_or_unoptimized"
    assert "frozen_or_unoptimized" not in check(PLAIN_LIST.replace("CONTAINER", "nn.ModuleList"), name="fixed.py").categories()


LBFGS_TANH = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.linspace(-1, 1, 200).unsqueeze(1)
y = torch.sin(3 * x)


class Scaled(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.linear = nn.Linear(d_in, d_out)

    def forward(self, z):
        return torch.tanh(OMEGA * self.linear(z))


model = nn.Sequential(Scaled(1, 32), Scaled(32, 32), Scaled(32, 32), nn.Linear(32, 1))
opt = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=10, line_search_fn="strong_wolfe")


def closure():
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    return loss


for outer in range(12):
    opt.step(closure)
"""


def test_saturated_units_of_a_run_with_few_optimizer_steps_are_checked(check) -> None:
    """Twelve L-BFGS steps: the unit checks at steps 1 and 10 see the units stay saturated."""
    assert "saturated_units" in check(LBFGS_TANH.replace("OMEGA", "30.0")).categories()[:3]
    assert "saturated_units" not in check(LBFGS_TANH.replace("OMEGA", "1.0"), name="fixed.py").categories()


FROZEN_BN = """
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))
model = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(3):
    model.train()
    MODE
    for i in range(0, 256, 16):
        loss = nn.functional.cross_entropy(model(x[i:i + 16]), y[i:i + 16])
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_batch_norm_frozen_on_its_own_is_not_wrong_mode(check) -> None:
    """Batch norm put in eval mode inside a model in training mode was frozen on purpose;
    the whole model in eval mode (an evaluation's model.eval() left on) is the bug."""
    frozen = "for m in model.modules():\n        if isinstance(m, nn.BatchNorm1d):\n            m.eval()"
    assert "wrong_mode" not in check(FROZEN_BN.replace("MODE", frozen)).categories()
    assert "wrong_mode" in check(FROZEN_BN.replace("MODE", "model.eval()"), name="left_in_eval.py").categories()[:3]


def test_a_jump_thrown_up_by_large_steps_of_an_adaptive_optimizer_is_lr_too_high() -> None:
    """RMSprop at lr 0.1: three huge steps throw the loss up 12 000-fold, then the swollen second
    moment makes every later step tiny, so the median over the first 10 steps looks healthy."""
    from traindebug.rules.learning_rate import diverging
    from traindebug.store import RunData

    def run(ratios: list[float]) -> RunData:
        losses = [0.99, 531.0, 4845.0, 12666.0] + [4.0, 3.8, 4.5, 2.1, 3.8, 3.9, 2.7] + [1.0 - 0.001 * i for i in range(40)]
        records: list[dict] = [{"kind": "tensors", "step": 0, "names": ["w1", "w2"], "shapes": [[32, 10], [1, 32]], "in_optimizer": [True, True]}]
        records += [{"kind": "step", "step": i, "loss": v, "update_ratio": [r, r], "param_norms": [3.0, 1.0]}
                    for i, (v, r) in enumerate(zip(losses, ratios + [0.002] * (len(losses) - len(ratios))))]
        return RunData(records)

    assert [f.category for f in diverging.fn(run([3.9, 0.9, 0.6, 0.6]))] == ["lr_too_high"]
    assert diverging.fn(run([0.003, 0.002, 0.002, 0.002])) == []  # a jump the step sizes do not explain


def test_an_l2_penalty_added_to_a_summed_loss_divided_by_the_batch_is_measured() -> None:
    """loss = F.bce(..., reduction="sum") / len(y) + 0.05 * sum of squared weights: the data term
    is the loss function's value over the batch size, and what is left is the penalty."""
    from traindebug.rules.over_regularization import loss_penalty
    from traindebug.store import RunData

    records: list[dict] = [
        {"kind": "tensors", "step": 0, "names": ["w1", "w2"], "shapes": [[64, 8], [4, 64]], "in_optimizer": [True, True]},
        {"kind": "loss_fn", "step": 0, "name": "binary_cross_entropy_with_logits", "reduction": "sum",
         "input": {"shape": [50, 4]}, "target": {"shape": [50, 4]}},
    ]
    for i in range(60):
        norms = [6.0 - 0.05 * i, 3.0 - 0.02 * i]
        value = 50 * (2.3 - 0.01 * i + 0.05 * (-1) ** i)  # summed over the batch of 50
        penalty = 0.05 * sum(n * n for n in norms)
        records.append({"kind": "step", "step": i, "loss": value / 50 + penalty, "loss_fn_value": value, "loss_fn_calls": 1,
                        "backward_passes": 1, "param_norms": norms, "grad_norms": [0.3, 0.2], "update_ratio": [1e-3, 1e-3]})
    found = loss_penalty.fn(RunData(records))
    assert [f.category for f in found] == ["over_regularization"]
    assert found[0].evidence["l2_coefficient"] == __import__("pytest").approx(0.05, rel=1e-3)


ENSEMBLE = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
x, y = torch.randn(320, 16), torch.randint(0, 4, (320,))


class Ensemble(nn.Module):
    def __init__(self):
        super().__init__()
        self.members = nn.ModuleList(nn.Sequential(nn.Linear(16, 32), nn.Tanh(), nn.Linear(32, 4)) for _ in range(3))

    def forward(self, x):
        return torch.stack([m(x) for m in self.members])  # (members, batch, classes)


model = Ensemble()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for i in range(0, 320, 16):                         # batch 16 = 16 input features
    logits = model(x[i:i + 16])
    loss = sum(F.cross_entropy(l, y[i:i + 16]) for l in logits)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_stacked_ensemble_output_is_not_taken_for_batch_mixing(check) -> None:
    """The batch is the output's dim 1, the input's dim 0; with as many features as samples,
    taking the input's dim 1 for the batch read the first layer's sum over features as mixing."""
    found = check(ENSEMBLE, "--max-steps", "5")
    assert "batch_mixing" not in found.categories()
    record = [line for line in (found.out / "metrics.jsonl").read_text().splitlines() if '"batch_mixing"' in line]
    assert '"batch_size_from":"loss target"' in record[0]


GAN = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
G = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 1))
D = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
opt_g, opt_d = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)
for step in range(40):
    fake = G(torch.randn(32, 4))
    d_loss = F.binary_cross_entropy_with_logits(D(torch.randn(32, 1) + 2), ones) + \\
        F.binary_cross_entropy_with_logits(D(fake.detach()), zeros)
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    RESET
    F.binary_cross_entropy_with_logits(D(fake), ones).backward()
    opt_g.step()
"""


def test_a_gan_whose_generator_is_never_reset_is_missing_zero_grad(check) -> None:
    """Every other step is the discriminator's, reset each time: the generator's steps are judged on their own."""
    assert check(GAN.replace("RESET", "pass")).categories()[0] == "missing_zero_grad"
    assert "missing_zero_grad" not in check(GAN.replace("RESET", "opt_g.zero_grad()"), name="fixed.py").categories()


def test_gradients_growing_from_a_tiny_start_while_the_loss_falls_are_info() -> None:
    """A contrastive loss whose embeddings start out alike: the gradient norm grows 200x in the
    first steps and settles while the loss falls without a jump; with a rising loss it is a warning."""
    from traindebug.rules.gradient_scale import exploding
    from traindebug.store import RunData

    def run(losses: list[float]) -> RunData:
        norms = [0.004, 0.02, 0.04] + [min(5.0, 0.1 * 2 ** i) for i in range(len(losses) - 3)]
        return RunData([{"kind": "step", "step": i, "loss": v, "grad_norm": g} for i, (v, g) in enumerate(zip(losses, norms))])

    falling = [5.5 - 0.02 * i for i in range(120)]
    assert [f.severity for f in exploding.fn(run(falling))] == ["info"]
    rising = [5.5 + 0.02 * i for i in range(120)]
    assert [f.severity for f in exploding.fn(run(rising))] == ["warning"]


def test_weights_still_collapsing_at_the_end_without_weight_decay_are_over_regularization() -> None:
    """A penalty summed over the batch pulls two embedding tables to 2 % of their start, and they
    still shrink at the end, while biases (zero at the start) fit: a warning although the loss fell.
    Weights that settled at a small norm are only info."""
    import math

    from traindebug.rules.over_regularization import weights_collapse
    from traindebug.store import RunData

    def run(norm) -> RunData:
        records: list[dict] = [
            {"kind": "tensors", "step": 0, "names": ["P", "Q", "bu"], "shapes": [[400, 16], [250, 16], [400, 1]], "in_optimizer": [True] * 3},
            {"kind": "optimizers", "step": 0, "optimizers": [{"type": "SparseAdam", "groups": [{"lr": 0.01, "params": 3}]}]},
        ]
        records += [{"kind": "step", "step": i, "loss": 2.1 - 1.2 * (1 - math.exp(-i / 40)),
                     "param_norms": [8.0 * norm(i), 6.0 * norm(i), 0.02 * i]} for i in range(0, 300, 10)]
        return RunData(records)

    still = weights_collapse.fn(run(lambda i: math.exp(-i / 75)))  # 2 % at the end, -28 % over the last quarter
    assert [f.severity for f in still] == ["warning"]
    settled = weights_collapse.fn(run(lambda i: 0.02 + 0.98 * math.exp(-i / 20)))
    assert [f.severity for f in settled] == ["info"]
