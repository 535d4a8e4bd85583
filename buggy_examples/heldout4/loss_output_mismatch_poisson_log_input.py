"""Seeded bug: Poisson regression of event counts from 8 standardised
features. The model ends in Softplus, so it outputs the rate itself, but
nn.PoissonNLLLoss() is used with its default log_input=True, which treats
the output as log(rate): the fitted "rate" converges to log(rate) and the
predictions are wrong by an exponential. The docstring's numbers are the
Poisson NLL of the model's prediction read as the rate it was built to be.
Measured (Poisson NLL without the
log k! constant): 2.30 -> -1.72 vs 2.28 -> -5.14 with log_input=False
(true rates give -5.40)."""
# traindebug-expect: loss_output_mismatch
import torch
from torch import nn

g = torch.Generator().manual_seed(0)
n, d = 4000, 8
X = torch.randn(n, d, generator=g)
w_true = torch.randn(d, generator=g) * 0.4
rate = torch.exp(1.0 + X @ w_true)
counts = torch.poisson(rate, generator=g)

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 1), nn.Softplus(), nn.Flatten(0))
crit = nn.PoissonNLLLoss()  # BUG: log_input=True, but the model outputs a rate
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, counts), batch_size=64, shuffle=True)


def poisson_nll_of_rate(pred_rate, k):
    return (pred_rate - k * torch.log(pred_rate + 1e-8)).mean().item()


first = None
for epoch in range(4):
    for xb, kb in loader:
        loss = crit(model(xb), kb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if first is None:
            with torch.no_grad():
                first = poisson_nll_of_rate(model(X), counts)
    with torch.no_grad():
        print(epoch, round(loss.item(), 4), "nll(rate)", round(poisson_nll_of_rate(model(X), counts), 4))
with torch.no_grad():
    print(f"first {first:.4f} final {poisson_nll_of_rate(model(X), counts):.4f} "
          f"best possible {poisson_nll_of_rate(rate, counts):.4f}")
