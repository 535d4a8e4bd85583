"""Seeded bug: regression on the diabetes data with a dataclass config and
HuberLoss; the model returns (B, 1) and the target is (B,), so the loss
broadcasts to a (B, B) matrix and the model learns the mean."""
# traindebug-expect: loss_output_mismatch
from dataclasses import dataclass

import torch
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch import nn


@dataclass
class TrainConfig:
    hidden: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    epochs: int = 25
    huber_delta: float = 1.0


def main(cfg: TrainConfig) -> None:
    torch.manual_seed(0)
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    ds = torch.utils.data.TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32))
    loader = torch.utils.data.DataLoader(ds, batch_size=cfg.batch_size, shuffle=True)
    model = nn.Sequential(nn.Linear(10, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.hidden), nn.ReLU(),
                          nn.Linear(cfg.hidden, 1))
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loss_fn = nn.HuberLoss(delta=cfg.huber_delta)
    for epoch in range(cfg.epochs):
        for xb, yb in loader:
            pred = model(xb)  # BUG: (B, 1) against a (B,) target
            loss = loss_fn(pred, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        if epoch % 5 == 0:
            print(epoch, loss.item())


if __name__ == "__main__":
    main(TrainConfig())
