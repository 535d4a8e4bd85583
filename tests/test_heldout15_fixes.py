"""Fixes found by the fifteenth and sixteenth held-out sets: the padding row of an embedding
inside a whole-model gradient check, a learned scale that is a plain tensor attribute,
evaluation without a loss function in training mode, an EMA copy evaluated beside a live
model, the training and validation set evaluated one after the other, a small but lasting rise
of the validation loss, and a plateau that the labels' nearest neighbours say noise cannot explain."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from traindebug.gradcheck import check_model
from traindebug.rules.overfitting import overfitting

from test_dynamics_rules import make_run, training


class Tagger(nn.Module):
    """Padded token sequences through a bidirectional LSTM: what the backward direction reads at
    padded positions reaches the real ones, yet autograd gives the padding row no gradient."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(12, 6, padding_idx=0)
        self.lstm = nn.LSTM(6, 5, batch_first=True, bidirectional=True)
        self.out = nn.Linear(10, 3)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.out(self.lstm(self.emb(tokens))[0])


def test_a_whole_model_check_leaves_the_padding_row_out() -> None:
    torch.manual_seed(0)
    model = Tagger()
    tokens = torch.randint(1, 12, (4, 7))
    tokens[:, 5:] = 0  # padding at the end of every sequence
    targets = torch.randint(0, 3, (4, 7))

    def loss(output: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return nn.functional.cross_entropy(output.reshape(-1, 3), targets.reshape(-1))

    report = check_model(model, (tokens,), {}, loss)
    assert report.wrong == [], str(report)


SCALE_NOT_A_PARAMETER = """
import math
import torch
from torch import nn

class Cosine(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(8, 16)
        self.classes = nn.Parameter(torch.randn(4, 16))
        self.log_scale = torch.tensor(math.log(1.0), requires_grad=True)  # SCALE

    def forward(self, x):
        z = nn.functional.normalize(self.body(x), dim=1)
        w = nn.functional.normalize(self.classes, dim=1)
        return self.log_scale.exp() * z @ w.t()

torch.manual_seed(0)
x = torch.randn(256, 8)
y = x[:, :4].argmax(1)
model = Cosine()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(120):
    i = torch.randint(0, 256, (32,))
    model.last_input = x[i].clone().requires_grad_()   # an input kept for saliency, new every step
    loss = nn.functional.cross_entropy(model(model.last_input), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_scale_held_as_a_plain_tensor_attribute_is_found_unoptimized(check) -> None:
    found = check(SCALE_NOT_A_PARAMETER).serious()
    frozen = [f for f in found if f["category"] == "frozen_or_unoptimized"]
    assert frozen and frozen[0]["evidence"]["tensors"] == ["log_scale"]
    # registered as a parameter, it is optimized: no finding
    fixed = SCALE_NOT_A_PARAMETER.replace(
        "torch.tensor(math.log(1.0), requires_grad=True)  # SCALE", "nn.Parameter(torch.tensor(math.log(1.0)))")
    assert "frozen_or_unoptimized" not in check(fixed, name="fixed.py").categories()


EVAL_WITHOUT_LOSS = """
import copy
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 10)
y = (x[:, 0] + x[:, 1] > 0).long()
model = nn.Sequential(nn.Linear(10, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-2)

def accuracy(net):
    SWITCH
    with torch.no_grad():
        return (net(x[:128]).argmax(1) == y[:128]).float().mean().item()

for epoch in range(8):
    model.train()
    for i in range(0, 512, 64):
        loss = nn.functional.cross_entropy(model(x[i:i + 64]), y[i:i + 64])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, accuracy(model))
"""


def test_an_accuracy_under_no_grad_in_training_mode_is_wrong_mode(check) -> None:
    assert "wrong_mode" in check(EVAL_WITHOUT_LOSS.replace("SWITCH", "pass")).categories()
    assert "wrong_mode" not in check(EVAL_WITHOUT_LOSS.replace("SWITCH", "net.eval()"), name="ok.py").categories()


SAMPLES_EVERY_STEP = """
import torch
from torch import nn

