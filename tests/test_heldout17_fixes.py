"""Fixes found by the seventeenth held-out set (and a known miss of the eleventh): a per-position
sequence output of a model with a sequence-first RNN, checked for batch mixing along both of its
first two dimensions."""

from __future__ import annotations

import math

LANGUAGE_MODEL = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)
B, T, V = 12, 8, 20
tokens = torch.randint(0, V, (400,))


class LM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(V, 6)
        self.rnn = nn.GRU(6, 16)          # sequence-first
        self.head = nn.Linear(16, V)

    def forward(self, x):
        FORWARD


model = LM()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(20):
    start = torch.randint(0, 400 - T - 1, (B,))
    x = torch.stack([tokens[s:s + T] for s in start])
    y = torch.stack([tokens[s + 1:s + T + 1] for s in start])
    INPUT
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    opt.step()
"""

VIEW = "n, t = x.shape\n        h, _ = self.rnn(self.emb(x).view(t, n, -1))\n        return self.head(h.view(n, t, -1))"
TRANSPOSE = "h, _ = self.rnn(self.emb(x).transpose(0, 1))\n        return self.head(h.transpose(0, 1))"
TIME_MAJOR = "h, _ = self.rnn(self.emb(x))\n        return self.head(h)"


def _lm(forward: str, time_major_input: bool = False) -> str:
    feed = "x, y = x.t(), y.t()" if time_major_input else "pass"
    return LANGUAGE_MODEL.replace("FORWARD", forward).replace("INPUT", feed)


def test_a_view_into_a_sequence_first_rnn_mixes_samples_of_a_sequence_output(check) -> None:
    """Batch 12, length 8: the view scrambles samples along both dimensions of the output."""
    found = check(_lm(VIEW), "--max-steps", "3")
    assert "batch_mixing" in found.categories()[:3]
    record = [line for line in (found.out / "metrics.jsonl").read_text().splitlines() if '"batch_mixing"' in line]
    assert '"mixed_along":[0,1]' in record[0]


def test_a_correct_sequence_first_rnn_is_not_taken_for_mixing(check) -> None:
    """Along the time dimension outputs depend on earlier positions by design: not mixing."""
    assert "batch_mixing" not in check(_lm(TRANSPOSE), "--max-steps", "3").categories()
    assert "batch_mixing" not in check(_lm(TIME_MAJOR, time_major_input=True), "--max-steps", "3", name="tm.py").categories()


def test_a_hand_written_warmup_that_never_ends_is_lr_too_low() -> None:
    """No scheduler: the rate given to the optimizer's constructor is the configured one. A loss
    still falling at the end, above half its start, is held back by the rate; a converged one is not."""

    from traindebug.rules.lr_too_low import schedule_below_configured
    from traindebug.store import RunData

    def run(losses: list[float]) -> RunData:
        records = [{"kind": "tensors", "step": 0, "names": ["w"], "shapes": [[4, 4]], "in_optimizer": [True]},
                   {"kind": "optimizers", "step": 0, "optimizers": [{"type": "SGD", "default_lr": 0.05, "groups": [{"lr": 3e-4}]}]}]
        records += [{"kind": "step", "step": i, "loss": v, "lr": [3e-4 * (1 + i // 25)], "update_ratio": [1e-3]}
                    for i, v in enumerate(losses)]
        return RunData(records)

    slowly = [2.3 - 0.7 * (i / 180) ** 2 for i in range(180)]  # 2.3 -> 1.6, falling faster at the end
    assert [f.category for f in schedule_below_configured.fn(run(slowly))] == ["lr_too_low"]
    converged = [2.3 * math.exp(-i / 20) + 0.05 for i in range(180)]
    assert schedule_below_configured.fn(run(converged)) == []


def _per_tensor_run(rows: list[dict], shapes: list[list[int]]) -> "RunData":
    from traindebug.store import RunData

    names = [f"layer{i}.weight" for i in range(len(shapes))]
    records = [{"kind": "tensors", "step": 0, "names": names, "shapes": shapes, "in_optimizer": [True] * len(shapes)}]
    return RunData(records + [{"kind": "step", "step": i, "loss": 1.0, **row} for i, row in enumerate(rows)])


def test_small_early_gradients_that_an_adaptive_optimizer_makes_up_for_are_not_vanishing() -> None:
    """Adam divides each gradient by its own scale: an encoder behind a straight-through bottleneck
    gets 180x smaller gradients and still moves as fast, relative to its weights, as the head."""
    from traindebug.rules.gradient_scale import vanishing_depth

    shapes = [[16, 16]] * 3
    grads = {"grad_norms": [1e-5, 1e-3, 1e-2], "param_norms": [4.0, 4.0, 4.0]}
    adam = _per_tensor_run([{**grads, "update_ratio": [2e-2, 2e-2, 2e-2]}] * 10, shapes)
    assert vanishing_depth.fn(adam) == []
    sgd = _per_tensor_run([{**grads, "update_ratio": [2e-5, 2e-3, 2e-2]}] * 10, shapes)
    assert [f.category for f in vanishing_depth.fn(sgd)] == ["vanishing_gradients"]


def test_a_module_trained_alone_in_a_later_phase_outside_the_optimizer_is_frozen() -> None:
    """Phase 2 trains only a new head the optimizer does not hold: no tensor moves on any of its
    steps, which must not pass for optimizer steps skipped by a GradScaler."""
    from traindebug.rules.gradient_flow import frozen

    shapes = [[8, 8], [8, 8], [4, 8]]
    phase1 = [{"update_grad_norms": [1.0, 1.0], "update_norms": [0.1, 0.1]}] * 5
    phase2 = [{"update_grad_norms": [0.0, 0.0, 0.5 * (k + 1)], "update_norms": [0.0, 0.0, 0.0]} for k in range(6)]
    found = frozen.fn(_per_tensor_run(phase1 + phase2, shapes))
    assert [f.where for f in found] == ["layer2"]


FUNCTIONAL_SIGMOID = """
import torch
import torch.nn.functional as F

