"""Seeded bug: a GRU classifier over digit rows whose output head is
initialised with nn.init.normal_(std=5.0); at step 0 the logits have a spread
of ~30 and the initial loss is many times ln(10)."""
# traindebug-expect: bad_init_scale
import torch
from sklearn.datasets import load_digits
from torch import nn


class RowReader(nn.Module):
    def __init__(self, hidden=64):
        super().__init__()
        self.gru = nn.GRU(8, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, 10)
        nn.init.normal_(self.head.weight, mean=0.0, std=5.0)  # BUG: should be ~1/sqrt(hidden)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1])


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).reshape(-1, 8, 8)
y = torch.tensor(y)
model = RowReader()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(8):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
