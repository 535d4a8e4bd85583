"""
Healthy control: an ensemble of 5 small MLPs trained jointly on breast_cancer,
each member on top of its own fixed random Fourier feature map.

Legitimate patterns a naive detector might flag:
  * each member's projection / phase are nn.Parameters with requires_grad=False
    (deliberately frozen random features, excluded from the optimiser);
  * the loss is the SUM of the members' cross-entropies (each member gets its own
    full-size gradient), so the logged loss is divided by the member count;
  * one member (narrowest bandwidth) is noticeably weaker than the others.

Measured (15 epochs, 210 Adam steps): mean member train CE 0.228 -> 0.061,
test NLL of the averaged ensemble 0.084, ensemble test acc 0.993,
member accs 0.846-0.986.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(6)
np.random.seed(6)
torch.set_num_threads(1)


class RandomFeatureMember(nn.Module):
    """Small MLP on top of a fixed random Fourier feature map (different per member)."""

    def __init__(self, d_in, n_rff=64, hidden=32, bandwidth=1.0):
        super().__init__()
        # fixed, non-trainable projection: kept as parameters so they are saved
        # with the state dict, but excluded from optimisation
        self.proj = nn.Parameter(torch.randn(d_in, n_rff) / bandwidth, requires_grad=False)
        self.phase = nn.Parameter(torch.rand(n_rff) * 2 * np.pi, requires_grad=False)
        self.net = nn.Sequential(nn.Linear(n_rff, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x):
        z = torch.cos(x @ self.proj + self.phase) * np.sqrt(2.0 / self.proj.shape[1])
        return self.net(z * 4.0)


class Ensemble(nn.Module):
    def __init__(self, d_in, n_members=5):
        super().__init__()
        bws = np.linspace(2.0, 6.0, n_members)
        self.members = nn.ModuleList([RandomFeatureMember(d_in, bandwidth=float(b)) for b in bws])

    def forward(self, x):
        return torch.stack([m(x) for m in self.members], 0)     # (M, B, C)


data = load_breast_cancer()
Xtr, Xte, ytr, yte = train_test_split(data.data, data.target, test_size=0.25,
                                      random_state=6, stratify=data.target)
sc = StandardScaler().fit(Xtr)
Xtr = torch.tensor(sc.transform(Xtr), dtype=torch.float32)
Xte = torch.tensor(sc.transform(Xte), dtype=torch.float32)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)

ens = Ensemble(Xtr.shape[1])
trainable = [p for p in ens.parameters() if p.requires_grad]
opt = torch.optim.Adam(trainable, lr=3e-3)

B = 32
for epoch in range(15):
    ens.train()
    perm = torch.randperm(len(Xtr))
    tot = 0.0
    for i in range(0, len(Xtr), B):
        b = perm[i:i + B]
        logits = ens(Xtr[b])                                    # (M, B, C)
        # each member is trained on its own loss; sum so every member gets a full-size gradient
        loss = sum(F.cross_entropy(l, ytr[b]) for l in logits)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item() / len(ens.members) * len(b)
    if epoch % 3 == 2:
        ens.eval()
        with torch.no_grad():
            probs = ens(Xte).softmax(-1)
            member_acc = (probs.argmax(-1) == yte).float().mean(1)
            ens_acc = (probs.mean(0).argmax(-1) == yte).float().mean().item()
            nll = F.nll_loss(probs.mean(0).log(), yte).item()
        print(f"epoch {epoch:2d} train_ce {tot / len(Xtr):.4f} test_nll {nll:.4f} "
              f"ens_acc {ens_acc:.3f} member_acc {[round(a, 3) for a in member_acc.tolist()]}")
