"""ODE-net classifier: tanh encoder -> hidden state integrated with a fixed
20-step explicit Euler loop of a learned, time-conditioned vector field ->
linear read-out. argparse config, RMSprop, 4-class make_classification data.

Seeded bug (vanishing_gradients): the Euler update is wrapped in a sigmoid
"to keep the state bounded" (h = sigmoid(h + dt * f(t, h))). Each of the 20
steps multiplies the backward signal by sigmoid' <= 0.25, so the gradient
reaching the encoder is ~1e-13 of the read-out's and the integrated state
forgets the input. Measured at init: grad norm readout.weight 0.56,
func.lin1.weight 2.4e-3, encoder.0.weight 3.3e-14 (plain Euler: 0.62 / 0.17 /
0.28). Training (288 steps): loss stays at 1.39-1.40 (chance ln 4 = 1.386),
test acc 0.23-0.28; plain Euler step reaches loss 0.26, test acc 0.87.
"""
# traindebug-expect: vanishing_gradients
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler

torch.set_num_threads(1)

p = argparse.ArgumentParser(description="ODE-net classifier, fixed-step Euler")
p.add_argument("--hidden", type=int, default=32)
p.add_argument("--t-end", type=float, default=1.0)
p.add_argument("--n-steps", type=int, default=20)
p.add_argument("--lr", type=float, default=3e-3)
p.add_argument("--epochs", type=int, default=12)
p.add_argument("--batch-size", type=int, default=100)
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()
torch.manual_seed(args.seed)


class ODEFunc(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.lin1 = nn.Linear(dim + 1, dim)
        self.lin2 = nn.Linear(dim, dim)

    def forward(self, t, h):
        tt = torch.full_like(h[:, :1], t)
        return self.lin2(torch.tanh(self.lin1(torch.cat([h, tt], dim=1))))


class ODEClassifier(nn.Module):
    def __init__(self, in_dim, hidden, n_cls, t_end, n_steps):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(in_dim, hidden), nn.Tanh())
        self.func = ODEFunc(hidden)
        self.readout = nn.Linear(hidden, n_cls)
        self.t_end, self.n_steps = t_end, n_steps

    def integrate(self, h):
        dt = self.t_end / self.n_steps
        t = 0.0
        for _ in range(self.n_steps):
            # explicit Euler step; squash to keep the state bounded over long horizons
            h = torch.sigmoid(h + dt * self.func(t, h))
            t += dt
        return h

    def forward(self, x):
        return self.readout(self.integrate(self.encoder(x)))


X, y = make_classification(n_samples=3000, n_features=12, n_informative=8, n_redundant=2,
                           n_classes=4, n_clusters_per_class=2, class_sep=1.2, random_state=3)
X = StandardScaler().fit_transform(X)
X, y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
Xtr, ytr, Xte, yte = X[:2400], y[:2400], X[2400:], y[2400:]
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr),
                                     batch_size=args.batch_size, shuffle=True,
                                     generator=torch.Generator().manual_seed(args.seed))

model = ODEClassifier(12, args.hidden, 4, args.t_end, args.n_steps)
opt = torch.optim.RMSprop(model.parameters(), lr=args.lr)

for epoch in range(args.epochs):
    model.train()
    run = 0.0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        run += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    if epoch % 3 == 0 or epoch == args.epochs - 1:
        print(f"epoch {epoch:2d}  train loss {run / len(Xtr):.4f}  test acc {acc:.3f}")
