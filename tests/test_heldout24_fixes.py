"""Fixes found by the twenty-fourth held-out set."""

from __future__ import annotations

SECOND_PHASE_FUNCTION = """
import torch
from torch import nn

class SoftKL(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, probs):
        ctx.save_for_backward(logits, probs)
        return (probs * (probs.log() - logits.log_softmax(-1))).sum(-1).mean()

    @staticmethod
    def backward(ctx, grad):
        logits, probs = ctx.saved_tensors
        return grad * (logits.softmax(DIM) - probs) / logits.shape[0], None

torch.manual_seed(0)
x, y = torch.randn(256, 8), torch.randint(0, 4, (256,))
teacher = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
opt = torch.optim.Adam(teacher.parameters(), lr=1e-2)
for step in range(30):                      # phase one: no custom Function
    loss = nn.functional.cross_entropy(teacher(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
student = nn.Sequential(nn.Linear(8, 4))
opt = torch.optim.Adam(student.parameters(), lr=1e-2)
with torch.no_grad():
    soft = teacher(x).softmax(-1)
for step in range(30):                      # phase two: the Function's first call is at step 30
    loss = SoftKL.apply(student(x), soft)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_custom_function_first_used_after_step_zero_is_checked(check) -> None:
    """A distillation phase after a teacher's training: the Function is checked at its first use."""
    wrong = check(SECOND_PHASE_FUNCTION.replace("DIM", "0"))
    found = [f for f in wrong.findings if f["rule"] == "gradcheck.wrong_function"]
    assert [(f["where"], f["step"]) for f in found] == [("SoftKL", 30)]
    right = check(SECOND_PHASE_FUNCTION.replace("DIM", "-1"), name="right.py")
    assert "wrong_gradient" not in right.categories()


DEEP_SIGMOID_WITH_DECAY = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(256, 16)
y = (x[:, :4].sum(1) > 0).long() + 2 * (x[:, 4:8].sum(1) > 0).long()
layers = []
for _ in range(10):
    layers += [nn.Linear(16 if not layers else 32, 32), nn.Sigmoid()]
model = nn.Sequential(*layers, nn.Linear(32, 4))
opt = torch.optim.Adam(model.parameters(), lr=0.003, weight_decay=WD)
for step in range(200):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_decay_that_shrinks_only_matrices_whose_gradient_vanished_is_not_over_regularization(check) -> None:
    """Under Adam's coupled decay, matrices whose gradient vanished shrink whatever the decay:
    the vanishing gradients are the cause, and the decay is judged on the other matrices."""
    found = check(DEEP_SIGMOID_WITH_DECAY.replace("WD", "5e-4")).categories()
    assert found[0] == "vanishing_gradients"
    assert "over_regularization" not in found


REPTILE = """
import torch
import torch.nn.functional as F

torch.manual_seed(0)
meta = [torch.randn(32, 1) / 1.0, torch.zeros(32), torch.randn(1, 32) / 32 ** 0.5, torch.zeros(1)]

def forward(params, x):
    return F.linear(torch.tanh(F.linear(x, params[0], params[1])), params[2], params[3])

for task in range(60):
    amp, phase = 0.5 + 4 * torch.rand(()), 3 * torch.rand(())
    x = 10 * torch.rand(10, 1) - 5
    y = amp * torch.sin(x + phase)
    fast = [p.clone().requires_grad_(True) for p in meta]
    opt = torch.optim.SGD(fast, lr=0.02)
    for _ in range(5):
        RESET
        F.mse_loss(forward(fast, x), y).backward()
        opt.step()
    with torch.no_grad():
        for p, q in zip(meta, fast):
            p.add_(0.5 * (q - p))
"""


def test_fresh_copies_per_task_without_zero_grad_are_missing_zero_grad_not_frozen(check) -> None:
    """A meta-learner adapts a fresh copy of its weights per task for 5 steps: each copy is its
    own part of the model, too short to be judged alone, so the copies are judged together; the
    copies it has discarded keep their last gradient, which no backward writes again, so they do
    not count as tensors that get gradients but never change."""
    found = check(REPTILE.replace("RESET", "pass")).categories()
    assert found[0] == "missing_zero_grad"
    assert "frozen_or_unoptimized" not in found
    fixed = check(REPTILE.replace("RESET", "opt.zero_grad()"), name="fixed.py").categories()
    assert "missing_zero_grad" not in fixed and "frozen_or_unoptimized" not in fixed


CONTRASTIVE_GRU = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)

class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(2, 16)
        self.rnn = nn.GRU(16, 16)                       # time-major
        self.head = nn.Linear(16, 8)

    def forward(self, x):                               # x: (batch, time, 2)
        b, t, _ = x.shape
        h = self.inp(x)
        h = TO_TIME_MAJOR
        _, last = self.rnn(h)
        return self.head(last[-1])

