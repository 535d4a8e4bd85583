"""Multi-input tabular model (standardised numeric features plus three embedded categorical
columns) for binary classification; NAdam.

Seeded bug: binary cross-entropy is written out by hand on sigmoid probabilities,
-(y*log(p) + (1-y)*log(1-p)). Once the model is confident and a logit passes about +17, float32
sigmoid returns exactly 1.0, so log(1-p) = -inf and (1-y)*(-inf) = 0*inf = NaN for that positive
sample. The NaN flows into the gradients and then into every parameter.

Measured: val_acc 0.985 after epoch 0; the first NaN loss comes at step 64. From then on loss,
gradients and weights are NaN; val_acc 0.500 for the remaining epochs (304 steps in total).
Fixed copy (F.binary_cross_entropy_with_logits on the logits): train loss 0.016, val_loss 0.030,
val_acc 0.988, max |logit| 40 without any problem.
"""
# traindebug-expect: non_finite
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, Dataset

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

CFG = {
    "data": {"n": 6000, "n_numeric": 12, "cat_cardinalities": [7, 12, 4]},
    "model": {"emb_dim": 6, "hidden": 128},
    "optim": {"lr": 3e-3, "weight_decay": 0.0},
    "train": {"batch_size": 128, "epochs": 8},
}


def make_tabular(cfg, seed=0):
    """Numeric features from make_classification plus categorical columns derived from hidden factors."""
    rng = np.random.default_rng(seed)
    X, y = make_classification(n_samples=cfg["n"], n_features=cfg["n_numeric"] + 3, n_informative=8,
                               n_redundant=2, class_sep=1.2, flip_y=0.0, random_state=seed)
    num = X[:, : cfg["n_numeric"]]
    cats = []
    for j, card in enumerate(cfg["cat_cardinalities"]):
        src = X[:, cfg["n_numeric"] + j] + 0.3 * rng.normal(size=len(X))
        edges = np.quantile(src, np.linspace(0, 1, card + 1)[1:-1])
        cats.append(np.digitize(src, edges))
    return num.astype(np.float32), np.stack(cats, 1).astype(np.int64), y.astype(np.float32)


class MixedDataset(Dataset):
    def __init__(self, num, cat, y):
        self.num, self.cat, self.y = torch.from_numpy(num), torch.from_numpy(cat), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"num": self.num[i], "cat": self.cat[i], "y": self.y[i]}


class MultiInputNet(nn.Module):
    def __init__(self, n_numeric, cards, emb_dim, hidden):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in cards])
        self.num_proj = nn.Sequential(nn.Linear(n_numeric, hidden), nn.ReLU())
        self.trunk = nn.Sequential(
            nn.Linear(hidden + emb_dim * len(cards), hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, num, cat):
        e = torch.cat([emb(cat[:, j]) for j, emb in enumerate(self.embs)], dim=1)
        return self.trunk(torch.cat([self.num_proj(num), e], dim=1)).squeeze(1)


def bce(prob, target):
    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()


def main():
    num, cat, y = make_tabular(CFG["data"])
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.2, random_state=0, stratify=y)
    mu, sd = num[idx_tr].mean(0), num[idx_tr].std(0)
    num = (num - mu) / sd
    train_dl = DataLoader(MixedDataset(num[idx_tr], cat[idx_tr], y[idx_tr]),
                          batch_size=CFG["train"]["batch_size"], shuffle=True)
    va = MixedDataset(num[idx_va], cat[idx_va], y[idx_va])

    model = MultiInputNet(CFG["data"]["n_numeric"], CFG["data"]["cat_cardinalities"], **CFG["model"])
    opt = torch.optim.NAdam(model.parameters(), **CFG["optim"])

    step = 0
    for epoch in range(CFG["train"]["epochs"]):
        model.train()
        losses = []
        for batch in train_dl:
            prob = torch.sigmoid(model(batch["num"], batch["cat"]))
            loss = bce(prob, batch["y"])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        model.eval()
        with torch.no_grad():
            logits = model(va.num, va.cat)
            vloss = bce(torch.sigmoid(logits), va.y).item()
            vacc = ((logits > 0).float() == va.y).float().mean().item()
        print(f"epoch {epoch} step {step} train_loss {np.mean(losses):.4f} val_loss {vloss:.4f} "
              f"val_acc {vacc:.3f} max|logit| {logits.abs().max().item():.1f}")


if __name__ == "__main__":
    main()
