"""clean: a sanity check that a network can memorise 24 labelled points (the
'overfit one batch' check from Karpathy's recipe): full-batch Adam on a
3-class problem, the loss goes to ~0 as intended. Final loss 0.0021 (measured once, plain python)."""
# traindebug-expect: clean
import torch
from torch import nn

torch.manual_seed(0)
X = torch.randn(24, 5)
y = torch.randint(0, 3, (24,))

net = nn.Sequential(nn.Linear(5, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 3))
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
for step in range(200):
    loss = nn.functional.cross_entropy(net(X), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 50 == 0 or step == 199:
        print(f"step {step} loss {loss.item():.5f}")