model = Encoder()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for step in range(30):
    x = torch.randn(32, 12, 2)
    z = F.normalize(torch.cat([model(x + 0.1 * torch.randn_like(x)), model(x + 0.1 * torch.randn_like(x))]), dim=1)
    sim = z @ z.t() / 0.5 - 1e9 * torch.eye(64)
    targets = torch.cat([torch.arange(32, 64), torch.arange(32)])   # 2B targets for a (B, d) output
    loss = F.cross_entropy(sim, targets)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_batch_mixing_is_checked_when_a_contrastive_loss_targets_both_views(check) -> None:
    """NT-Xent's targets index both views (2B) of a (B, d) output: the batch is the first
    dimension that the input and the 2-D output share."""
    wrong = check(CONTRASTIVE_GRU.replace("TO_TIME_MAJOR", "h.view(t, b, -1)"))
    assert wrong.categories()[:1] == ["batch_mixing"]
    right = check(CONTRASTIVE_GRU.replace("TO_TIME_MAJOR", "h.transpose(0, 1)"), name="right.py")
    assert "batch_mixing" not in right.categories()


LINEAR_STACK = """
import math
import torch
from torch import nn

torch.manual_seed(0)
t = torch.rand(1024) * math.pi
upper = torch.rand(1024) < 0.5
x = torch.stack([torch.where(upper, t.cos(), 1 - t.cos()), torch.where(upper, t.sin(), 0.5 - t.sin())], 1)
x = x + 0.1 * torch.randn_like(x)
y = upper.long()
ACT = {"relu": nn.ReLU, "tanh": nn.Tanh}
act = ACT.get(NAME, nn.Identity)
model = nn.Sequential(nn.Linear(2, 32), act(), nn.Linear(32, 32), act(), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
for step in range(240):
    idx = torch.randint(0, 1024, (32,))
    loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_stack_of_linear_layers_is_underfitting_before_its_loss_levels_off(check) -> None:
    """An activation looked up under the wrong key became an identity: the two moons are fitted by
    one linear map, whose loss still creeps down (12 % over the last half) far above zero."""
    assert check(LINEAR_STACK.replace("NAME", '"ReLU"')).categories()[:1] == ["underfitting"]
    assert "underfitting" not in check(LINEAR_STACK.replace("NAME", '"relu"'), name="fixed.py").categories()


MASKED_GCN = """
import torch
from torch import nn

torch.manual_seed(0)
n, blocks = 120, 3
y = torch.arange(n) % blocks
same = (y[:, None] == y[None, :]).float()
adj = (torch.rand(n, n) < 0.02 + 0.2 * same).float()
adj = ((adj + adj.t()) > 0).float() + torch.eye(n)
a_hat = adj / adj.sum(1, keepdim=True)
x = torch.randn(n, 8)
train = torch.rand(n) < 0.3                       # the loss sees 30 % of the nodes


