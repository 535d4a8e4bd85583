"""Healthy control: frozen random Fourier features (parameters with requires_grad=False
and left out of the optimizer) feeding a small tanh*sigmoid gated head on load_wine. Legitimate
patterns that can fool a naive detector: frozen parameters that never change, deliberate gradient
accumulation (zero_grad only every 4 micro-batches, loss divided by 4), forward hooks recording
activation statistics, small RFF activations (std ~0.06).
Measured (160 optimizer steps): train loss 0.0036 -> 0.0003, test loss 0.068 -> 0.062, test acc 0.98-1.00.
"""
# traindebug-expect: clean
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(9)
np.random.seed(9)
torch.set_num_threads(2)

wine = load_wine()
X_tr, X_te, y_tr, y_te = train_test_split(wine.data, wine.target, test_size=0.3,
                                          random_state=9, stratify=wine.target)
sc = StandardScaler().fit(X_tr)
X_tr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(sc.transform(X_te), dtype=torch.float32)
y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)


class RandomFourierFeatures(nn.Module):
    """Fixed random projection (RBF kernel approximation); not trained."""

    def __init__(self, d_in, n_features=256, gamma=0.1):
        super().__init__()
        self.W = nn.Parameter(torch.randn(d_in, n_features) * (2 * gamma) ** 0.5, requires_grad=False)
        self.b = nn.Parameter(torch.rand(n_features) * 2 * np.pi, requires_grad=False)
        self.scale = (2.0 / n_features) ** 0.5

    def forward(self, x):
        return self.scale * torch.cos(x @ self.W + self.b)


class GatedHead(nn.Module):
    """Small gated MLP on top of the random features."""

    def __init__(self, d_in, hidden, n_classes):
        super().__init__()
        self.value = nn.Linear(d_in, hidden)
        self.gate = nn.Linear(d_in, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, z):
        return self.out(torch.tanh(self.value(z)) * torch.sigmoid(self.gate(z)))


model = nn.Sequential(RandomFourierFeatures(X_tr.shape[1]), GatedHead(256, 32, 3))

# activation statistics collected with forward hooks, reported every few epochs
act_stats = {}


def make_hook(name):
    def hook(mod, inp, out):
        act_stats[name] = (out.detach().mean().item(), out.detach().std().item())
    return hook


handles = [m.register_forward_hook(make_hook(n)) for n, m in model.named_modules()
           if isinstance(m, (RandomFourierFeatures, nn.Linear))]

trainable = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.Adam(trainable, lr=1e-2)

# micro-batches of 8, gradients accumulated over 4 micro-batches (effective batch 32)
micro_bs, accum = 8, 4
step = 0
for epoch in range(40):
    model.train()
    perm = torch.randperm(len(X_tr))
    opt.zero_grad()
    for k, i in enumerate(range(0, len(X_tr), micro_bs)):
        idx = perm[i:i + micro_bs]
        loss = F.cross_entropy(model(X_tr[idx]), y_tr[idx]) / accum
        loss.backward()
        if (k + 1) % accum == 0:
            opt.step()
            opt.zero_grad()
            step += 1
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            logits = model(X_te)
            te_loss = F.cross_entropy(logits, y_te).item()
            acc = (logits.argmax(1) == y_te).float().mean().item()
        rff = act_stats["0"]
        print(f"epoch {epoch + 1:2d}  steps {step:3d}  train {loss.item() * accum:.4f}  "
              f"test {te_loss:.4f}  acc {acc:.3f}  rff act mean/std {rff[0]:+.3f}/{rff[1]:.3f}")

for h in handles:
    h.remove()
