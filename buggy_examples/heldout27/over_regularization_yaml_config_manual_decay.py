"""Small CNN on sklearn's 8x8 digits, driven by a YAML-style config block that
is parsed at the top of the script (no PyYAML dependency).

Seeded bug (over_regularization): the config asks for AdamW-style decoupled
weight decay 0.01, implemented by hand after each Adam step as
`p.mul_(1 - wd)`; the learning-rate factor is missing (AdamW shrinks by
1 - lr * wd), so every step removes 1% of every weight matrix: for a weight
of size 0.1 that is as large as a full Adam step (lr=1e-3), so the decay
term dominates the update and keeps the weights small.
Measured (this file vs. a copy using p.mul_(1 - lr * wd); 10 epochs, 230 steps):
final train CE 0.773 vs 0.140; val accuracy 0.831 vs 0.947; total weight norm
6.3 (flat after epoch 1) vs 11.2.
"""
# traindebug-expect: over_regularization
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.set_num_threads(1)

CONFIG = """
experiment: digits_cnn
seed: 17
data:
  val_fraction: 0.2
  batch_size: 64
model:
  channels: 16
  hidden: 64
  dropout: 0.1
optim:
  lr: 0.001
  betas: [0.9, 0.999]
  weight_decay: 0.01
train:
  epochs: 10
  log_every: 5
"""


def parse_config(text):
    root, stack = {}, [(-1, None)]
    stack[0] = (-1, root)
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        key, _, val = raw.strip().partition(":")
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        val = val.strip()
        if not val:
            parent[key] = {}
            stack.append((indent, parent[key]))
        elif val.startswith("["):
            parent[key] = [float(v) for v in val.strip("[]").split(",")]
        else:
            for cast in (int, float):
                try:
                    val = cast(val)
                    break
                except ValueError:
                    pass
            parent[key] = val
    return root


cfg = parse_config(CONFIG)
torch.manual_seed(cfg["seed"])


class DigitsCNN(nn.Module):
    def __init__(self, ch, hidden, p):
        super().__init__()
        self.c1 = nn.Conv2d(1, ch, 3, padding=1)
        self.c2 = nn.Conv2d(ch, 2 * ch, 3, padding=1)
        self.fc = nn.Linear(2 * ch * 4 * 4, hidden)
        self.out = nn.Linear(hidden, 10)
        self.p = p

    def forward(self, x):
        x = F.relu(self.c1(x))
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.dropout(F.relu(self.fc(x.flatten(1))), self.p, self.training)
        return self.out(x)


def main():
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
    y = torch.tensor(y)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=cfg["data"]["val_fraction"],
                                          stratify=y, random_state=cfg["seed"])
    m = cfg["model"]
    model = DigitsCNN(m["channels"], m["hidden"], m["dropout"])
    o = cfg["optim"]
    opt = torch.optim.Adam(model.parameters(), lr=o["lr"], betas=tuple(o["betas"]))
    wd = o["weight_decay"]
    bs = cfg["data"]["batch_size"]

    for epoch in range(1, cfg["train"]["epochs"] + 1):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot, n = 0.0, 0
        for i in range(0, len(perm), bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():  # decoupled weight decay on weight matrices only
                for name, p in model.named_parameters():
                    if p.dim() > 1:
                        p.mul_(1 - wd)
            tot += loss.item() * len(idx)
            n += len(idx)
        if epoch % cfg["train"]["log_every"] == 0 or epoch == 1:
            model.eval()
            with torch.no_grad():
                acc = (model(Xva).argmax(1) == yva).float().mean().item()
            wnorm = torch.sqrt(sum((p ** 2).sum() for p in model.parameters())).item()
            print(f"epoch {epoch:2d} train ce {tot / n:.3f} val acc {acc:.3f} |w| {wnorm:.2f}")


if __name__ == "__main__":
    main()
