"""Sequence classifier whose batch-first data is reshaped with view() for a sequence-first LSTM.

Seeded bug: the data loader yields batches of shape (batch, time, features), while the
nn.LSTM (batch_first=False) expects (time, batch, features). ``forward`` converts with
``x.view(T, N, F)`` instead of ``x.transpose(0, 1)``: the memory is reinterpreted, so each
"sequence" the LSTM sees is stitched together from time steps of several samples, and the
prediction for sample i depends on other samples of the batch. Expected finding:
``batch_mixing`` located at the input of module ``rnn``.
"""
# traindebug-expect: batch_mixing

import torch
from torch import nn


class SequenceClassifier(nn.Module):
    def __init__(self, features=4, hidden=32, classes=2):
        super().__init__()
        self.rnn = nn.LSTM(features, hidden)  # sequence-first: (time, batch, features)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        n, t, f = x.shape
        seq = x.view(t, n, f)  # BUG: should be x.transpose(0, 1)
        out, _ = self.rnn(seq)
        return self.head(out[-1])


def make_data(n=1024, t=20, f=4, seed=0):
    """Label 1 when the first feature's running sum ends positive."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, t, f, generator=g)
    y = (x[:, :, 0].sum(1) > 0).long()
    return x, y


def main():
    torch.manual_seed(0)
    x, y = make_data()
    model = SequenceClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(3):
        order = torch.randperm(len(x))
        correct = 0
        for start in range(0, len(x), 32):
            idx = order[start : start + 32]
            optimizer.zero_grad()
            logits = model(x[idx])
            loss = loss_fn(logits, y[idx])
            loss.backward()
            optimizer.step()
            correct += (logits.argmax(1) == y[idx]).sum().item()
        print(f"epoch {epoch}: loss {loss.item():.4f} train accuracy {correct / len(x):.3f}")


if __name__ == "__main__":
    main()
