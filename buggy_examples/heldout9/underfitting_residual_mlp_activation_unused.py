"""Residual MLP (3 blocks, width 64) on make_moons, NAdam, training loop written as a
generator that yields after every step.

Seeded bug (underfitting): ResidualBlock defines self.act = nn.SiLU() but forward()
never applies it (fc1 -> dropout -> fc2), and there is no other non-linearity in the
network, so the whole model collapses to one affine map: a linear classifier that
cannot separate the two moons. Gradients and updates are perfectly healthy; the loss
just plateaus.

Measured (304 steps): buggy train loss plateaus at 0.267-0.268 from step ~150 on,
train acc 0.870, val acc 0.888. Fixed (fc2(drop(act(fc1(x))))): train loss 0.009,
train acc 0.999, val acc 0.998."""
# traindebug-expect: underfitting
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)


class ResidualBlock(nn.Module):
    def __init__(self, width, p_drop=0.0):
        super().__init__()
        self.fc1 = nn.Linear(width, 2 * width)
        self.fc2 = nn.Linear(2 * width, width)
        self.act = nn.SiLU()
        self.drop = nn.Dropout(p_drop)

    def forward(self, x):
        h = self.fc1(x)
        h = self.fc2(self.drop(h))
        return x + 0.5 * h


class ResMLP(nn.Module):
    def __init__(self, d_in, width, depth, n_out):
        super().__init__()
        self.stem = nn.Linear(d_in, width)
        self.blocks = nn.Sequential(*[ResidualBlock(width) for _ in range(depth)])
        self.head = nn.Linear(width, n_out)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


def train_steps(model, loader, opt, epochs):
    """Generator that yields (epoch, step, loss) after every optimizer step."""
    step = 0
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = F.binary_cross_entropy_with_logits(model(xb).squeeze(-1), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            yield epoch, step, loss.item()


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    return ((model(x).squeeze(-1) > 0).float() == y).float().mean().item()


def main():
    X, y = make_moons(n_samples=3000, noise=0.12, random_state=0)
    X = torch.tensor(X, dtype=torch.float32)
    y = torch.tensor(y, dtype=torch.float32)
    Xtr, ytr, Xva, yva = X[:2400], y[:2400], X[2400:], y[2400:]
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True,
                        generator=torch.Generator().manual_seed(0))

    model = ResMLP(2, 64, depth=3, n_out=1)
    opt = torch.optim.NAdam(model.parameters(), lr=2e-3)
    window = []
    for epoch, step, loss in train_steps(model, loader, opt, epochs=8):
        window.append(loss)
        if step % 76 == 0:
            print(f"step {step:3d} epoch {epoch} train_loss(avg) {np.mean(window):.4f} "
                  f"train_acc {accuracy(model, Xtr, ytr):.3f} val_acc {accuracy(model, Xva, yva):.3f}")
            window = []


if __name__ == "__main__":
    main()
