"""clean: the label is the parity (XOR) of 3 of 16 random +/-1 input bits.
An MLP with Adam sits on the ln 2 plateau for a while - no single bit or
pair carries any signal - and then finds the feature and the loss drops
quickly. A plateau followed by a drop is normal for this kind of task.
Measured: 0.694 for ~75
steps, then 0.45 at step 125 and 0.0036 at the end."""
# traindebug-expect: clean
import torch
from torch import nn

g = torch.Generator().manual_seed(0)
X = torch.randint(0, 2, (6000, 16), generator=g).float() * 2 - 1
y = ((X[:, 2] * X[:, 7] * X[:, 11]) > 0).long()

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(16, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
crit = nn.CrossEntropyLoss()
losses = []
for step in range(300):
    idx = torch.randint(0, len(X), (64,), generator=g)
    loss = crit(model(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if step % 25 == 0:
        print(step, round(sum(losses[-25:]) / len(losses[-25:]), 4))
print(f"first {losses[0]:.4f} final {sum(losses[-20:]) / 20:.4f}")
