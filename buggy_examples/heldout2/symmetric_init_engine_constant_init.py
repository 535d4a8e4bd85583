"""Seeded bug: a training "engine" with an init_weights hook that sets every
Linear weight to the constant 0.01 and every bias to 0 ("small and
deterministic for reproducibility"). All hidden units of a layer compute the
same function and get the same gradient, so the 64-unit tanh layers act as
one unit, which cannot separate two concentric circles: the loss on the
whole training set stays at 0.693 (chance) while the default init reaches
0.33 in the same 5 epochs (measured)."""
# traindebug-expect: symmetric_init
import torch
from sklearn.datasets import make_circles
from torch import nn


class Engine:
    def __init__(self, model, lr, hooks=()):
        self.model, self.hooks = model, list(hooks)
        for hook in self.hooks:
            hook.on_build(self)
        self.opt = torch.optim.Adam(model.parameters(), lr=lr)

    def run(self, loader, epochs):
        for epoch in range(epochs):
            for xb, yb in loader:
                self.opt.zero_grad()
                out = self.model(xb)
                loss = nn.functional.cross_entropy(out, yb)
                loss.backward()
                self.opt.step()
                for hook in self.hooks:
                    hook.on_step(self, loss)
            print("epoch", epoch, loss.item())


class DeterministicInit:
    def on_build(self, engine):
        def init(m):
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.weight, 0.01)  # BUG: constant weights
                nn.init.zeros_(m.bias)
        engine.model.apply(init)

    def on_step(self, engine, loss):
        pass


torch.manual_seed(0)
X, y = make_circles(n_samples=4000, noise=0.1, factor=0.5, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
X = torch.cat([X, 0.1 * torch.randn(len(X), 6)], 1)
y = torch.tensor(y)
model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
Engine(model, lr=3e-3, hooks=[DeterministicInit()]).run(loader, epochs=5)
