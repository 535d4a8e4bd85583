"""
Fully-connected VAE on scikit-learn digits (8x8, scaled to [0, 1]): encoder 64-128-128 ReLU,
latent 8 (mu / log-variance heads, log-variance clamped to [-10, 10]), decoder 8-128-128-64
with Bernoulli logits (BCE-with-logits summed per image) + analytic KL, Adam lr 3e-3,
DataLoader batch 64, 12 epochs = 264 steps. Custom He-normal init applied via model.apply.

Seeded bug: the init calls nn.init.normal_(m.weight, (2.0 / m.in_features) ** 0.5), passing the
intended std as the second positional argument, which is the *mean* (signature normal_(tensor,
mean=0, std=1)). Every weight is N(~0.12-0.5, 1): unit-variance weights with a positive offset,
so activations grow by ~sqrt(fan_in) plus a large mean shift per layer; at init |mu| ~ 900,
the clamped log-variance sits at its bound and the decoder logits are ~1e6, giving a test
negative ELBO of ~4.9e7 per image. Adam cannot undo this in the budget.

Measured (seed 4, 1 thread): buggy test negative ELBO 2,009,423 after epoch 1, final 256,135
(reconstruction 108,096, KL 148,040). Fixed copy (normal_(m.weight, 0.0, std)): final test
negative ELBO 25.67 (reconstruction 23.08, KL 2.59).
"""
# traindebug-expect: bad_init_scale
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(4)

LATENT = 8


class VAE(nn.Module):
    def __init__(self, d_in=64, hidden=128, latent=LATENT):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, d_in))
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, (2.0 / m.in_features) ** 0.5)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h).clamp(-10.0, 10.0)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def elbo_terms(model, x):
    logits, mu, logvar = model(x)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / len(x)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / len(x)
    return rec, kl


digits = load_digits()
X = torch.tensor(digits.data / 16.0, dtype=torch.float32)
X_tr, X_te = train_test_split(X, test_size=0.25, random_state=0)
loader = DataLoader(TensorDataset(X_tr), batch_size=64, shuffle=True)

model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
EPOCHS = 12
step = 0
for epoch in range(EPOCHS):
    model.train()
    for (xb,) in loader:
        rec, kl = elbo_terms(model, xb)
        loss = rec + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    model.eval()
    with torch.no_grad():
        rec_te, kl_te = elbo_terms(model, X_te)
    if epoch % 3 == 2 or epoch == 0:
        print(f"epoch {epoch + 1} step {step} train_neg_elbo {loss.item():.2f} "
              f"test_rec {rec_te.item():.2f} test_kl {kl_te.item():.2f} test_neg_elbo {(rec_te + kl_te).item():.2f}")

print(f"final test negative ELBO {(rec_te + kl_te).item():.2f} (reconstruction {rec_te.item():.2f}, KL {kl_te.item():.2f})")
