"""Fixes found by the seventeenth held-out set (and a known miss of the eleventh): a per-position
sequence output of a model with a sequence-first RNN, checked for batch mixing along both of its
first two dimensions."""

from __future__ import annotations

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
