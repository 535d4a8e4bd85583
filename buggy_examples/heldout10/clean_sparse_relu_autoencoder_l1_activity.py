"""Healthy control: overcomplete (64 -> 256 -> 64) ReLU autoencoder on standardised
digits with an L1 activity penalty (weight 1e-2) on the code, Adam + cosine schedule,
300 steps, small trainer class.
The L1 penalty legitimately drives most code activations to exactly zero: on the test set
only 21.8% of code entries are non-zero (78% zeros), yet 0% of the 256 units are never active,
so this is sparsity by design, not dead units.

Measured (seed 0): test reconstruction MSE 0.228 (step 60) -> 0.133 (step 300), versus 0.930
for predicting the per-pixel mean.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


class SparseAE(nn.Module):
    def __init__(self, d_in=64, d_code=256):
        super().__init__()
        self.encoder = nn.Linear(d_in, d_code)
        self.decoder = nn.Linear(d_code, d_in)
        self.act = nn.ReLU()

    def encode(self, x):
        return self.act(self.encoder(x))

    def forward(self, x):
        code = self.encode(x)
        return self.decoder(code), code


class SparseAETrainer:
    def __init__(self, model, l1_weight=1e-2, lr=3e-3):
        self.model = model
        self.l1_weight = l1_weight
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=300, eta_min=3e-4)
        self.history = []

    def step(self, xb):
        recon, code = self.model(xb)
        rec = ((recon - xb) ** 2).mean()
        sparsity = code.abs().sum(1).mean()
        loss = rec + self.l1_weight * sparsity
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        self.sched.step()
        return rec.item(), sparsity.item()

    @torch.no_grad()
    def evaluate(self, X):
        recon, code = self.model(X)
        mse = ((recon - X) ** 2).mean().item()
        active = (code > 0).float()
        return mse, active.mean().item(), (active.sum(0) == 0).float().mean().item()


def main():
    torch.manual_seed(0)
    X, _ = load_digits(return_X_y=True)
    X = X / 16.0
    X = (X - X.mean(0)) / (X.std(0) + 1e-3)
    X_tr, X_te = train_test_split(X.astype(np.float32), test_size=0.25, random_state=0)
    X_tr, X_te = torch.from_numpy(X_tr), torch.from_numpy(X_te)

    trainer = SparseAETrainer(SparseAE())
    base = ((X_te - X_tr.mean(0)) ** 2).mean().item()
    print(f"baseline (predict mean) mse {base:.4f}")
    g = torch.Generator().manual_seed(0)
    for step in range(1, 301):
        idx = torch.randint(0, len(X_tr), (64,), generator=g)
        rec, sp = trainer.step(X_tr[idx])
        if step % 60 == 0:
            mse, frac_active, frac_never = trainer.evaluate(X_te)
            print(f"step {step:3d} train_rec {rec:.4f} l1 {sp:7.2f} | test_mse {mse:.4f} "
                  f"active {frac_active:.3f} never_active {frac_never:.3f}")


if __name__ == "__main__":
    main()
