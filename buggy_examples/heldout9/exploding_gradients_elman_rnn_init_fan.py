"""Hand-written tanh Elman RNN (sequence-to-one) that picks the stream with the highest level
among three noisy sensor streams of length 60; RMSprop.

Seeded bug: reset_parameters() copies the nn.RNN init rule but uses 1/sqrt(input_size)
(input_size = 3) instead of 1/sqrt(hidden_size) (64) for every weight, including the 64x64
recurrent matrix. Its spectral radius becomes about 2.7, so backpropagation through the 60 time
steps multiplies the gradients instead of keeping them bounded. The forward pass stays bounded
because of tanh.

Measured (276 optimizer steps): median gradient norm per step 3.3e4 to 4.4e4 (max 2.2e5) in every
epoch; val_loss 0.733, val_acc 0.653. Fixed copy (1/sqrt(hidden_size)): median gradient norm
1.6 to 2.9, val_loss 0.345, val_acc 0.882.
"""
# traindebug-expect: exploding_gradients
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

SEQ_LEN = 60
N_CHANNELS = 3


def make_streams(n, rng):
    """Three noisy sensor streams; the label is the stream with the highest underlying level."""
    levels = rng.normal(size=(n, N_CHANNELS))
    y = levels.argmax(1)
    x = levels[:, None, :] + 1.5 * rng.normal(size=(n, SEQ_LEN, N_CHANNELS))
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y).long()


class ElmanRNN(nn.Module):
    """Plain tanh RNN written out by hand so we can add per-step tricks later."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.w_ih = nn.Parameter(torch.empty(hidden_size, input_size))
        self.w_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))
        self.b = nn.Parameter(torch.empty(hidden_size))
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.input_size)
        for w in self.parameters():
            nn.init.uniform_(w, -stdv, stdv)

    def forward(self, x):
        b, t, _ = x.shape
        h = x.new_zeros(b, self.hidden_size)
        inp = x @ self.w_ih.t() + self.b
        for i in range(t):
            h = torch.tanh(inp[:, i] + h @ self.w_hh.t())
        return h


class StreamClassifier(nn.Module):
    def __init__(self, n_in, hidden, n_classes):
        super().__init__()
        self.rnn = ElmanRNN(n_in, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        return self.head(self.rnn(x))


def main():
    rng = np.random.default_rng(0)
    xtr, ytr = make_streams(3000, rng)
    xva, yva = make_streams(600, rng)
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=64, shuffle=True, drop_last=True)

    model = StreamClassifier(N_CHANNELS, 64, N_CHANNELS)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)

    step = 0
    for epoch in range(6):
        losses, gnorms = [], []
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            gn = torch.sqrt(sum(p.grad.pow(2).sum() for p in model.parameters()))
            opt.step()
            losses.append(loss.item())
            gnorms.append(gn.item())
            step += 1
        with torch.no_grad():
            logits = model(xva)
            vl = F.cross_entropy(logits, yva).item()
            va = (logits.argmax(1) == yva).float().mean().item()
        print(f"epoch {epoch} step {step} loss {np.mean(losses):.4f} grad_norm median {np.median(gnorms):.3g} "
              f"max {np.max(gnorms):.3g} val_loss {vl:.4f} val_acc {va:.3f}")


if __name__ == "__main__":
    main()
