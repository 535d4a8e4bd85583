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