torch.manual_seed(0)
x, y = torch.randn(256, 10), torch.randint(0, 3, (256,))
params = []
for fan_in, fan_out in zip([10] + [24] * 8, [24] * 8 + [3]):
    params += [(torch.randn(fan_out, fan_in) * (2 / (fan_in + fan_out)) ** 0.5).requires_grad_(), torch.zeros(fan_out, requires_grad=True)]
for step in range(40):
    h = x
    for i in range(0, len(params), 2):
        h = F.linear(h, params[i], params[i + 1])
        h = torch.sigmoid(h) if i + 2 < len(params) else h
    loss = F.cross_entropy(h, y)
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= 0.1 * g
"""


def test_a_functional_model_s_tensors_are_in_depth_order(check) -> None:
    """Tensors found in the autograd graph (no module, no optimizer) are listed input side first,
    as model.parameters() would: the deep sigmoid stack's first layer is the one starved."""
    found = check(FUNCTIONAL_SIGMOID)
    assert "vanishing_gradients" in found.categories() and "exploding_gradients" not in found.categories()


SEGMENTER = """
import torch
from torch import nn
import torch.nn.functional as F

torch.manual_seed(0)


class Segmenter(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Conv1d(2, 8, 3, padding=1)
        self.context = nn.GRU(8, 4, bidirectional=True)   # sequence-first
        self.out = nn.Conv1d(8, 3, 1)

    def forward(self, x):
        z = F.relu(self.enc(x))                       # (B, 8, L)
        seq, _ = self.context(z.permute(2, 0, 1))     # (L, B, 8)
        z = SEQUENCE_BACK
        return self.out(z)                            # (B, 3, L)


model = Segmenter()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(10):
    x, y = torch.randn(16, 2, 24), torch.randint(0, 3, (16, 24))
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_segmentation_output_whose_second_dimension_is_classes_is_checked_along_the_batch(check) -> None:
    """(batch, classes, length): dim 1 cannot be the batch (the inputs lack it), so dim 0 is judged alone."""
    assert "batch_mixing" in check(SEGMENTER.replace("SEQUENCE_BACK", "seq.reshape(x.shape[0], -1, seq.shape[0])"), "--max-steps", "3").categories()
    assert "batch_mixing" not in check(SEGMENTER.replace("SEQUENCE_BACK", "seq.permute(1, 2, 0)"), "--max-steps", "3", name="ok.py").categories()


CLIP_BEFORE_BACKWARD = """
import torch
from torch import nn

torch.manual_seed(0)
rnn, head = nn.RNN(1, 32, nonlinearity="relu", batch_first=True), nn.Linear(32, 1)
with torch.no_grad():
    rnn.weight_hh_l0.copy_(1.3 * torch.eye(32))   # recurrent gain above 1
