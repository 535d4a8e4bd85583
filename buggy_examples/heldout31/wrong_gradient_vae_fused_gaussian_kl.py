"""MLP VAE on sklearn digits (pixels / 16), encoder 64->128 ReLU -> (mu, logvar) 10-d, decoder 10->128 ReLU
-> 64 Bernoulli logits, Adam 2e-3, DataLoader batch 64, 14 epochs (~320 steps). The KL term is a fused
torch.autograd.Function with a hand-written backward.

Seeded bug: in the backward of KL = -0.5 * sum(1 + logvar - mu^2 - exp(logvar)) the derivative w.r.t.
logvar is written 0.5 * exp(logvar), dropping the -1 that comes from the "+ logvar" term. The gradient is
therefore always positive, pushing logvar towards -infinity instead of towards 0: posterior variances
collapse and the true KL grows steadily.

Measured: final test -ELBO 65.74 (rec 18.23, KL 47.51) with the bug versus 25.18 (rec 22.79, KL 2.39) for a
fixed copy whose backward returns 0.5 * (exp(logvar) - 1). Timing: plain python, 1 thread, ~8-12 s CPU (20-25 s wall on a shared, loaded 2-core box).
"""
# traindebug-expect: wrong_gradient
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(0)


class GaussianKL(torch.autograd.Function):
    """KL(N(mu, exp(logvar)) || N(0, I)) summed over latent dims, fused forward/backward."""

    @staticmethod
    def forward(ctx, mu, logvar):
        var = logvar.exp()
        ctx.save_for_backward(mu, var)
        return -0.5 * (1 + logvar - mu.pow(2) - var).sum(dim=1)

    @staticmethod
    def backward(ctx, grad_out):
        mu, var = ctx.saved_tensors
        g = grad_out.unsqueeze(1)
        grad_mu = g * mu
        grad_logvar = g * 0.5 * var
        return grad_mu, grad_logvar


gaussian_kl = GaussianKL.apply

digits = load_digits()
X = (digits.data / 16.0).astype(np.float32)
X_tr, X_te = train_test_split(X, test_size=0.2, random_state=1)
X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)


class VAE(nn.Module):
    def __init__(self, d=64, h=128, z=10):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, 2 * z))
        self.decoder = nn.Sequential(nn.Linear(z, h), nn.ReLU(), nn.Linear(h, d))

    def forward(self, x):
        mu, logvar = self.encoder(x).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decoder(z), mu, logvar


def loss_fn(model, x):
    logits, mu, logvar = model(x)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    kl = gaussian_kl(mu, logvar)
    return (rec + kl).mean(), rec.mean(), kl.mean()


model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_tr), batch_size=64, shuffle=True)

step = 0
for epoch in range(1, 15):
    model.train()
    for (xb,) in loader:
        loss, rec, kl = loss_fn(model, xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    if epoch % 3 == 0:
        with torch.no_grad():
            te, te_rec, te_kl = loss_fn(model, X_te)
        print(f"epoch {epoch:2d} step {step}  train {loss.item():.2f}  test -elbo {te.item():.2f} "
              f"(rec {te_rec.item():.2f}, kl {te_kl.item():.2f})")

torch.manual_seed(7)
with torch.no_grad():
    tr = loss_fn(model, X_tr)[0].item()
    te, te_rec, te_kl = loss_fn(model, X_te)
print(f"final train -ELBO {tr:.2f}  test -ELBO {te.item():.2f} (rec {te_rec.item():.2f}, kl {te_kl.item():.2f})")
