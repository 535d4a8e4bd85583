"""Class-based Trainer for a masking denoising autoencoder on sklearn digits: the
corruption (40% pixel masking) is an nn.Dropout on the input, RMSprop + StepLR,
18 epochs x 22 batches = 396 steps; validation = reconstruct clean test digits
from masked ones.

Seeded bug: Trainer.fit() calls self.model.train() once before the epoch loop, but
evaluate() switches the model to eval() after every epoch and nothing switches it
back. Only epoch 0 is trained in train mode; the remaining 17 epochs run forward /
backward with the dropout corruption disabled, so the model is trained as a plain
autoencoder (train loss drops to 0.0105 because the task became the identity) and
never learns to fill in masked pixels. Measured val denoising MSE 0.0497
(identity baseline 0.0916). Fixed copy (model.train() at the start of each epoch):
train loss 0.029 (on corrupted inputs), val denoising MSE 0.0378.
"""
# traindebug-expect: wrong_mode
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)
torch.manual_seed(5)
np.random.seed(5)


class MaskingDAE(nn.Module):
    """Denoising autoencoder; masking noise is applied by an input dropout layer."""

    def __init__(self, d, hidden=128, code=48, p_mask=0.4):
        super().__init__()
        self.corrupt = nn.Dropout(p_mask)
        self.enc = nn.Sequential(nn.Linear(d, hidden), nn.SiLU(), nn.Linear(hidden, code), nn.SiLU())
        self.dec = nn.Sequential(nn.Linear(code, hidden), nn.SiLU(), nn.Linear(hidden, d))

    def forward(self, x):
        return self.dec(self.enc(self.corrupt(x)))


class Trainer:
    def __init__(self, model, lr=3e-3, batch_size=64, epochs=18):
        self.model = model
        self.opt = torch.optim.RMSprop(model.parameters(), lr=lr, alpha=0.9)
        self.sched = torch.optim.lr_scheduler.StepLR(self.opt, step_size=8, gamma=0.5)
        self.bs, self.epochs = batch_size, epochs
        self.loss_fn = nn.MSELoss()

    def _train_epoch(self, X):
        perm = torch.randperm(len(X))
        tot = 0.0
        for i in range(0, len(X), self.bs):
            xb = X[perm[i:i + self.bs]]
            loss = self.loss_fn(self.model(xb), xb)
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            tot += loss.item() * len(xb)
        self.sched.step()
        return tot / len(X)

    @torch.no_grad()
    def evaluate(self, X_noisy, X_clean):
        self.model.eval()
        return self.loss_fn(self.model(X_noisy), X_clean).item()

    def fit(self, X, X_val_noisy, X_val_clean):
        self.model.train()
        for ep in range(self.epochs):
            tr = self._train_epoch(X)
            val = self.evaluate(X_val_noisy, X_val_clean)
            if ep % 4 == 0 or ep == self.epochs - 1:
                print(f"epoch {ep:2d} train_loss {tr:.4f} val_denoise_mse {val:.4f}")
        return val


def main():
    X, _ = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte = train_test_split(X, test_size=0.3, random_state=0)
    Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
    g = torch.Generator().manual_seed(0)
    keep = (torch.rand(Xte.shape, generator=g) > 0.4).float()
    Xte_noisy = Xte * keep  # 40% of the pixels blanked out
    model = MaskingDAE(64)
    trainer = Trainer(model)
    final = trainer.fit(Xtr, Xte_noisy, Xte)
    baseline = nn.functional.mse_loss(Xte_noisy, Xte).item()
    print(f"denoising mse {final:.4f} (identity baseline {baseline:.4f})")


if __name__ == "__main__":
    main()