params = list(rnn.parameters()) + list(head.parameters())
opt = torch.optim.SGD(params, lr=1e-4)
for step in range(40):
    x = torch.randn(16, 40, 1)
    y = x.sum(1)
    opt.zero_grad()
    nn.utils.clip_grad_norm_(params, 1.0)
    loss = nn.functional.mse_loss(head(rnn(x)[0][:, -1]), y)
    loss.backward()
    opt.step()
"""


def test_clipping_before_backward_never_limits_an_update(check) -> None:
    """The clip sees the zeroed gradients (norm 0); the update uses the unclipped ones."""
    found = check(CLIP_BEFORE_BACKWARD)
    clip = [f for f in found.serious() if f["rule"] == "gradients.clip_after_update"]
    assert clip and clip[0]["category"] == "exploding_gradients"


def test_a_constant_matrix_whose_units_get_different_gradients_is_not_symmetric() -> None:
    """A Bayes-by-backprop log-std matrix starts at one constant; each unit scales its own noise,
    so the units part at once, far above round-off, while still close relative to the constant."""
    from traindebug.rules.symmetric_init import symmetric
    from traindebug.store import RunData

    def run(spreads: list[float]) -> RunData:
        records = [{"kind": "tensors", "step": 0, "names": ["w"], "shapes": [[8, 8]], "in_optimizer": [True]}]
        return RunData(records + [{"kind": "step", "step": 50 * k, "loss": 1.0, "unit_spread": [v]} for k, v in enumerate(spreads)])

    assert symmetric.fn(run([0.0, 8e-4, 2e-3, 4e-3, 9e-3])) == []
    assert [f.category for f in symmetric.fn(run([0.0, 1e-6, 4e-5, 3e-4, 1e-3]))] == ["symmetric_init"]  # round-off drift


def test_an_added_term_that_dominates_a_fitted_data_term_is_only_a_note() -> None:
    """A KL term 99 % of the loss while the data term fell to 6 % of its start: the fit was not prevented."""
    from traindebug.rules.over_regularization import loss_penalty
    from traindebug.store import RunData

    def run(data: list[float]) -> RunData:
        records = [{"kind": "tensors", "step": 0, "names": ["w"], "shapes": [[4, 4]], "in_optimizer": [True]}]
        return RunData(records + [{"kind": "step", "step": i, "loss": d + 4.0, "loss_fn_value": d, "loss_fn_calls": 1,
                                   "backward_passes": 1} for i, d in enumerate(data)])

    fitted = [0.04 + 0.74 * 0.9**i for i in range(200)]  # falls to 6 % of its start, then flat
    assert [f.severity for f in loss_penalty.fn(run(fitted))] == ["info"]
    stuck = [0.78 - 0.1 * min(i, 20) / 20 for i in range(200)]
    assert [f.severity for f in loss_penalty.fn(run(stuck))] == ["warning"]


SAMPLED_NEGATIVES = """
import torch
import torch.nn.functional as F

torch.manual_seed(0)
users, items = torch.randn(50, 8, requires_grad=True), torch.randn(80, 8, requires_grad=True)
opt = torch.optim.Adam([users, items], lr=1e-2)
for step in range(30):
    u, i = torch.randint(0, 50, (32,)), torch.randint(0, 80, (32,))
    negatives = torch.randint(0, 80, (32, 4))
    positive = (users[u] * items[i]).sum(-1)
    negative = (users[u][:, None] * items[negatives]).sum(-1)
    loss = F.binary_cross_entropy_with_logits(positive, torch.ones_like(positive)) + \\
        F.binary_cross_entropy_with_logits(negative, torch.zeros_like(negative))
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_sampled_negatives_with_a_two_dimensional_target_are_counted_as_labels(check) -> None:
    """The negatives' constant (batch, 4) target is the other class: not 'every label is class 1'."""
    assert "label_problem" not in check(SAMPLED_NEGATIVES).categories()


def test_a_loss_that_goes_negative_has_no_early_spike_factor() -> None:
    from traindebug.rules.learning_rate import early_spike
    from traindebug.store import RunData

    losses = [60.0, 228.0] + [50.0 - i for i in range(60)]  # a Gaussian NLL with learned variance, ends below 0
    assert math.isnan(early_spike(RunData([{"kind": "step", "step": i, "loss": v} for i, v in enumerate(losses)])))
    positive = [60.0, 228.0] + [50.0 - 0.5 * i for i in range(60)]
    assert early_spike(RunData([{"kind": "step", "step": i, "loss": v} for i, v in enumerate(positive)])) > 3


