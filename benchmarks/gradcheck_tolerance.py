"""Where the gradient-check tolerances in thresholds.py come from: clean models only.

For a zoo of correct models (ReLU MLP with BatchNorm and dropout, CNN with max-pooling, LSTM,
embedding + GRU with integer inputs, tanh MLP), several seeds each, it runs
``traindebug.gradcheck`` in float64 and forced float32 and prints one JSON line per dtype:

- ``worst_rel_error``: the largest relative error at the best eps over all checks (every
  model here is correct, so this is the noise the tolerance must stay above);
- ``false_alarms``: checks judged wrong at the current tolerance;
- ``no_signal``: checks where no eps was usable (kinks or round-off);
- ``worst_loss_ulps`` (float32 line): the loss round-off |L32 - L64| / (eps32 |L64|), the
  per-evaluation error that GRADCHECK_NOISE_ULPS must bound.

Run: ``python benchmarks/gradcheck_tolerance.py`` (a few minutes on one core).
"""

from __future__ import annotations

import copy
import json

import torch
from torch import nn

from traindebug.gradcheck import gradcheck


class Tagger(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.rnn = nn.GRU(16, 16, batch_first=True)
        self.head = nn.Linear(16, 4)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        return self.head(out[:, -1])


class LSTMClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(6, 24)
        self.head = nn.Linear(24, 4)

    def forward(self, x):
        out, _ = self.rnn(x.transpose(0, 1))
        return self.head(out[-1])


def zoo(seed: int) -> list[tuple[str, nn.Module, tuple]]:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (32,), generator=g)
    return [
        ("mlp_relu_bn_dropout", nn.Sequential(nn.Linear(30, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.2),
                                              nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 4)),
         (torch.randn(32, 30, generator=g), y)),
        ("cnn_maxpool", nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3), nn.ReLU(),
                                      nn.Flatten(), nn.Linear(8 * 2 * 2, 4)),
         (torch.randn(32, 1, 10, 10, generator=g), y)),
        ("lstm", LSTMClassifier(), (torch.randn(32, 12, 6, generator=g), y)),
        ("embedding_gru", Tagger(), (torch.randint(0, 50, (32, 9), generator=g), y)),
        ("mlp_tanh", nn.Sequential(nn.Linear(30, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 4)),
         (torch.randn(32, 30, generator=g), y)),
    ]


def loss_ulps(model: nn.Module, batch: tuple) -> float:
    x, y = batch
    with torch.no_grad():
        torch.manual_seed(0)  # the same dropout mask in both precisions
        low = nn.functional.cross_entropy(model(x), y).item()
        wide = copy.deepcopy(model).double()
        torch.manual_seed(0)
        high = nn.functional.cross_entropy(wide(x.double() if x.is_floating_point() else x), y).item()
    return abs(low - high) / (torch.finfo(torch.float32).eps * abs(high))


def main() -> None:
    torch.set_num_threads(1)
    for dtype in (torch.float64, torch.float32):
        worst, alarms, no_signal, checks, ulps = 0.0, [], 0, 0, 0.0
        for seed in range(5):
            for name, model, batch in zoo(seed):
                result = gradcheck(model, nn.CrossEntropyLoss(), batch, dtype=dtype)
                for c in result.tensors + result.modules:
                    checks += 1
                    if c.verdict == "no_signal":
                        no_signal += 1
                        continue
                    worst = max(worst, c.rel_error)
                    if c.verdict == "wrong":
                        alarms.append(f"{name}/{seed}/{c.module}.{c.tensor}:{c.rel_error:.2g}")
                if dtype == torch.float32:
                    ulps = max(ulps, loss_ulps(model, batch))
        line = {"dtype": str(dtype), "checks": checks, "worst_rel_error": worst, "false_alarms": alarms,
                "no_signal": no_signal}
        if dtype == torch.float32:
            line["worst_loss_ulps"] = round(ulps, 2)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
