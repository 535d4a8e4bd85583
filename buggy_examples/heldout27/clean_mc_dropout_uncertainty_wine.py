"""Wine cultivar classifier with Monte Carlo dropout uncertainty estimates.

Clean control.  Pattern that may fool a naive detector: after training, the
evaluation code calls model.eval() and then deliberately switches the Dropout
modules back to train mode (MC dropout, Gal & Ghahramani 2016), so forward
passes during evaluation run with dropout active on purpose; no backward pass
or optimizer step happens in that phase.  Training itself runs in train mode,
and BatchNorm stays in eval mode during the MC passes.
Measured: epoch-mean train NLL 0.61 in epoch 1 -> 0.01-0.04 from epoch 13 on
(48 epochs, 192 Adagrad steps); val accuracy 0.978 deterministic and 0.978 with
MC dropout (T=50); mean predictive entropy 0.069 on correct predictions vs
1.000 on the single wrong one.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)
torch.manual_seed(21)


class WineNet(nn.Module):
    def __init__(self, d_in=13, hidden=64, n_classes=3, p=0.3):
        super().__init__()
        self.fc1 = nn.Linear(d_in, hidden)
        self.bn1 = nn.BatchNorm1d(hidden)
        self.drop1 = nn.Dropout(p)
        self.fc2 = nn.Linear(hidden, hidden)
        self.drop2 = nn.Dropout(p)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = self.drop1(F.relu(self.bn1(self.fc1(x))))
        x = self.drop2(F.relu(self.fc2(x)))
        return self.out(x)


def enable_mc_dropout(model):
    """Put only the dropout layers back into sampling mode."""
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.train()


@torch.no_grad()
def mc_predict(model, x, T=50):
    model.eval()
    enable_mc_dropout(model)
    probs = torch.stack([F.softmax(model(x), dim=1) for _ in range(T)])
    model.eval()
    return probs.mean(0)


def main():
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, stratify=y, random_state=1)
    sc = StandardScaler().fit(Xtr)
    Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(Xva), dtype=torch.float32)
    ytr, yva = torch.tensor(ytr), torch.tensor(yva)

    model = WineNet()
    opt = torch.optim.Adagrad(model.parameters(), lr=0.05)
    bs = 32
    for epoch in range(48):
        model.train()
        perm = torch.randperm(len(Xtr))
        tot = 0.0
        for i in range(0, len(perm) - bs + 1, bs):
            idx = perm[i:i + bs]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
        if epoch % 12 == 0 or epoch == 47:
            print(f"epoch {epoch + 1:2d} train nll {tot / (len(perm) // bs):.3f}")

    model.eval()
    with torch.no_grad():
        det_acc = (model(Xva).argmax(1) == yva).float().mean().item()
    p = mc_predict(model, Xva)
    pred = p.argmax(1)
    entropy = -(p * p.clamp_min(1e-12).log()).sum(1)
    correct = pred == yva
    print(f"val acc deterministic {det_acc:.3f} | MC dropout {correct.float().mean():.3f}")
    ent_wrong = entropy[~correct].mean().item() if (~correct).any() else float("nan")
    print(f"mean predictive entropy: correct {entropy[correct].mean():.3f} wrong {ent_wrong:.3f}")


if __name__ == "__main__":
    main()