class GCN(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = nn.Linear(8, 16), nn.Linear(16, blocks)

    def forward(self, x, a):
        return a @ self.l2(torch.relu(a @ self.l1(x)))


model = GCN()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(60):
    loss = nn.functional.cross_entropy(model(x, a_hat)[train], y[train])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_graph_network_with_a_loss_on_some_nodes_is_not_batch_mixing(check) -> None:
    """Nodes mix through the (N, N) adjacency by design: its rows are not independent samples."""
    assert "batch_mixing" not in check(MASKED_GCN).categories()


DEAD_WITH_DECAY = """
import torch
from torch import nn

torch.manual_seed(0)
x = 0.2 * torch.rand(256, 8)
y = (x[:, 0] > x[:, 1]).long() + 2 * (x[:, 2] > x[:, 3]).long()
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 4))
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.constant_(m.bias, BIAS)
opt = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=5e-4)
for step in range(150):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_decay_shrinking_weights_behind_dead_units_is_not_over_regularization(check) -> None:
    """Every ReLU is dead from the start, so no weight matrix gets a gradient and Adam's coupled
    decay shrinks them all: the dead units are the cause."""
    found = check(DEAD_WITH_DECAY.replace("BIAS", "-1.0")).categories()
    assert found[0] == "dead_units" and "over_regularization" not in found


DETACHED_GATE = """
import torch
from torch import nn

torch.manual_seed(0)
x, y = torch.randn(256, 8), torch.randint(0, 3, (256,))


class Gated(nn.Module):
    def __init__(self):
        super().__init__()
        self.gate, self.out = nn.Linear(8, 8), nn.Linear(8, 3)

    def forward(self, x):
        g = torch.sigmoid(self.gate(x))
        self.last_gate = g.detach()             # kept for plotting
        return self.out(x * GATE + g)


model = Gated()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(40):
    loss = nn.functional.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_finite_difference_disagreement_without_a_custom_function_is_a_cut_graph(check) -> None:
    """No hand-written backward exists, so autograd disagreeing with finite differences means a path
    the forward uses carries no gradient: no_gradient_flow, not wrong_gradient. The gate still gets
    a gradient through its other path, so only the check sees the cut."""
    found = check(DETACHED_GATE.replace("GATE", "self.last_gate"))
    assert "flow.cut_graph" in [f["rule"] for f in found.findings]
    assert "wrong_gradient" not in found.categories() and found.categories()[0] == "no_gradient_flow"
    assert check(DETACHED_GATE.replace("GATE", "g"), name="fixed.py").categories() == []


def test_an_error_inside_traindebug_does_not_reach_the_script(tmp_path, monkeypatch) -> None:
    """A failure in traindebug's own event handling is recorded and the user's loop runs on."""
    import json

    import torch
    from torch import nn

    import traindebug
    from traindebug.session import Session

    def broken(self: Session, module: nn.Module) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Session, "before_root_forward", broken)
    model = nn.Linear(4, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with traindebug.Session(tmp_path, quiet=True):
        for _ in range(5):
            loss = model(torch.randn(8, 4)).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    errors = [r for r in records if r["kind"] == "probe_error"]
    assert errors and errors[0]["probe"] == "session.before_root_forward" and "boom" in errors[0]["error"]
    assert sum(r["kind"] == "step" for r in records) == 5


TWO_HEADS = """
import torch
from torch import nn

torch.manual_seed(0)
fine = torch.arange(9).repeat_interleave(64)             # rows grouped by class
x = torch.randn(576, 12) + nn.functional.one_hot(fine, 12).float() * 2
coarse = fine // 3
ORDER
trunk = nn.Sequential(nn.Linear(12, 32), nn.ReLU())
heads = nn.ModuleDict({"coarse": nn.Linear(32, 3), "fine": nn.Linear(32, 9)})
opt = torch.optim.Adam([*trunk.parameters(), *heads.parameters()], lr=1e-2)
for epoch in range(4):
    for i in range(0, 576, 32):
        h = trunk(x[i:i + 32])
        loss = (nn.functional.cross_entropy(heads["coarse"](h), coarse[i:i + 32])
                + nn.functional.cross_entropy(heads["fine"](h), fine[i:i + 32]))
        opt.zero_grad()
        loss.backward()
        opt.step()
"""


def test_two_heads_with_different_classes_keep_their_label_statistics(check) -> None:
    """A coarse (3-class) and a fine (9-class) head: the labels of the step's first call are
    followed, instead of the counts restarting at every call (which read as 'every label is one
    class')."""
    found = check(TWO_HEADS.replace("ORDER", "pass")).categories()
    assert found[0] == "unshuffled_data" and "label_problem" not in found
    shuffled = TWO_HEADS.replace("ORDER", "perm = torch.randperm(576); x, fine, coarse = x[perm], fine[perm], coarse[perm]")
    assert check(shuffled, name="shuffled.py").categories() == []


SOFTMAX_MODEL = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
x, y = torch.randn(256, 10), torch.randint(0, 4, (256,))
x[torch.arange(256), y] += 2
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 4), HEAD)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(60):
    logp = F.log_softmax(model(x), dim=1)            # a focal loss written by hand
    pt = logp.gather(1, y[:, None]).exp()
    loss = -((1 - pt) ** 2 * logp.gather(1, y[:, None])).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_hand_written_loss_that_normalises_a_softmax_again_is_found(check) -> None:
    wrong = check(SOFTMAX_MODEL.replace("HEAD", "nn.Softmax(dim=1)"))
    assert wrong.categories()[:1] == ["loss_output_mismatch"]
    assert "loss_output_mismatch" not in check(SOFTMAX_MODEL.replace("HEAD", "nn.Identity()"), name="fixed.py").categories()


RESIDUAL_REGRESSOR = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 10)
y = torch.sin(x[:, 0]) + 0.5 * x[:, 1] * x[:, 2]
y = (y - y.mean()) / y.std()


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm, self.fc1, self.fc2 = nn.LayerNorm(64), nn.Linear(64, 64), nn.Linear(64, 64)

    def forward(self, h):
        return h + self.fc2(torch.relu(self.fc1(self.norm(h))))


stem, blocks, head = nn.Linear(10, 64), nn.Sequential(*[Block() for _ in range(6)]), nn.Linear(64, 1)
model = nn.Sequential(stem, blocks, nn.LayerNorm(64), head)
for m in model.modules():
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=STD)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
for step in range(80):
    idx = torch.randint(0, 512, (64,))
    loss = nn.functional.mse_loss(model(x[idx]).squeeze(1), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_regression_output_far_above_its_targets_at_init_is_bad_init_scale(check) -> None:
    """The head's weights at std 1 on 64 inputs: the first predictions are ~8x the targets' scale."""
    assert "init.output_vs_target" in [f["rule"] for f in check(RESIDUAL_REGRESSOR.replace("STD", "1.0")).findings]
    assert "bad_init_scale" not in check(RESIDUAL_REGRESSOR.replace("STD", "0.02"), name="fixed.py").categories()
