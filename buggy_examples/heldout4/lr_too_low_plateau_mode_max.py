"""Seeded bug: an MLP classifier on the digits table with ReduceLROnPlateau
stepped on the batch loss every iteration, but constructed with mode="max"
(copied from an accuracy-monitoring recipe). The falling loss never counts as
an improvement, so every 11 batches the rate is cut by 10x and it is ~1e-12
after 40 steps: training stops almost at once. Measured: loss 2.31 -> 2.22 (rate 1e-8 at the
end) vs 2.31 -> 0.48 with mode="min"."""
# traindebug-expect: lr_too_low
import torch
from sklearn.datasets import load_digits
from torch import nn

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", factor=0.1, patience=10)  # BUG: loss wants "min"
crit = nn.CrossEntropyLoss()
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=32, shuffle=True)
losses = []
for epoch in range(5):
    for xb, yb in loader:
        loss = crit(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step(loss.item())
        losses.append(loss.item())
    print(epoch, round(sum(losses[-50:]) / 50, 4), opt.param_groups[0]["lr"])
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
