"""Seeded bug: the script reports a baseline accuracy before training with a
helper that calls model.eval(); the training loop never calls model.train(),
so the whole run trains with dropout off and batch norm frozen at its
initial running statistics."""
# traindebug-expect: wrong_mode
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

torch.manual_seed(0)
X, y = load_digits(return_X_y=True)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Xtr, Xte, ytr, yte = (torch.tensor(a) for a in train_test_split(X, y, test_size=0.3, random_state=0))
Xtr, Xte = Xtr.float(), Xte.float()

model = nn.Sequential(nn.Linear(64, 96), nn.BatchNorm1d(96), nn.ReLU(), nn.Dropout(0.25), nn.Linear(96, 10))


def accuracy(net, inputs, targets):
    net.eval()
    with torch.no_grad():
        return (net(inputs).argmax(1) == targets).float().mean().item()


print("baseline accuracy", accuracy(model, Xte, yte))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(6):
    # BUG: model.train() missing; accuracy() left the model in eval mode
    perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), 32):
        idx = perm[i : i + 32]
        loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(epoch, loss.item(), accuracy(model, Xte, yte))
