"""clean: a 3-layer deep *linear* network from a small initialisation (Saxe et
al., 2013): the loss sits on a plateau near the saddle at the origin for the
first steps, then falls quickly once the modes are learned."""
# traindebug-expect: clean
import torch
from torch import nn

torch.manual_seed(0)
n, d = 1024, 16
X = torch.randn(n, d)
A = torch.randn(d, d) / d**0.5
Y = X @ A.T

model = nn.Sequential(nn.Linear(d, 32, bias=False), nn.Linear(32, 32, bias=False), nn.Linear(32, d, bias=False))
for layer in model:
    nn.init.normal_(layer.weight, std=0.06)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(300):
    idx = torch.randint(0, n, (64,))
    loss = nn.functional.mse_loss(model(X[idx]), Y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 30 == 0:
        print(step, loss.item())
