"""Healthy control: a VAE on binarised sklearn digits with KL annealing (beta = 0 for the first
60 steps, then a linear ramp to 1 over 150 steps); Adam, 368 steps.

Pattern that can fool a naive detector: the optimised objective recon + beta*KL is not monotone.
During the free phase the KL term rises to about 10 nats, and as beta ramps up the mean training
objective goes up again (20.19 in epoch 3, 20.64 in epoch 4). A detector that reads a rising loss
as divergence or a bad learning rate would be wrong here.

Measured healthy numbers: validation -ELBO (beta = 1 throughout) falls steadily from 30.55 to
19.97, and reconstruction falls from 27.8 to 15.7 nats per image. The final KL is about 4 nats, so
the posterior has not collapsed.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

HP = {
    "latent": 8,
    "hidden": 256,
    "lr": 2e-3,
    "batch_size": 32,
    "epochs": 8,
    "kl_hold_steps": 60,      # pure autoencoder phase first
    "kl_ramp_steps": 150,
}


class VAE(nn.Module):
    def __init__(self, d_in, hidden, latent):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.dec = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                 nn.Linear(hidden, d_in))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.dec(z), mu, logvar


def kl_weight(step, hold, ramp):
    if step < hold:
        return 0.0
    return min(1.0, (step - hold) / ramp)


def elbo_terms(x, logits, mu, logvar):
    recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.size(0)
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.size(0)
    return recon, kl


def main():
    X, _ = load_digits(return_X_y=True)
    X = (X / 16.0 > 0.4).astype(np.float32)     # binarised pixels
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    xtr, xva = torch.tensor(X[perm[:1500]]), torch.tensor(X[perm[1500:]])
    dl = DataLoader(TensorDataset(xtr), batch_size=HP["batch_size"], shuffle=True, drop_last=True)

    model = VAE(64, HP["hidden"], HP["latent"])
    opt = torch.optim.Adam(model.parameters(), lr=HP["lr"])

    step = 0
    for epoch in range(HP["epochs"]):
        model.train()
        tot, rec, kls = [], [], []
        for (xb,) in dl:
            logits, mu, logvar = model(xb)
            recon, kl = elbo_terms(xb, logits, mu, logvar)
            beta = kl_weight(step, HP["kl_hold_steps"], HP["kl_ramp_steps"])
            loss = recon + beta * kl
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot.append(loss.item()); rec.append(recon.item()); kls.append(kl.item())
            step += 1
        model.eval()
        with torch.no_grad():
            logits, mu, logvar = model(xva)
            vr, vk = elbo_terms(xva, logits, mu, logvar)
        print(f"epoch {epoch:2d} step {step:3d} beta {beta:.2f} loss {np.mean(tot):.2f} recon {np.mean(rec):.2f} "
              f"kl {np.mean(kls):.2f} | val -elbo {vr.item() + vk.item():.2f}")


if __name__ == "__main__":
    main()
