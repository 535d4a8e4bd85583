"""Seeded bug: a manual L2 penalty added to the loss with coefficient 0.5
(meant 5e-4); the penalty dominates and drives the weights towards zero, the
classifier stays near chance."""
# traindebug-expect: over_regularization
import torch
from sklearn.datasets import load_digits
from torch import nn


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.fc3(self.act(self.fc2(self.act(self.fc1(x)))))


def l2_penalty(model):
    return sum(p.pow(2).sum() for name, p in model.named_parameters() if name.endswith("weight"))


torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32)
y = torch.tensor(y)
model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
lam = 0.5  # BUG: three orders of magnitude too large
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True)
for epoch in range(10):
    for xb, yb in loader:
        opt.zero_grad()
        ce = nn.functional.cross_entropy(model(xb), yb)
        loss = ce + lam * l2_penalty(model)
        loss.backward()
        opt.step()
    print(f"epoch {epoch} ce {ce.item():.4f} total {loss.item():.4f}")
