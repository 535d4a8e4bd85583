"""CNN regressing a continuous quantity (share of ink in the central 4x4 window) from sklearn digits.

Seeded bug (loss_output_mismatch): the network returns predictions of shape (B, 1)
while the targets from the TensorDataset have shape (B,). The hand-written
`criterion` computes ((pred - target) ** 2).mean(), which silently broadcasts to a
(B, B) matrix of all prediction/target pairs; the minimiser of that loss is the batch
mean of the targets for every input, so the CNN learns a constant. (evaluate()
squeezes correctly, so the test numbers are honest.)
Measured (10 epochs, 220 AdamW steps): train loss stuck at 1.000 (= target
variance), test R2 0.000. Fixed copy (`self.model(xb).squeeze(1)` in the loss):
train loss 0.50 -> 0.014, test R2 0.983.
"""
# traindebug-expect: loss_output_mismatch
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(7)

digits = load_digits()
imgs = digits.images.astype(np.float32) / 16.0
# target: how much "ink" is in the digit's central 4x4 window relative to the whole image
ink = imgs[:, 2:6, 2:6].sum(axis=(1, 2)) / (imgs.sum(axis=(1, 2)) + 1e-6)
Xtr, Xte, ytr, yte = train_test_split(imgs[:, None], ink, test_size=0.25, random_state=7)
y_mu, y_sd = ytr.mean(), ytr.std()
norm = lambda v: torch.tensor((v - y_mu) / y_sd, dtype=torch.float32)
train_dl = DataLoader(TensorDataset(torch.tensor(Xtr), norm(ytr)), batch_size=64, shuffle=True)
test_X, test_y = torch.tensor(Xte), norm(yte)


class InkNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, x):
        return self.head(self.features(x))


class Trainer:
    def __init__(self, model, lr=2e-3, epochs=10):
        self.model = model
        self.epochs = epochs
        self.opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
        self.sched = torch.optim.lr_scheduler.CosineAnnealingLR(self.opt, T_max=epochs * len(train_dl))

    @staticmethod
    def criterion(pred, target):
        return ((pred - target) ** 2).mean()

    def evaluate(self):
        self.model.eval()
        with torch.no_grad():
            pred = self.model(test_X).squeeze(1)
        mse = ((pred - test_y) ** 2).mean().item()
        r2 = 1 - mse / test_y.var(unbiased=False).item()
        return mse, r2

    def fit(self, loader):
        for ep in range(self.epochs):
            self.model.train()
            running = 0.0
            for xb, yb in loader:
                loss = self.criterion(self.model(xb), yb)
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                self.sched.step()
                running += loss.item() * len(xb)
            if ep % 3 == 0 or ep == self.epochs - 1:
                mse, r2 = self.evaluate()
                print(f"epoch {ep:2d}  train loss {running / len(loader.dataset):.4f}  test mse {mse:.4f}  R2 {r2:.3f}")


Trainer(InkNet()).fit(train_dl)
