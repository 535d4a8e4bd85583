"""Seeded bug: an autoencoder whose init hook sets every Linear weight to the
constant 0.01 (and biases to 0); all hidden units of a layer start identical,
receive identical gradients and stay identical."""
# traindebug-expect: symmetric_init
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import MinMaxScaler
from torch import nn


def init_weights(module):
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.weight, 0.01)  # BUG: no randomness breaks the symmetry
        nn.init.zeros_(module.bias)


class AutoEncoder(nn.Module):
    def __init__(self, d, code=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(d, 16), nn.Tanh(), nn.Linear(16, code))
        self.dec = nn.Sequential(nn.Linear(code, 16), nn.Tanh(), nn.Linear(16, d), nn.Sigmoid())

    def forward(self, x):
        return self.dec(self.enc(x))


torch.manual_seed(0)
X, _ = load_breast_cancer(return_X_y=True)
X = torch.tensor(MinMaxScaler().fit_transform(X), dtype=torch.float32)
model = AutoEncoder(30)
model.apply(init_weights)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
loader = torch.utils.data.DataLoader(X, batch_size=32, shuffle=True)
for epoch in range(20):
    for xb in loader:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(xb), xb)
        loss.backward()
        opt.step()
    if epoch % 5 == 0:
        print(epoch, loss.item())
