"""Seeded bug: the forward reshapes with a hard-coded batch size; the last,
smaller batch of the epoch (step 44) raises a RuntimeError."""
# traindebug-expect: script_error
import torch
from sklearn.datasets import load_digits
from torch import nn

BATCH = 40


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 10)

    def forward(self, x):
        h = torch.relu(self.conv(x))
        return self.fc(h.view(BATCH, -1))  # BUG: fails when the batch is smaller


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
ds = torch.utils.data.TensorDataset(torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8), torch.tensor(y))
loader = torch.utils.data.DataLoader(ds, batch_size=BATCH, shuffle=True)  # 1797 = 44 * 40 + 37
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
