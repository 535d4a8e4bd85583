"""Small 2-D CNN on the 8x8 sklearn digits, AdamW, dataclass config.

Seeded bug (bad_init_scale): `_init_weights` draws every conv/linear weight from
N(0, init_std**2) with `init_std = 1.0` instead of a fan-in-scaled init (std ~ sqrt(2/fan_in),
i.e. 0.47 for conv1 down to 0.06 for conv3).  Activations grow layer by layer and the
logits at step 0 have std ~5400; the initial test cross-entropy is 8361 instead of ~ln(10)=2.3.

Measured (198 AdamW steps, seed 0): test loss 8361 -> 876, test acc 0.084 -> 0.464.
Same script with nn.init.kaiming_normal_(nonlinearity="relu"): initial loss 3.35,
final test loss 0.163, test acc 0.942.
"""
# traindebug-expect: bad_init_scale
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


@dataclass
class Config:
    seed: int = 0
    batch_size: int = 64
    epochs: int = 9
    lr: float = 1e-3
    weight_decay: float = 1e-4
    init_std: float = 1.0
    channels: tuple = (8, 16, 16)


class DigitCNN(nn.Module):
    def __init__(self, cfg: Config, n_classes: int = 10):
        super().__init__()
        c1, c2, c3 = cfg.channels
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.conv3 = nn.Conv2d(c2, c3, 3, padding=1)
        self.fc1 = nn.Linear(c3 * 2 * 2, 64)
        self.fc2 = nn.Linear(64, n_classes)
        self._init_weights(cfg.init_std)

    def _init_weights(self, std):
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.normal_(m.weight, mean=0.0, std=std)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def load_data(seed):
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=seed, stratify=y)
    mu, sd = X_tr.mean(), X_tr.std()
    to_t = lambda a: torch.from_numpy(((a - mu) / sd).astype(np.float32)).view(-1, 1, 8, 8)
    return to_t(X_tr), torch.from_numpy(y_tr), to_t(X_te), torch.from_numpy(y_te)


@torch.no_grad()
def evaluate(model, X, y):
    model.eval()
    logits = model(X)
    model.train()
    return F.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def main(cfg=Config()):
    torch.manual_seed(cfg.seed)
    X_tr, y_tr, X_te, y_te = load_data(cfg.seed)
    model = DigitCNN(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X_tr, y_tr), batch_size=cfg.batch_size, shuffle=True,
        generator=torch.Generator().manual_seed(cfg.seed))

    l0, a0 = evaluate(model, X_te, y_te)
    print(f"init: test loss {l0:.2f} acc {a0:.3f}")
    step = 0
    for epoch in range(cfg.epochs):
        running = 0.0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item()
            step += 1
        if epoch % 3 == 2 or epoch == cfg.epochs - 1:
            tl, ta = evaluate(model, X_te, y_te)
            print(f"epoch {epoch + 1:2d} step {step:4d} train loss {running / len(loader):10.3f} "
                  f"test loss {tl:10.3f} test acc {ta:.3f}")


if __name__ == "__main__":
    main()
