"""clean: a GRU sequence classifier (digits read row by row, 8 steps of 8
pixels) with clip_grad_norm_(max_norm=1.0)."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn


class RowGRU(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(8, 64, batch_first=True)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        _, h = self.gru(x)
        return self.fc(h[-1])


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 8, 8)
y = torch.tensor(y)
model = RowGRU()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(6):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    print(epoch, loss.item())
