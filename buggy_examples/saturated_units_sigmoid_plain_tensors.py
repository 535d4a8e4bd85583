"""Seeded bug: a plain-tensor network (no nn.Module) whose sigmoid hidden layer
gets weights drawn with torch.randn (std 1) on 30 standardised features and an
extra x10 "sharpness" factor; nearly every sigmoid output is within 1e-3 of 0
or 1, so the hidden layer barely learns."""
# traindebug-expect: saturated_units
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
X, y = load_breast_cancer(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32)

SHARPNESS = 10.0  # BUG: "hard" gates
W1 = torch.randn(30, 64, requires_grad=True)
b1 = torch.zeros(64, requires_grad=True)
W2 = (torch.randn(64, 1) * 0.1).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
opt = torch.optim.Adam([W1, b1, W2, b2], lr=1e-3)


def forward(x):
    h = torch.sigmoid(SHARPNESS * (x @ W1 + b1))
    return (h @ W2 + b2).squeeze(1)


for step in range(300):
    idx = torch.randint(0, len(X), (64,))
    loss = torch.nn.functional.binary_cross_entropy_with_logits(forward(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 100 == 0:
        print(step, loss.item())
