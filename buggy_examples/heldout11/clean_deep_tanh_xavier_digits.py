"""Digits classification with a deep (14 hidden layers) tanh MLP.

Healthy control.  Pattern that might fool a naive detector: a very deep
saturating-activation (tanh) network, which is often associated with
vanishing gradients / saturated units.  Here every hidden layer uses
xavier_uniform_ with gain calculate_gain("tanh") = 5/3 and inputs are
standardised, so signals propagate well.

Measured at init: loss 2.54 (ln 10 = 2.30), max fraction of |pre-act| > 3 in
any layer 0.049, grad-norm ratio first/last hidden layer 1.76.  After 276 SGD
steps (12 epochs): train loss ~0.007, test accuracy 0.931.
"""
# traindebug-expect: clean

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

torch.manual_seed(7)
np.random.seed(7)
torch.set_num_threads(1)

digits = load_digits()
X = digits.data.astype(np.float32) / 16.0
y = digits.target.astype(np.int64)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=7, stratify=y)
mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-3
Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)


class DeepTanhNet(nn.Module):
    def __init__(self, d_in=64, width=64, depth=14, n_classes=10):
        super().__init__()
        gain = nn.init.calculate_gain("tanh")
        self.hidden = nn.ModuleList()
        for i in range(depth):
            lin = nn.Linear(d_in if i == 0 else width, width)
            nn.init.xavier_uniform_(lin.weight, gain=gain)
            nn.init.zeros_(lin.bias)
            self.hidden.append(lin)
        self.out = nn.Linear(width, n_classes)
        nn.init.xavier_uniform_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        for lin in self.hidden:
            x = torch.tanh(lin(x))
        return self.out(x)


model = DeepTanhNet()
opt = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
ce = nn.CrossEntropyLoss()

epochs, bs = 12, 64
step = 0
for epoch in range(epochs):
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), bs):
        bi = perm[i:i + bs]
        loss = ce(model(Xtr[bi]), ytr[bi])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    if epoch % 2 == 0 or epoch == epochs - 1:
        print(f"epoch {epoch:2d}  step {step:4d}  loss {loss.item():.4f}  test acc {acc:.3f}")
print(f"final test accuracy {acc:.3f}")
