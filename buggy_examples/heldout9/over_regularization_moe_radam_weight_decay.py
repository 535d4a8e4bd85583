"""Soft mixture-of-experts classifier (softmax gate over 4 MLP experts, load-balancing
term) on make_classification (6 classes), RAdam.

Seeded bug (over_regularization): weight_decay=0.1 is taken over from an AdamW recipe,
but torch.optim.RAdam applies weight decay as a coupled L2 term added to the gradient
(decoupled_weight_decay=False by default). The 0.1 * w term dominates the
cross-entropy gradient after Adam-style normalisation, and the weights are pulled
toward zero instead of fitting the data.

Measured (340 steps): buggy train CE 1.791 throughout (ln 6 = 1.792), test acc 0.252,
total weight norm 12.7 -> 0.94. Fixed (decoupled_weight_decay=True, same 0.1):
train CE 0.547, test acc 0.776, weight norm 13.5 -> 19.3."""
# traindebug-expect: over_regularization
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

# hyper-parameters taken over from the team's AdamW transformer recipe
HPARAMS = {
    "model": {"d_in": 24, "d_hidden": 64, "n_experts": 4, "n_classes": 6},
    "optimizer": {"lr": 3e-3, "betas": (0.9, 0.999), "weight_decay": 0.1},
    "batch_size": 96,
    "epochs": 10,
    "load_balance_coef": 1e-2,
}


class Expert(nn.Module):
    def __init__(self, d_in, d_hidden, n_out):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, d_hidden), nn.GELU(),
                                 nn.Linear(d_hidden, d_hidden), nn.GELU(),
                                 nn.Linear(d_hidden, n_out))

    def forward(self, x):
        return self.net(x)


class SoftMoE(nn.Module):
    def __init__(self, d_in, d_hidden, n_experts, n_classes):
        super().__init__()
        self.gate = nn.Linear(d_in, n_experts)
        self.experts = nn.ModuleList(Expert(d_in, d_hidden, n_classes) for _ in range(n_experts))

    def forward(self, x):
        gate = F.softmax(self.gate(x), dim=-1)                       # (B, E)
        outs = torch.stack([e(x) for e in self.experts], dim=1)      # (B, E, C)
        logits = (gate.unsqueeze(-1) * outs).sum(1)
        return logits, gate


def load_balance_loss(gate):
    usage = gate.mean(0)
    return (usage * usage).sum() * gate.size(1)


def main():
    X, y = make_classification(n_samples=4000, n_features=24, n_informative=16, n_redundant=4,
                               n_classes=6, n_clusters_per_class=2, class_sep=1.2, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    scaler = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
    Xte = torch.tensor(scaler.transform(Xte), dtype=torch.float32)
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)

    model = SoftMoE(**HPARAMS["model"])
    opt = torch.optim.RAdam(model.parameters(), **HPARAMS["optimizer"])
    g = torch.Generator().manual_seed(0)
    bs = HPARAMS["batch_size"]
    step = 0
    for epoch in range(HPARAMS["epochs"]):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        ce_sum = 0.0
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i + bs]
            logits, gate = model(Xtr[idx])
            ce = F.cross_entropy(logits, ytr[idx])
            loss = ce + HPARAMS["load_balance_coef"] * load_balance_loss(gate)
            opt.zero_grad()
            loss.backward()
            opt.step()
            ce_sum += ce.item() * len(idx)
            step += 1
        if epoch % 3 == 0 or epoch == HPARAMS["epochs"] - 1:
            model.eval()
            with torch.no_grad():
                acc = (model(Xte)[0].argmax(1) == yte).float().mean().item()
                wnorm = sum(p.norm() ** 2 for p in model.parameters()).sqrt().item()
            print(f"epoch {epoch} step {step} train_ce {ce_sum / len(Xtr):.4f} "
                  f"test_acc {acc:.3f} weight_norm {wnorm:.2f}")


if __name__ == "__main__":
    main()