RANKER_WITH_PRIOR = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(400, 10)
score = x @ torch.randn(10)
model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
rank = nn.MarginRankingLoss(margin=0.5)
for step in range(120):
    i, j = torch.randint(0, 400, (64,)), torch.randint(0, 400, (64,))
    data = rank(model(x[i]).squeeze(1), model(x[j]).squeeze(1), torch.sign(score[i] - score[j]))
    prior = PRECISION * 0.5 * sum(p.pow(2).sum() for p in model.parameters())
    loss = data + prior
    opt.zero_grad()
    loss.backward()
    opt.step()
"""


def test_a_ranking_loss_is_observed_so_an_added_l2_prior_is_measured_against_it(check) -> None:
    """MarginRankingLoss's value is the data term; the prior added at full strength pulls harder."""
    assert "over_regularization" in check(RANKER_WITH_PRIOR.replace("PRECISION", "1.0")).categories()
    assert "over_regularization" not in check(RANKER_WITH_PRIOR.replace("PRECISION", "1e-4"), name="ok.py").categories()


def test_a_plateau_of_a_loss_written_by_hand_is_only_a_note() -> None:
    """No torch loss function seen: the lowest reachable value is unknown (a Cox partial likelihood
    plateaus at 0.9x its start when it fits)."""
    from traindebug.rules.underfitting import underfitting
    from traindebug.store import RunData

    records = [{"kind": "tensors", "step": 0, "names": ["w"], "shapes": [[4, 4]], "in_optimizer": [True]}]
    losses = [3.84] + [3.49] * 219
    run = RunData(records + [{"kind": "step", "step": i, "loss": v, "update_ratio": [1e-2]} for i, v in enumerate(losses)])
    assert [f.severity for f in underfitting.fn(run)] == ["info"]
    mse = RunData(records + [{"kind": "loss_fn", "step": 0, "name": "mse_loss"}]
                  + [{"kind": "step", "step": i, "loss": v, "update_ratio": [1e-2]} for i, v in enumerate(losses)])
    assert [f.severity for f in underfitting.fn(mse)] == ["warning"]


def test_symptoms_of_one_cause_follow_their_own_chain() -> None:
    """A bad init explains exploding gradients, the NaN they end in and the stability bound; the
    explosion comes before the NaN even though the NaN is the more severe finding."""
    from traindebug.engine import rank
    from traindebug.findings import Finding

    def finding(category: str, severity: str) -> Finding:
        return Finding(rule=category, category=category, severity=severity, title=category, observation="",
                       hypothesis="", suggestion="", step=0)

    ranked = rank([finding("non_finite", "error"), finding("exploding_gradients", "warning"),
                   finding("bad_init_scale", "warning")])
    assert [f.category for f in ranked] == ["bad_init_scale", "exploding_gradients", "non_finite"]


def test_units_that_saturate_while_the_loss_falls_are_only_a_note() -> None:
    """Attention units that saturate only once the loss has fallen below half its start: the
    model learned to select. Saturation that comes before the fit starves it of gradient."""
    from traindebug.rules.saturated_units import saturated
    from traindebug.store import RunData

    def run(fractions: list[float], losses: list[float]) -> RunData:
        records = [{"kind": "unit_health", "step": 25 * k, "layers": [{"name": "att -> tanh", "saturated": v, "shape": [64, 32]}]}
                   for k, v in enumerate(fractions)]
        return RunData(records + [{"kind": "step", "step": i, "loss": v} for i, v in enumerate(losses)])

    falling = [0.69 * 0.98**i for i in range(250)]
    assert [f.severity for f in saturated.fn(run([0.0, 0.0, 0.3, 0.55, 0.6], falling))] == ["info"]
    assert [f.severity for f in saturated.fn(run([0.7, 0.7, 0.7, 0.7, 0.7], falling))] == ["warning"]  # from the start
    assert [f.severity for f in saturated.fn(run([0.4, 0.6, 0.6, 0.6, 0.6], falling))] == ["warning"]  # before the fit
    assert [f.severity for f in saturated.fn(run([0.0, 0.6, 0.6, 0.6, 0.6], [0.69] * 250))] == ["warning"]  # loss stuck
