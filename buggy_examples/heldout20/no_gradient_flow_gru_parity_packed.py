"""GRU on generated variable-length bit sequences (parity task) with packed sequences.

Seeded bug: the final hidden state is read as h_n.data[-1] (habit from PackedSequence,
whose payload is .data), which detaches it from the graph; the embedding and all GRU
parameters never receive a gradient (.grad stays None), only the MLP head trains on
random recurrent features.

Measured (400 steps): buggy loss ~0.67, val acc 0.575; fixed (h_n[-1]) loss 0.0005,
val acc 1.000.
"""
# traindebug-expect: no_gradient_flow
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

torch.set_num_threads(1)
torch.manual_seed(4)

MIN_LEN, MAX_LEN, HIDDEN = 2, 10, 32


def make_batch(n):
    lengths = torch.randint(MIN_LEN, MAX_LEN + 1, (n,))
    seqs = [torch.randint(0, 2, (int(L),)) for L in lengths]
    labels = torch.stack([s.sum() % 2 for s in seqs])
    return pad_sequence(seqs, batch_first=True), lengths, labels


class ParityGRU(nn.Module):
    def __init__(self, hidden=HIDDEN):
        super().__init__()
        self.embed = nn.Embedding(2, 8)
        self.rnn = nn.GRU(8, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embed(tokens), lengths, batch_first=True,
                                      enforce_sorted=False)
        _, h_n = self.rnn(packed)
        last = h_n.data[-1]  # (batch, hidden) state of the top layer
        return self.head(last)


model = ParityGRU()
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
crit = nn.CrossEntropyLoss()
val_x, val_len, val_y = make_batch(1000)

for step in range(1, 401):
    xb, lb, yb = make_batch(64)
    model.train()
    loss = crit(model(xb, lb), yb)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    if step % 80 == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(val_x, val_len).argmax(1) == val_y).float().mean().item()
        print(f"step {step} loss {loss.item():.4f} val_acc {acc:.3f}")