torch.manual_seed(0)
gen = nn.Sequential(nn.Linear(4, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 2))
disc = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
opt_g = torch.optim.Adam(gen.parameters(), lr=1e-3)
opt_d = torch.optim.Adam(disc.parameters(), lr=1e-3)
bce = nn.functional.binary_cross_entropy_with_logits
for step in range(40):
    real = torch.randn(32, 2) * 0.5 + 2
    with torch.no_grad():
        fake = gen(torch.randn(32, 4))   # samples for the discriminator's step, in training mode
    d_loss = bce(disc(real), torch.ones(32, 1)) + bce(disc(fake), torch.zeros(32, 1))
    opt_d.zero_grad()
    d_loss.backward()
    opt_d.step()
    g_loss = bce(disc(gen(torch.randn(32, 4))), torch.ones(32, 1))
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
"""


def test_a_generator_sampled_without_gradients_every_step_is_not_evaluation(check) -> None:
    assert "wrong_mode" not in check(SAMPLES_EVERY_STEP).categories()


EMA_BESIDE_LIVE_MODEL = """
import copy
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 10)
y = (x[:, 0] > 0).float()
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 1))
ema = copy.deepcopy(model).requires_grad_(False).eval()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(80):
    i = torch.randint(0, 512, (64,))
    loss = nn.functional.binary_cross_entropy_with_logits(model(x[i]).squeeze(1), y[i])
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        for e, p in zip(ema.parameters(), model.parameters()):
            e.mul_(0.9).add_(p, alpha=0.1)
    if step % 10 == 9:   # the live model stays in training mode; the copy is in eval mode
        val = nn.functional.binary_cross_entropy_with_logits(ema(x[:128]).squeeze(1), y[:128])
"""


def test_an_ema_copy_in_eval_mode_beside_a_live_model_in_training_mode_is_fine(check) -> None:
    assert "wrong_mode" not in check(EMA_BESIDE_LIVE_MODEL).categories()


def _evaluations(pairs: list[tuple[float, ...]], every: int = 8) -> list[dict[str, Any]]:
    """Training steps whose loss falls, with the given evaluation losses every ``every`` steps."""
    steps = training(every * len(pairs), lambda i: 1.0 / (1 + i / 20))
    for k, losses in enumerate(pairs):
        s = steps[every * (k + 1) - 1]
        s["eval_loss"] = sum(losses) / len(losses)
        if len(losses) > 1:
            s["eval_losses"] = list(losses)
    return steps


def test_the_validation_half_of_a_train_and_validation_evaluation_is_judged() -> None:
    # the training set's loss falls as fast as the validation set's rises: their mean barely moves
    pairs = [(0.6 - 0.03 * k, 0.5 + (0.03 * (k - 4) if k > 4 else -0.01 * k)) for k in range(20)]
    found = overfitting.fn(make_run(_evaluations(pairs)))
    assert [f.category for f in found] == ["overfitting"]
    assert "loss 2 of the 2" in found[0].observation
    # a validation loss that keeps falling too: nothing
    assert overfitting.fn(make_run(_evaluations([(0.6 - 0.02 * k, 0.5 - 0.01 * k) for k in range(20)]))) == []


def test_a_small_rise_that_outlasts_early_stopping_patience_is_overfitting() -> None:
    falling = [1.5 - 0.025 * k for k in range(10)]            # minimum 1.275 at the 10th evaluation
    rising = [1.275 * (1 + 0.004 * (k + 1)) for k in range(13)]  # then +5 % over 13 more
    assert [f.category for f in overfitting.fn(make_run(_evaluations([(v,) for v in falling + rising])))] == ["overfitting"]
    # the same rise over 10 evaluations is within a common patience: not yet
    assert overfitting.fn(make_run(_evaluations([(v,) for v in falling + rising[:10]]))) == []


def test_labels_that_neighbours_predict_leave_no_room_for_label_noise() -> None:
    """A loss stuck at 0.6x ln(3) is what 20 % label noise leaves (info) unless nearest neighbours
    in the inputs almost always share a label (a linear model on spirals: a warning)."""
    from traindebug.rules.underfitting import underfitting

    chance = math.log(3)
    steps = training(300, lambda i: chance * (0.6 + 0.4 * math.exp(-i / 20)), ratio=2e-3)

    def neighbours(hits: float) -> list[dict[str, Any]]:
        return [{"kind": "label_neighbours", "hits": hits, "expected": 342.0, "variance": 367.0, "samples": 1024.0,
                 "steps": 16}]

    assert [f.severity for f in underfitting.fn(make_run(steps, chance=chance))] == ["info"]
    assert [f.severity for f in underfitting.fn(make_run(steps, neighbours(1022), chance=chance))] == ["warning"]
    # neighbours that agree only 75 % of the time allow that much noise: still info
    assert [f.severity for f in underfitting.fn(make_run(steps, neighbours(768), chance=chance))] == ["info"]
