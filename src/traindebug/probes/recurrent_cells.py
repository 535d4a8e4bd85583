"""Hidden activations inside recurrent modules, which the autograd graph does not show.

``nn.RNN``, ``nn.LSTM`` and ``nn.GRU`` run their time loop in one fused operation: the
graph holds no tanh or sigmoid node that ``probes/unit_health.py`` could read. This
module recomputes the first layer's activations from the module's weights, on a few
input sequences, starting from a zero state:

- LSTM: the cell candidate tanh(g) and the cell output tanh(c);
- GRU: the candidate state tanh(n);
- RNN: the hidden state (tanh or ReLU).

Sigmoid gates are left out: opening and closing fully is what they are for.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: sequences and time steps recomputed (a few small matrix products per step)
SEQUENCES = 8
MAX_STEPS = 256


def first_layer_activations(module: nn.RNNBase, x: torch.Tensor) -> list[tuple[str, str, torch.Tensor]]:
    """(label, op, values [steps * sequences, units]) for the first layer of ``module`` on the
    batched input ``x`` (batch-first or time-first as the module reads it). No gradient."""
    seq = x.transpose(0, 1) if module.batch_first else x  # (time, batch, features)
    weight_hh = module.weight_hh_l0
    seq = seq[:MAX_STEPS, :SEQUENCES].to(weight_hh.dtype)
    bias_ih, bias_hh = getattr(module, "bias_ih_l0", None), getattr(module, "bias_hh_l0", None)
    with torch.no_grad():
        from_input = F.linear(seq, module.weight_ih_l0, bias_ih)
        batch = seq.shape[1]
        h = seq.new_zeros(batch, weight_hh.shape[1])
        c = seq.new_zeros(batch, module.hidden_size)
        found: dict[str, list[torch.Tensor]] = {}
        for t in range(seq.shape[0]):
            gates = from_input[t]
            from_state = F.linear(h, weight_hh, bias_hh)
            if module.mode == "LSTM":
                i, f, g, o = (gates + from_state).chunk(4, dim=1)
                g = torch.tanh(g)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * g
                cell = torch.tanh(c)
                h = torch.sigmoid(o) * cell
                if getattr(module, "proj_size", 0):
                    h = F.linear(h, module.weight_hr_l0)
                found.setdefault("cell candidate", []).append(g)
                found.setdefault("cell output", []).append(cell)
            elif module.mode == "GRU":
                xr, xz, xn = gates.chunk(3, dim=1)
                hr, hz, hn = from_state.chunk(3, dim=1)
                z = torch.sigmoid(xz + hz)
                n = torch.tanh(xn + torch.sigmoid(xr + hr) * hn)
                h = (1 - z) * n + z * h
                found.setdefault("candidate", []).append(n)
            else:
                h = torch.relu(gates + from_state) if module.mode == "RNN_RELU" else torch.tanh(gates + from_state)
                found.setdefault("hidden state", []).append(h)
    op = "relu" if module.mode == "RNN_RELU" else "tanh"
    return [(label, op, torch.cat(values)) for label, values in found.items()]
