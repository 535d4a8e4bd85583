"""Seeded bug: an LSTM regressor on generated sequences clips the gradient
norm at 1e-3 (meant 1.0) with plain SGD, so every update is cut by orders of
magnitude and the loss barely moves."""
# traindebug-expect: over_regularization
import torch
from torch import nn

torch.manual_seed(0)
N, T = 1024, 12
x = torch.randn(N, T, 3)
# target: a weighted running sum of the first input channel, squashed
y = torch.tanh((x[:, :, 0] * torch.linspace(0.1, 1.0, T)).sum(1, keepdim=True) / 3)


class SeqRegressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, seq):
        out, _ = self.lstm(seq)
        return self.head(out[:, -1])


model = SeqRegressor()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(8):
    perm = torch.randperm(N)
    for i in range(0, N, 64):
        idx = perm[i : i + 64]
        loss = nn.functional.mse_loss(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)  # BUG: far below the gradient norm
        opt.step()
    print(epoch, loss.item())
